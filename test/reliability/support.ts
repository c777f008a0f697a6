// Shared helpers for the reliability tests: table snapshots, paths from the route table, captured issuer
// keys for forging tokens, and payload-2.0 events for invoking handlers directly.
import { randomUUID, type webcrypto } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import Stripe from 'stripe';
import type { Route } from '../../functions/routes.js';
import { lambdaContext as localLambdaContext } from '../../local/handler-loader.js';
import { tableSnapshot } from '../support/table-audit.js';
import type { TestMarketplace } from '../support/marketplace.js';

type Item = Record<string, unknown>;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type SubtleCrypto = webcrypto.SubtleCrypto;

export { canonical, tableSnapshot } from '../support/table-audit.js';

/**
 * The table once the stream consumers have caught up: what accepted writes led to (stats, credits applied)
 * is settled before a snapshot, so a later snapshot differs only by what happened in between.
 */
export async function settledSnapshot(market: TestMarketplace): Promise<string[]> {
  await market.settle();
  return tableSnapshot(market.doc, market.tableName);
}

/** What changed between two snapshots; empty lists when nothing did. */
export function snapshotDiff(before: string[], after: string[]): { removed: string[]; added: string[] } {
  const was = new Set(before);
  const is = new Set(after);
  return { removed: before.filter((i) => !is.has(i)), added: after.filter((i) => !was.has(i)) };
}

export function describeDiff(diff: { removed: string[]; added: string[] }): string {
  const show = (list: string[]) => list.slice(0, 3).map((i) => i.slice(0, 300)).join('\n    ');
  return `removed ${diff.removed.length}:\n    ${show(diff.removed)}\n  added ${diff.added.length}:\n    ${show(diff.added)}`;
}

/** The route's path with its `{name}` parameters filled in (encoded). */
export function pathFor(route: Pick<Route, 'path'>, params: Record<string, string> = {}): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `missing-${name}`));
}

export function pathParameterNames(route: Pick<Route, 'path'>): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/**
 * Runs `start` while recording the key pairs WebCrypto generates, so a test can sign tokens with the local
 * issuer's own key (another issuer, another audience, no sub: each must fail on that check alone, not on
 * the signature). Test instrumentation only.
 */
export async function withGeneratedKeys<T>(start: () => Promise<T>): Promise<{ result: T; keys: CryptoKeyPair[] }> {
  const subtle = globalThis.crypto.subtle as SubtleCrypto & { generateKey: SubtleCrypto['generateKey'] };
  const original = subtle.generateKey;
  const keys: CryptoKeyPair[] = [];
  subtle.generateKey = (async (...args: Parameters<SubtleCrypto['generateKey']>) => {
    const generated = await (original as (...a: unknown[]) => Promise<unknown>).apply(subtle, args);
    if (generated && typeof generated === 'object' && 'privateKey' in generated) keys.push(generated as CryptoKeyPair);
    return generated;
  }) as SubtleCrypto['generateKey'];
  try {
    return { result: await start(), keys };
  } finally {
    delete (subtle as unknown as Record<string, unknown>).generateKey;
    if (subtle.generateKey !== original) subtle.generateKey = original;
  }
}

/** A payload-2.0 event as API Gateway would build it, minus whatever the test leaves out. */
export function apiEvent(route: Pick<Route, 'method' | 'path'>, options: {
  path?: string;
  routeKey?: string;
  headers?: Record<string, string>;
  body?: string;
  pathParameters?: Record<string, string>;
  authorizer?: unknown;
} = {}): APIGatewayProxyEventV2 {
  const path = options.path ?? pathFor(route, options.pathParameters);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000', apiId: 'direct', domainName: 'localhost', domainPrefix: 'localhost',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'reliability-test' },
      requestId: randomUUID(), routeKey: options.routeKey ?? `${route.method} ${route.path}`, stage: '$default',
      time: now.toUTCString(), timeEpoch: now.getTime(),
      ...(options.authorizer === undefined ? {} : { authorizer: options.authorizer }),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  };
}

/** A Lambda context for invoking a handler directly (the local gateway's own). */
export function lambdaContext(functionName: string): Context {
  return localLambdaContext(functionName, randomUUID());
}

/** An error answer: `{ error: { code, message, details? } }`, or what the gateway itself says (401, 413, 429). */
export function isErrorShape(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return false;
  const { code, message, ...rest } = error as Record<string, unknown>;
  return typeof code === 'string' && code.length > 0 && typeof message === 'string' &&
    Object.keys(rest).every((k) => k === 'details');
}

export const gatewayAnswers: Record<number, { message: string }> = {
  401: { message: 'Unauthorized' },
  413: { message: 'Request Entity Too Large' },
  429: { message: 'Too Many Requests' },
};

export interface SampleRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the sample user's token (with the creators group where the route needs it). */
  as?: 'user' | 'creator';
}

/** A delivery of the payment provider's webhook, signed with `webhookSecret` as the provider signs it. */
function signedWebhookEvent(webhookSecret: string): Pick<SampleRequest, 'body' | 'headers'> {
  const event = {
    id: `evt_${randomUUID().slice(0, 8)}`, object: 'event', type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_sample', object: 'payment_intent', amount: 100, metadata: {} } },
  };
  return { body: event, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: webhookSecret }) } };
}

/**
 * One valid request per route id, on records of a seeded marketplace: what a working client would send,
 * so the request reaches DynamoDB. The sample user is one who owns, lists, offers and creates. With the
 * marketplace's `webhookSecret`, the webhook's sample is signed (else it is refused before any read).
 */
export function sampleRequests(items: Item[], options: { webhookSecret?: string } = {}): { user: string; requests: Record<string, SampleRequest> } {
  const now = new Date().toISOString();
  const of = (entity: string) => items.filter((i) => i.entity === entity) as Array<Record<string, any>>;
  const users = of('account').map((a) => a.userId as string).filter((u) => !u.startsWith('~'));
  const has = (u: string) => ({
    freeNft: of('nft').find((n) => n.owner === u && !n.listingId && !n.auctionId),
    listing: of('listing').find((l) => l.seller === u && l.status === 'active'),
    offerMade: of('offer').find((o) => o.buyer === u && o.status === 'open' && o.expiresAt > now),
    offerReceived: of('offer').find((o) => o.recipient === u && o.nftId && o.status === 'open' && o.expiresAt > now),
    collection: of('collection').find((c) => c.creator === u),
  });
  const user = users.find((u) => Object.values(has(u)).every(Boolean)) ?? 'user-1';
  const mine = has(user);
  const otherListing = of('listing').find((l) => l.seller !== user && l.status === 'active');
  const otherNft = of('nft').find((n) => n.owner !== user);
  const liveAuction = of('auction').find((a) => a.seller !== user && !a.settledAt && a.startsAt <= now && a.endsAt > now);
  const endedAuction = of('auction').find((a) => !a.settledAt && a.endsAt <= now);
  const livePresale = of('presale').find((p) => p.startsAt <= now && p.endsAt > now && !p.allowlist);
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  const unique = () => `sample-${randomUUID()}`;
  const id = (value: unknown) => encodeURIComponent(String(value ?? 'missing'));
  return {
    user,
    requests: {
      listMarketListings: { method: 'POST', path: '/market/', body: { sort: 'price_asc', limit: 5 } },
      getMarketListings: { method: 'GET', path: '/market?sort=newest&limit=5' },
      postMarketFloor: { method: 'POST', path: '/market/floor', body: { collectionIds: ['col-1', 'col-2'] } },
      getMarketFloor: { method: 'GET', path: '/market/floor?collectionIds=col-1,col-2' },
      listCollections: { method: 'GET', path: '/market/collections?limit=5' },
      getAccount: { method: 'GET', path: '/accounts', as: 'user' },
      listMyNfts: { method: 'GET', path: '/nft/my?limit=5', as: 'user' },
      listMyOffers: { method: 'GET', path: '/offers/my?role=received', as: 'user' },
      listAuctions: { method: 'POST', path: '/auctions/', body: { status: 'live' } },
      getAuctions: { method: 'GET', path: '/auctions?status=ended' },
      listPresales: { method: 'POST', path: '/presale/', body: {} },
      getPresales: { method: 'GET', path: '/presale?status=upcoming' },
      listMyTopups: { method: 'GET', path: '/users/balance-topups', as: 'user' },
      listActivity: { method: 'GET', path: '/market/activity?limit=5' },
      listMyActivity: { method: 'GET', path: '/users/me/activity?types=listing,sale', as: 'user' },
      listOpenOffers: { method: 'GET', path: `/offers?collectionId=${id(otherNft?.collectionId)}&limit=5` },
      getCollectionDepth: { method: 'GET', path: `/market/collections/${id(otherNft?.collectionId)}/depth?side=offers` },
      getCollectionHistory: { method: 'GET', path: `/market/collections/${id(otherNft?.collectionId)}/history?interval=1h` },
      listCollectionHolders: { method: 'GET', path: `/market/collections/${id(otherNft?.collectionId)}/holders?limit=5` },
      getCollectionTraits: { method: 'GET', path: `/market/collections/${id(otherNft?.collectionId)}/traits` },
      readFeed: { method: 'GET', path: '/feed?channel=%2Fmarket%2Fall&since=0', as: 'user' },
      createTopup: { method: 'POST', path: '/users/balance-topups', body: { amount: 500 }, headers: { 'idempotency-key': unique() }, as: 'user' },
      listMyWithdrawals: { method: 'GET', path: '/users/withdrawals', as: 'user' },
      createWithdrawal: { method: 'POST', path: '/users/withdrawals', body: { amount: 1 }, headers: { 'idempotency-key': unique() }, as: 'user' },
      // Unsigned without the secret: a 400 with nothing written (test/api/payments.test.ts covers signed deliveries).
      stripeWebhook: {
        method: 'POST', path: '/payments/stripe/webhook',
        ...(options.webhookSecret ? signedWebhookEvent(options.webhookSecret) : { body: { id: 'evt_sample', object: 'event', type: 'payment_intent.succeeded' } }),
      },
      createListing: { method: 'POST', path: '/market/listings', body: { nftId: mine.freeNft?.nftId, price: 1234 }, as: 'user' },
      cancelListing: { method: 'DELETE', path: `/market/listings/${id(mine.listing?.listingId)}`, as: 'user' },
      sweepCollection: {
        method: 'POST', path: '/market/sweep', headers: { 'idempotency-key': unique() }, as: 'user',
        body: { collectionId: otherListing?.collectionId ?? 'missing', maxItems: 2, maxPricePerItem: 1_000_000 },
      },
      createListingsBatch: { method: 'POST', path: '/market/listings/batch', body: { items: [{ nftId: mine.freeNft?.nftId, price: 1234 }] }, as: 'user' },
      cancelListingsBatch: { method: 'POST', path: '/market/listings/cancel-batch', body: { listingIds: [mine.listing?.listingId ?? 'missing'] }, as: 'user' },
      buyListing: { method: 'POST', path: `/market/listings/${id(otherListing?.listingId)}/buy`, as: 'user' },
      createCollection: { method: 'POST', path: '/market/collections', body: { name: 'Sample', image: 'https://example.com/s.png', royaltyBps: 100 }, as: 'creator' },
      createOffer: { method: 'POST', path: '/offers', body: { nftId: otherNft?.nftId, amount: 10, expiresAt: inDays(2) }, as: 'user' },
      cancelOffer: { method: 'DELETE', path: `/offers/${id(mine.offerMade?.offerId)}`, as: 'user' },
      acceptOffer: { method: 'POST', path: `/offers/${id(mine.offerReceived?.offerId)}/accept`, body: {}, as: 'user' },
      createAuction: { method: 'POST', path: '/auctions/create', body: { nftId: mine.freeNft?.nftId, reservePrice: 100, endsAt: inDays(1) }, as: 'user' },
      placeBid: { method: 'POST', path: `/auctions/${id(liveAuction?.auctionId)}/bids`, body: { amount: 1_000_000 }, as: 'user' },
      cancelAuction: { method: 'POST', path: `/auctions/${id(liveAuction?.auctionId)}/cancel`, as: 'user' },
      settleAuction: { method: 'POST', path: `/auctions/${id(endedAuction?.auctionId)}/settle`, as: 'user' },
      createPresale: {
        method: 'POST', path: '/presale/create', as: 'creator',
        body: { collectionId: mine.collection?.collectionId, price: 100, supply: 10, perWalletLimit: 2, startsAt: inDays(1), endsAt: inDays(2) },
      },
      purchasePresale: { method: 'POST', path: `/presale/${id(livePresale?.presaleId)}/purchase`, body: { quantity: 1 }, as: 'user' },
    },
  };
}

// AWS's own client of AppSync Events, Amplify v6's `events` (aws-amplify/data), against the local feed
// (docs/live-feed.md) through the local wss:// listener (local/tls-listener.ts): connect, subscribe, receive a
// sale, a refused channel, a refused publish, and a bad token that Amplify sees as UnauthorizedException.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { events } from 'aws-amplify/data';
import { decodeJwt } from 'jose';
import WebSocket from 'ws';
import { createLocalIssuer } from '../../local/jwt-issuer.js';
import { startTlsListener, type TlsListener } from '../../local/tls-listener.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
let tls: TlsListener;
/** The token Amplify's token provider hands out (the signed-in user's, as Cognito's would be). */
let currentToken = '';

before(async () => {
  market = await startTestMarketplace({ seed: null, feed: true });
  fx = tradingFixtures(market);
  tls = await startTlsListener({ targetPort: Number(new URL(market.url).port) });
  // Node 20 has no global WebSocket: Amplify gets the `ws` package's, trusting the listener's certificate (this
  // test process only).
  const cert = tls.cert;
  globalThis.WebSocket = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca: cert });
    }
  } as unknown as typeof globalThis.WebSocket;
  Amplify.configure(
    { API: { Events: { endpoint: `${tls.url}/event`, region: 'us-east-1', defaultAuthMode: 'userPool' } } },
    { Auth: { tokenProvider: { getTokens: async () => ({ accessToken: { toString: () => currentToken, payload: decodeJwt(currentToken) } }) } } },
  );
});
after(async () => {
  await events.closeAll();
  await tls?.close();
  await market?.stop();
});

/** Rejects when `promise` has not settled in `ms` (an answer that never comes fails the test rather than hanging it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing in ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const failure = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: Error) => error.message);

describe("Amplify's events client against the local feed", { timeout: 120_000 }, () => {
  it('a bad token: the connect fails with UnauthorizedException (connection_error), not a handshake error retried', async () => {
    const forger = await createLocalIssuer(market.runtime.issuer.issuer, market.runtime.issuer.audience);
    currentToken = await forger.sign({ sub: 'seller-1' });
    assert.match(await within(failure(events.connect('/market/all')), 30_000, 'connect with a forged token'), /UnauthorizedException/);
  });

  it('connects, subscribes, receives a sale; a channel of another user and a publish are refused', async () => {
    const { collectionId, presaleId } = await fx.freshCollection();
    currentToken = await fx.as('watcher-amplify');
    const channel = await within(events.connect(`/market/collections/${collectionId}`), 30_000, 'connect');
    const received: { type: string; listingId?: string; price?: number }[] = [];
    const errors: unknown[] = [];
    const subscription = channel.subscribe({ next: (data) => received.push(data.event), error: (error: unknown) => errors.push(error) });
    await within(subscription.ready, 30_000, 'subscribe_success');

    const nftId = await fx.mint(presaleId, 'seller-amplify');
    const listing = fx.expectStatus(await fx.call('seller-amplify', 'POST', '/market/listings', { nftId, price: 650 }), 201);
    await market.settle();
    await fx.topUp('buyer-amplify', 1000);
    fx.expectStatus(await fx.call('buyer-amplify', 'POST', `/market/listings/${listing.listingId}/buy`), 200);
    await market.settle();
    const deadline = Date.now() + 30_000;
    while (!received.some((event) => event.type === 'sale') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const sale = received.find((event) => event.type === 'sale');
    assert.deepEqual([sale?.listingId, sale?.price], [listing.listingId, 650], JSON.stringify(received));
    assert.deepEqual(errors, []);

    const publish = await within(failure(channel.publish({ type: 'sale', price: 1 })), 30_000, 'publish');
    assert.match(publish, /Publish errors: UnauthorizedException/);

    // Another user's channel, on the same connection: subscribe_error, the subscription's error, and `ready` rejects.
    const theirs = await events.connect('/users/seller-amplify');
    const refusals: string[] = [];
    const refused = theirs.subscribe({ next: () => undefined, error: (error: { errors?: { message?: string }[] }) => refusals.push(error.errors?.[0]?.message ?? '') });
    assert.match(await within(failure(refused.ready), 30_000, 'subscribe to another user\'s channel'), /Connection failed: Unauthorized: /);
    assert.match(refusals[0] ?? '', /Connection failed: Unauthorized: /);
    subscription.unsubscribe();
    await channel.close();
    await theirs.close();
  });
});

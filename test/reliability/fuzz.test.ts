// Property-based fuzzing of every route in the route table (routes added later are fuzzed too): random and
// hostile bodies, query strings, path parameters and headers. Every answer must be a 2xx (matching the
// route's response schema) or a 4xx in the error shape; never a 5xx, never a dropped connection; and a
// rejected write must leave the table exactly as it was.
//
// One request in three is a working client's (right method, JSON, a user's token, ids that user can act on),
// and the table keeps its state across batches (it is seeded again only after growing 1,000 items), so flows
// go several steps deep: listed, then bought; auctioned, bid on, settled. The run prints each route's statuses
// and checks that most write routes accepted something.
//
// FUZZ_RUNS sets how many requests to generate: `npm test` runs a quick pass (240, every route at least once: a
// route the random draw missed gets one request at the end), `npm run fuzz` 10,000.
// FUZZ_SEED replays a run (the seed is printed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { routes, type HttpMethod, type Route } from '../../functions/routes.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';
import { minimumNextBid } from '../../functions/domain/trading-rules.js';
import { publicActivityTypes } from '../../functions/domain/activity-types.js';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { writeSeed, type SeedSize } from '../../local/seed.js';
import { localClient } from '../../local/table.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import {
  canonical, describeDiff, gatewayAnswers, isErrorShape, pathParameterNames, snapshotDiff, settledSnapshot,
} from './support.js';

const requestsWanted = Number(process.env.FUZZ_RUNS ?? 240);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const batchSize = 8;

const users = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6'];
const seedSize: SeedSize = { collections: 3, nfts: 48, listings: 14, auctions: 9, presales: 6, users: users.length };
/**
 * Once the table has grown this many items past the seed, it is wiped and seeded again, so a snapshot after
 * every write stays cheap. Until then state carries across batches: what one batch lists, offers or auctions,
 * later batches buy, accept, bid on, cancel and settle.
 */
const growthBeforeReseed = 1_000;
let maxTableItems: number;
let resets = 0;
let market: TestMarketplace;
let tokens: Map<string, string>;
let ids: Record<string, string[]>;
/** Ids a given user can act on (their NFTs, listings, offers, collections), so some writes get all the way through. */
let idsOf: Map<string, Record<string, string[]>>;

/** The table as of the last refresh: what the working client's requests are made of. */
let tableItems: Array<Record<string, any>> = [];

function refreshIds(snapshotItems: string[]): void {
  const items = snapshotItems.map((t) => JSON.parse(t) as Record<string, any>);
  tableItems = items;
  const now = new Date().toISOString();
  const list = (entity: string, field: string, keep: (i: Record<string, any>) => boolean = () => true) =>
    [...new Set(items.filter((i) => i.entity === entity && keep(i)).map((i) => String(i[field])))];
  ids = {
    nftId: list('nft', 'nftId'), listingId: list('listing', 'listingId'), offerId: list('offer', 'offerId'),
    auctionId: list('auction', 'auctionId'), presaleId: list('presale', 'presaleId'), collectionId: list('collection', 'collectionId'),
    userId: users,
  };
  idsOf = new Map(users.map((u) => [u, {
    nftId: list('nft', 'nftId', (n) => n.owner === u && !n.listingId && !n.auctionId),
    listingId: [...list('listing', 'listingId', (l) => l.status === 'active' && l.seller === u), ...list('listing', 'listingId', (l) => l.status === 'active')],
    offerId: list('offer', 'offerId', (o) => o.status === 'open' && (o.buyer === u || o.recipient === u)),
    auctionId: list('auction', 'auctionId', (a) => !a.settledAt && (a.endsAt <= now || a.seller !== u)),
    presaleId: list('presale', 'presaleId', (p) => p.startsAt <= now && p.endsAt > now),
    collectionId: list('collection', 'collectionId', (c) => c.creator === u),
  }]));
}
let cursors: string[];
let snapshot: string[];

before(async () => {
  // A small marketplace keeps the table snapshot after every write cheap.
  market = await startTestMarketplace({ seed: seedSize });
  tokens = new Map();
  for (const user of users) {
    tokens.set(user, await market.token(user));
    tokens.set(`${user}+creator`, await market.token(user, ['creators']));
  }
  refreshIds(await settledSnapshot(market));
  // Real cursors, from lists of several users and kinds: each is wrong for every other list.
  cursors = [];
  for (const [path, user] of [
    ['/market?limit=1', null], ['/auctions?limit=1&status=ended', null], ['/presale?limit=1&status=upcoming', null],
    ['/market/collections?limit=1', null], ['/market/activity?limit=1', null], ['/nft/my?limit=1', 'user-1'], ['/nft/my?limit=1', 'user-2'],
    ['/offers/my?limit=1', 'user-1'], ['/offers/my?limit=1&role=received', 'user-3'], ['/users/balance-topups?limit=1', 'user-2'],
    ['/market/activity?limit=1&types=listing,sale', null], ['/users/me/activity?limit=1', 'user-1'], ['/users/me/activity?limit=1&types=listing', 'user-2'],
  ] as const) {
    const answer = await market.call('GET', path, { token: user ? tokens.get(user) : undefined });
    if (typeof answer.body?.nextCursor === 'string') cursors.push(answer.body.nextCursor);
  }
  snapshot = await settledSnapshot(market);
  maxTableItems = snapshot.length + growthBeforeReseed;
});
after(async () => { await market?.stop(); });

/** Deletes every item and writes the seed again (the marketplace keeps running on the same table). */
async function reseed(items: string[]): Promise<string[]> {
  const keys = items.map((text) => JSON.parse(text) as Record<string, unknown>).map((item) => ({ pk: item.pk, sk: item.sk }));
  const batches: Array<typeof keys> = [];
  for (let i = 0; i < keys.length; i += 25) batches.push(keys.slice(i, i + 25));
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < batches.length) {
      let pending: Record<string, unknown>[] = batches[next++]!.map((Key) => ({ DeleteRequest: { Key } }));
      while (pending.length > 0) {
        const out = await market.doc.send(new BatchWriteCommand({ RequestItems: { [market.tableName]: pending as never } }));
        pending = (out.UnprocessedItems?.[market.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }));
  const client = localClient(market.runtime.endpoint);
  await writeSeed(client, market.tableName, seedSize);
  client.destroy();
  resets++;
  return settledSnapshot(market);
}

// ---------- arbitraries ----------

const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
/** encodeURIComponent for any string: a URL can only carry well-formed UTF-16 (lone surrogates become U+FFFD). */
const encode = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const isoAt = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** A number as JSON text, including ones JSON.parse turns into Infinity or rounds. */
const rawNumber = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom('-1', '0', '-0', '0.5', '1.5', '-0.01', '1e21', '1e400', '-1e400', '9007199254740992', '9007199254740993',
    '123456789012345678901234567890', '1E3', '0.1e1', '4.9e-324', '100000000.0000001'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);

/** JSON-ish values as text: a tiny serializer that can embed raw numbers and duplicate keys. */
type Raw = { raw: string };
const raw = (text: string): Raw => ({ raw: text });
function toJson(value: unknown): string {
  if (value && typeof value === 'object' && 'raw' in (value as object) && Object.keys(value as object).length === 1) return (value as Raw).raw;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 65, max: 6000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('', ' ', 'a#b', 'USER#user-2', 'col-1#', '../../etc/passwd', '%00', '\u0000', '\uffff', '\ud800', '🙂🙂', 'ǅ',
    '<script>alert(1)</script>', "' OR 1=1 --", '${jndi:ldap://x}', '__proto__', 'constructor', 'null', 'undefined', 'NaN', 'true',
    '2026-02-30T00:00:00Z', 'not-a-date', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z', 'http://', 'javascript:alert(1)'),
  // Lone surrogates, text that shows nothing, control characters: stored, they break strict JSON parsers and UIs.
  fc.constantFrom('\ud800abc', 'abc\udc00', '\udc00\ud800', 'ok \ud83d', '\u200b', '\u200c\u200d\u2060\ufeff', ' \u200b ', '\u3164',
    '\u00ad', '\ufe0f', '\u0301', 'a\u0007b', 'two\nlines', '\u202eevil', 'https://example.com/\ud800.png', 'https://exa\u200bmple.com/a.png'),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: rawNumber.map(raw) },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom({}, [], [[]], { __proto__: { admin: true } }, { $ne: null }, { S: 'x' }) },
);

const future = fc.integer({ min: 60_000, max: 30 * 86_400_000 }).map(isoAt);
const soon = fc.integer({ min: 1_000, max: 8_000 }).map(isoAt);
const past = fc.integer({ min: 60_000, max: 30 * 86_400_000 }).map((ms) => isoAt(-ms));

/** Values a working client would send for a field, so some requests get deep into the handlers. */
function plausible(field: string, user?: string): fc.Arbitrary<unknown> {
  const known = Object.hasOwn(ids, field) ? ids[field] : undefined;
  const mine = user ? idsOf.get(user) : undefined;
  const theirs = mine && Object.hasOwn(mine, field) ? mine[field]! : [];
  if (known) {
    return fc.oneof(
      { weight: theirs.length ? 4 : 0, arbitrary: fc.constantFrom(...(theirs.length ? theirs : ['x'])) },
      { weight: 3, arbitrary: fc.constantFrom(...known) },
      { weight: 1, arbitrary: fc.constantFrom('nope-1', 'x') },
    );
  }
  switch (field) {
    case 'collectionIds': return fc.array(fc.constantFrom(...ids.collectionId!, 'col-unknown'), { minLength: 1, maxLength: 5 });
    case 'amount': case 'price': case 'reservePrice': return fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 10_000_000 }));
    case 'minPrice': case 'maxPrice': return fc.integer({ min: 0, max: 100_000 });
    case 'quantity': case 'perWalletLimit': case 'maxItems': return fc.integer({ min: 1, max: 3 });
    case 'maxPricePerItem': return fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 10_000_000 }));
    case 'listingIds': return fc.array(plausible('listingId', user), { minLength: 1, maxLength: 4 });
    case 'items': return fc.array(fc.record({ nftId: plausible('nftId', user), price: plausible('price') }), { minLength: 1, maxLength: 4 });
    case 'supply': return fc.integer({ min: 1, max: 20 });
    case 'limit': return fc.integer({ min: 1, max: 100 });
    case 'royaltyBps': case 'minIncrementBps': return fc.integer({ min: 0, max: 2_500 });
    // Some auctions end a few seconds after they are made, so settling them is fuzzed too.
    case 'expiresAt': case 'endsAt': return fc.oneof({ weight: 3, arbitrary: future }, { weight: 1, arbitrary: past }, { weight: 1, arbitrary: soon });
    case 'startsAt': return fc.oneof(past, future);
    case 'sort': return fc.constantFrom('price_asc', 'price_desc', 'newest');
    case 'status': return fc.constantFrom('live', 'upcoming', 'ended', 'open', 'accepted', 'cancelled', 'expired');
    case 'role': return fc.constantFrom('made', 'received');
    case 'types': return fc.oneof(fc.subarray([...publicActivityTypes], { minLength: 1 }), fc.constantFrom(['swap'], ['sale', 'Sale'], []));
    case 'name': return fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) });
    case 'image': return fc.constantFrom('https://example.com/a.png', 'http://img.example/x.jpg');
    case 'allowlist': return fc.array(fc.constantFrom(...users), { minLength: 1, maxLength: 4 });
    case 'cursor': return cursorValue;
    default: return hostileValue;
  }
}

const cursorValue: fc.Arbitrary<string> = fc.oneof(
  fc.constant(null).map(() => cursors[0] ?? 'x').chain(() => fc.constantFrom(...(cursors.length ? cursors : ['x']))),
  fc.base64String({ maxLength: 80 }),
  fc.jsonValue({ maxDepth: 2 }).map((v) => b64url(JSON.stringify(v))),
  fc.record({
    pk: fc.constantFrom('USER#user-2', 'LISTING#x', 'LISTINGS', 'OWNER#user-1', ''), sk: hostileString,
    gsi1pk: fc.constantFrom('LISTINGS', 'OWNER#user-2', 'OFFERS_BY#user-1', 'AUCTIONS', 'COLLECTIONS'), gsi1sk: hostileString,
  }, { requiredKeys: [] }).map((v) => b64url(JSON.stringify(v))),
  fc.integer({ min: 2040, max: 3000 }).map((n) => 'A'.repeat(n)),
  fc.constantFrom('', '!!!', 'null', b64url('null'), b64url('[]'), b64url('"x"'), b64url('{"pk":{"S":"x"}}')),
);

interface RouteShape { bodyFields: string[]; requiredBodyFields: string[]; queryFields: string[] }
function described(schema: $ZodType | undefined): { properties?: Record<string, unknown>; required?: string[] } {
  return schema ? z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] } : {};
}
function fieldsOf(schema: $ZodType | undefined): string[] {
  return Object.keys(described(schema).properties ?? {});
}
const shapes = new Map<string, RouteShape>(routes.map((route) => [route.id, {
  bodyFields: fieldsOf(routeSchemas[route.id]?.body),
  requiredBodyFields: described(routeSchemas[route.id]?.body).required ?? [],
  queryFields: [...new Set([...fieldsOf(routeSchemas[route.id]?.query), ...(route.cache?.queryKeys ?? [])])],
}]));

interface FuzzRequest {
  route: Route;
  method: string;
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
  identity: string;
}

const jsonContentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8', 'application/vnd.api+json') },
  { weight: 3, arbitrary: fc.constantFrom('application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png', 'text/html', ';;;', 'application/json; charset=utf-16', '*/*') },
  { weight: 2, arbitrary: fc.constant('') },
);

function bodyArb(route: Route, user?: string): fc.Arbitrary<string | undefined> {
  const fields = shapes.get(route.id)!.bodyFields;
  const fieldOrJunk = fc.oneof({ weight: 5, arbitrary: fields.length ? fc.constantFrom(...fields) : fc.constant('x') }, { weight: 1, arbitrary: hostileString });
  const entry = fieldOrJunk.chain((field) => fc.tuple(fc.constant(field), fc.oneof({ weight: 3, arbitrary: plausible(field, user) }, { weight: 2, arbitrary: hostileValue })));
  const shaped = fc.array(entry, { maxLength: fields.length + 2 }).map((pairs) => toJson(Object.fromEntries(pairs)));
  const complete = fields.length
    ? fc.tuple(...fields.map((f) => fc.option(plausible(f, user), { freq: 6, nil: undefined }))).map((values) =>
      toJson(Object.fromEntries(fields.map((f, i) => [f, values[i]]).filter(([, v]) => v !== undefined))))
    : fc.constant('{}');
  const deep = fc.integer({ min: 10, max: 60 }).map((d) => `${'{"a":['.repeat(d)}1${']}'.repeat(d)}`);
  const oversize = fc.integer({ min: 16 * 1024 - 64, max: 40 * 1024 }).map((n) => JSON.stringify({ name: 'é'.repeat(Math.floor(n / 2)) }));
  const duplicateKeys = fields.length ? fc.constantFrom(...fields).map((f) => `{"${f}":1,"${f}":-5,"${f}":"x"}`) : fc.constant('{"a":1,"a":2}');
  const subset = fields.length
    ? fc.subarray(fields, { minLength: 1 }).chain((chosen) => fc.tuple(...chosen.map((f) => plausible(f, user)))
      .map((values) => toJson(Object.fromEntries(chosen.map((f, i) => [f, values[i]])))))
    : fc.constant('{}');
  return fc.oneof(
    { weight: 6, arbitrary: complete },
    { weight: 4, arbitrary: subset },
    { weight: 6, arbitrary: shaped },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '"x"', '0', 'true', '{', '{"a":', '{"a":1}}', '\u0000', '{"a":1,}', "{'a':1}", 'NaN', '[1,2', '\ufeff{}') },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: oversize },
    { weight: 1, arbitrary: duplicateKeys },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  );
}

function queryArb(route: Route): fc.Arbitrary<string> {
  const fields = shapes.get(route.id)!.queryFields;
  const key = fc.oneof({ weight: 5, arbitrary: fields.length ? fc.constantFrom(...fields) : fc.constant('limit') }, { weight: 1, arbitrary: printable(20) });
  const valueFor = (field: string) => fc.oneof(
    { weight: 3, arbitrary: plausible(field).map((v) => (Array.isArray(v) ? v.join(',') : String(v))) },
    { weight: 2, arbitrary: fc.oneof(rawNumber, hostileString) },
  );
  const pair = key.chain((k) => fc.tuple(fc.constant(k), valueFor(k), fc.boolean()));
  // At most ~7 KiB of query: CloudFront refuses URLs over 8 KiB before they reach the API (limits.test.ts).
  return fc.array(pair, { maxLength: 5 }).map((pairs) => pairs
    .map(([k, v, encoded]) => `${encode(k)}=${encoded ? encode(v) : encode(v).replace(/%(2[0-9A-C]|3[A-F]|40|5[B-E]|60|7[B-E])/g, (m) => decodeURIComponent(m)).replace(/[#&]/g, encode)}`)
    .reduce((query, pair) => (query.length + pair.length > 7000 ? query : query ? `${query}&${pair}` : pair), ''));
}

function pathArb(route: Route, user?: string): fc.Arbitrary<string> {
  const names = pathParameterNames(route);
  const param = (name: string) => fc.oneof(
    { weight: 6, arbitrary: plausible(name, user).map((v) => encode(String(v))) },
    { weight: 2, arbitrary: hostileString.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2F', 'a%2Fb', '%00', '%23x', '~', '%20', '%F0%9F%99%82', 'a%25b', '%ZZ', '%E0%A4%A', '%C0%AF') },
  );
  return fc.tuple(fc.tuple(...names.map(param)), fc.constantFrom('', '', '', '/')).map(([values, slash]) => {
    let i = 0;
    return route.path.replace(/\{\w+\}/g, () => values[i++]!) + slash;
  });
}

const identityArb = (route: Route) => (route.auth === 'user'
  ? fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...users) }, { weight: 4, arbitrary: fc.constantFrom(...users.map((u) => `${u}+creator`)) },
    { weight: 1, arbitrary: fc.constantFrom('none', 'garbage') })
  : fc.oneof({ weight: 4, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('user-1', 'garbage') }));

/**
 * Ids a working client of `user` sends a route, by field: what that user can act on there now (their free
 * NFTs to list, others' listings to buy, live auctions of others to bid on, ended ones to settle, ...).
 */
function workingIds(routeId: string, user: string): Record<string, string[]> {
  const now = new Date().toISOString();
  const idsOf = (entity: string, field: string, keep: (i: Record<string, any>) => boolean) =>
    [...new Set(tableItems.filter((i) => i.entity === entity && keep(i)).map((i) => String(i[field])))];
  const liveAuction = (a: Record<string, any>) => !a.settledAt && a.startsAt <= now && a.endsAt > now;
  switch (routeId) {
    case 'createListing': case 'createAuction': return { nftId: idsOf('nft', 'nftId', (n) => n.owner === user && !n.listingId && !n.auctionId) };
    case 'cancelListing': return { listingId: idsOf('listing', 'listingId', (l) => l.status === 'active' && l.seller === user) };
    case 'buyListing': return { listingId: idsOf('listing', 'listingId', (l) => l.status === 'active' && l.seller !== user) };
    case 'createOffer': return { nftId: idsOf('nft', 'nftId', (n) => n.owner !== user), collectionId: idsOf('collection', 'collectionId', () => true) };
    case 'cancelOffer': return { offerId: idsOf('offer', 'offerId', (o) => o.status === 'open' && o.buyer === user) };
    case 'acceptOffer': return { offerId: idsOf('offer', 'offerId', (o) => o.status === 'open' && o.expiresAt > now && o.nftId && o.recipient === user) };
    case 'placeBid': return { auctionId: idsOf('auction', 'auctionId', (a) => liveAuction(a) && a.seller !== user && a.highestBidder !== user) };
    case 'cancelAuction': return { auctionId: idsOf('auction', 'auctionId', (a) => !a.settledAt && a.endsAt > now && a.highestBid === null && a.seller === user) };
    case 'settleAuction': return { auctionId: idsOf('auction', 'auctionId', (a) => !a.settledAt && a.endsAt <= now) };
    case 'createPresale': return { collectionId: idsOf('collection', 'collectionId', (c) => c.creator === user) };
    case 'purchasePresale': {
      return { presaleId: idsOf('presale', 'presaleId', (p) => p.startsAt <= now && p.endsAt > now && (!p.allowlist || p.allowlist.includes(user))) };
    }
    default: return {};
  }
}

/**
 * A request as a working client sends it: the route's method, JSON, a user's token (a creator's where the route
 * wants one), the required body fields and some optional ones, ids that user can act on, and a bid that meets
 * the auction's minimum. So writes get all the way through and state carries into later batches (a listing is
 * bought, an auction bid on and settled), where the hostile requests meet it.
 */
function workingClientArb(route: Route): fc.Arbitrary<RawRequest> {
  return fc.constantFrom(...users).chain((user) => {
    const ids = workingIds(route.id, user);
    const value = (field: string, context: Record<string, string>): fc.Arbitrary<unknown> => {
      if (ids[field]?.length) return fc.constantFrom(...ids[field]!);
      const auction = route.id === 'placeBid' ? tableItems.find((i) => i.entity === 'auction' && i.auctionId === context.auctionId) : undefined;
      if (field === 'amount' && auction) return fc.integer({ min: 0, max: 500 }).map((extra) => minimumNextBid(auction as never) + extra);
      if (field === 'expiresAt' || field === 'endsAt') return fc.oneof(future, soon);
      return plausible(field, user);
    };
    const { bodyFields, requiredBodyFields, queryFields } = shapes.get(route.id)!;
    const names = pathParameterNames(route);
    return fc.tuple(...names.map((name) => value(name, {}))).chain((params) => {
      const context = Object.fromEntries(names.map((name, i) => [name, String(params[i])]));
      const optional = bodyFields.filter((field) => !requiredBodyFields.includes(field));
      // An offer is on an NFT or on a whole collection: one of the two.
      const chooseOptional = route.id === 'createOffer'
        ? fc.constantFrom(['nftId'], ['collectionId'])
        : fc.subarray(optional);
      const body = bodyFields.length === 0 ? fc.constant(route.method === 'GET' ? undefined : '{}') : chooseOptional.chain((chosen) => {
        const fields = [...requiredBodyFields, ...chosen];
        return fc.tuple(...fields.map((field) => value(field, context))).map((values) => toJson(Object.fromEntries(fields.map((f, i) => [f, values[i]]))));
      });
      const query = fc.subarray(queryFields, { maxLength: Math.min(2, queryFields.length) }).chain((chosen) => fc.tuple(...chosen.map((field) => plausible(field, user)))
        .map((values) => chosen.map((field, i) => `${encode(field)}=${encode(Array.isArray(values[i]) ? values[i].join(',') : String(values[i]))}`).join('&')));
      let i = 0;
      return fc.record({
        route: fc.constant(route),
        method: fc.constant<string>(route.method),
        path: fc.constant(route.path.replace(/\{\w+\}/g, () => encode(String(params[i++])))),
        query: route.method === 'GET' ? query : fc.constant(''),
        body,
        contentType: fc.constant('application/json'),
        identity: fc.constant(route.auth === 'public' ? 'none' : ['createCollection', 'createPresale'].includes(route.id) ? `${user}+creator` : user),
        idempotencyKey: fc.uuid() as fc.Arbitrary<string | undefined>,
        extraHeaders: fc.constant({} as Record<string, string>),
      });
    });
  });
}

interface RawRequest {
  route: Route; method: string; path: string; query: string; body: string | undefined; contentType: string;
  identity: string; idempotencyKey: string | undefined; extraHeaders: Record<string, string>;
}

const otherMethods: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const hostileArb = (route: Route): fc.Arbitrary<RawRequest> => identityArb(route).chain((identity) => {
  const user = identity.split('+')[0];
  const acting = users.includes(user!) ? user : undefined;
  return fc.record({
    route: fc.constant(route),
    method: fc.oneof({ weight: 12, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom<string>(...otherMethods, 'OPTIONS', 'HEAD') }),
    path: pathArb(route, acting),
    query: queryArb(route),
    body: bodyArb(route, acting),
    contentType: jsonContentType,
    identity: fc.constant(identity),
    idempotencyKey: fc.oneof(
      { weight: 4, arbitrary: fc.uuid() }, { weight: 2, arbitrary: fc.constantFrom('k-1', 'k-2', 'k-3') },
      { weight: 1, arbitrary: printable(200) }, { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    extraHeaders: fc.dictionary(fc.constantFrom('x-forwarded-for', 'x-user-id', 'x-amzn-oidc-identity', 'origin', 'accept', 'x-api-key', 'cookie',
      'accept-encoding', 'access-control-request-method'), printable(60), { maxKeys: 2 }),
  });
});

/** Two in three requests are hostile; one in three is a working client's, so flows go several steps deep. */
const requestTo = (route: Route): fc.Arbitrary<FuzzRequest> => fc.oneof(
  { weight: 2, arbitrary: hostileArb(route) }, { weight: 1, arbitrary: workingClientArb(route) },
).map(({ route, method, path, query, body, contentType, identity, idempotencyKey, extraHeaders }) => {
  const headers: Record<string, string> = { ...extraHeaders };
  if (identity === 'garbage') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
  else if (identity !== 'none') headers.authorization = `Bearer ${tokens.get(identity)}`;
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  const sendsBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
  if (sendsBody && contentType) headers['content-type'] = contentType;
  const request: FuzzRequest = { route, method, path: query ? `${path}?${query}` : path, body: sendsBody ? body : undefined, headers, identity };
  // fast-check prints counterexamples with this.
  Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });
  return request;
});
const requestArb: fc.Arbitrary<FuzzRequest> = fc.constantFrom(...routes).chain(requestTo);

// ---------- the oracle ----------

interface Outcome { status: number; body: unknown; text: string; headers: Headers }
const tally = {
  requests: 0, byStatus: new Map<number, number>(), byRoute: new Map<string, Map<number, number>>(), accepted: new Map<string, number>(), writesChecked: 0,
};

async function send(request: FuzzRequest): Promise<Outcome> {
  const response = await fetch(`${market.url}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  let body: unknown = undefined;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* judged below */ }
  tally.requests++;
  tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
  const statuses = tally.byRoute.get(request.route.id) ?? new Map<number, number>();
  tally.byRoute.set(request.route.id, statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1));
  return { status: response.status, body, text, headers: response.headers };
}

function describeRequest(request: FuzzRequest): string {
  return `${request.method} ${request.path.slice(0, 300)} as ${request.identity} headers ${JSON.stringify({ ...request.headers, authorization: request.headers.authorization ? '…' : undefined }).slice(0, 300)} body ${String(request.body).slice(0, 300)}`;
}

/** A lone surrogate anywhere in a parsed body: strict JSON parsers (serde_json, Go) reject the whole document. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return /\p{Cs}/u.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => hasLoneSurrogate(k) || hasLoneSurrogate(v));
  return false;
}

function judge(request: FuzzRequest, outcome: Outcome): void {
  const where = `${describeRequest(request)}\n  → ${outcome.status} ${outcome.text.slice(0, 500)}`;
  assert.ok((outcome.status >= 200 && outcome.status < 300) || (outcome.status >= 400 && outcome.status < 500), `not 2xx/4xx: ${where}`);
  if (request.method === 'HEAD') return;
  if (outcome.status === 204 && request.method === 'OPTIONS' && request.headers['access-control-request-method']) return; // CORS preflight
  assert.notEqual(outcome.body, undefined, `not JSON: ${where}`);
  assert.ok(!hasLoneSurrogate(outcome.body), `not JSON a strict parser reads (a lone surrogate): ${where}`);
  if (outcome.status >= 400) {
    const gateway = gatewayAnswers[outcome.status];
    const fromGateway = gateway !== undefined && canonical(outcome.body) === canonical(gateway);
    assert.ok(fromGateway || isErrorShape(outcome.body), `not the error shape: ${where}`);
    assert.doesNotMatch(outcome.text, /node_modules|\bat \S+ \(|Exception|TypeError|ReferenceError/, `leaks internals: ${where}`);
    return;
  }
  if (request.method === request.route.method) {
    const schemas = routeSchemas[request.route.id];
    if (schemas) {
      assert.equal(outcome.status, schemas.status ?? 200, `success status: ${where}`);
      const parsed = schemas.response.safeParse(outcome.body);
      assert.ok(parsed.success, `response does not match ${request.route.id}'s schema: ${where}\n  ${parsed.error?.message.slice(0, 400)}`);
    }
    tally.accepted.set(request.route.id, (tally.accepted.get(request.route.id) ?? 0) + 1);
  }
}

/** Reads run concurrently (and must not change the table); writes run one by one, each checked alone. */
async function runBatch(batch: FuzzRequest[]): Promise<void> {
  const writes = batch.filter((r) => r.route.access === 'write' || r.method !== r.route.method);
  const reads = batch.filter((r) => !writes.includes(r));
  const outcomes = await Promise.all(reads.map(send));
  reads.forEach((request, i) => judge(request, outcomes[i]!));
  if (reads.length > 0) {
    const after = await settledSnapshot(market);
    const diff = snapshotDiff(snapshot, after);
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, `read requests changed the table:\n${reads.map(describeRequest).join('\n')}\n${describeDiff(diff)}`);
  }
  for (const request of writes) {
    const outcome = await send(request);
    judge(request, outcome);
    const after = await settledSnapshot(market);
    if (outcome.status >= 400) {
      const diff = snapshotDiff(snapshot, after);
      assert.ok(diff.added.length === 0 && diff.removed.length === 0, `a rejected write changed the table: ${describeRequest(request)}\n  → ${outcome.status} ${outcome.text.slice(0, 300)}\n${describeDiff(diff)}`);
      tally.writesChecked++;
    }
    snapshot = after;
  }
}

describe('fuzzing every route', () => {
  it('answers random and hostile requests with 2xx, or 4xx in the error shape, and rejected writes change nothing', async () => {
    const started = performance.now();
    const numRuns = Math.ceil(requestsWanted / batchSize);
    console.log(`fuzz: seed ${seed}, ${numRuns} batches of ${batchSize} over ${routes.length} routes (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${requestsWanted})`);
    let firstFailure: string | undefined;
    let resync = true;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb, { minLength: batchSize, maxLength: batchSize }), async (batch) => {
          // After a failure the baseline is taken again (fast-check re-runs smaller cases while shrinking).
          if (resync) snapshot = await settledSnapshot(market);
          resync = false;
          if (snapshot.length > maxTableItems) snapshot = await reseed(snapshot);
          refreshIds(snapshot);
          try {
            await runBatch(batch);
            refreshIds(snapshot); // the next batch is generated from the table as this one left it
          } catch (error) {
            firstFailure ??= (error as Error).message;
            resync = true;
            throw error;
          }
        }),
        { numRuns, seed, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
      );
      // Every route at least once, whatever the draw: one request to each route it missed.
      const missed = routes.filter((route) => !tally.byRoute.has(route.id));
      if (missed.length > 0) {
        snapshot = await settledSnapshot(market);
        refreshIds(snapshot);
        await runBatch(missed.map((route) => fc.sample(requestTo(route), { numRuns: 1, seed })[0]!));
      }
    } finally {
      if (firstFailure) console.log(`fuzz: FIRST FAILURE\n${firstFailure}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`fuzz: ${tally.requests} requests in ${seconds.toFixed(1)} s (${(tally.requests / seconds).toFixed(0)}/s); statuses ${statuses}; ` +
      `${tally.writesChecked} rejected writes checked against a table snapshot; table re-seeded ${resets} times`);
    console.log(`fuzz: statuses per route (2xx = accepted with the route's own method)\n${routes.map((route) => `  ${route.access === 'write' ? 'write' : 'read '} ${route.id.padEnd(18)} `
      + `2xx:${String(tally.accepted.get(route.id) ?? 0).padEnd(4)} ${[...(tally.byRoute.get(route.id) ?? [])].sort(([a], [b]) => a - b).map(([st, n]) => `${st}:${n}`).join(' ')}`).join('\n')}`);
    assert.ok(tally.requests >= requestsWanted, `${tally.requests} requests sent`);
    assert.deepEqual(routes.filter((r) => !tally.byRoute.has(r.id)).map((r) => r.id), [], 'every route was fuzzed');
    const writeRoutes = routes.filter((r) => r.access === 'write');
    const refusedAll = writeRoutes.filter((r) => !tally.accepted.has(r.id)).map((r) => r.id);
    if (requestsWanted >= 600) {
      assert.ok(refusedAll.length <= writeRoutes.length / 3, `most write routes accept something (state carries across batches); none on ${refusedAll.join(', ')}`);
    }
  });
});

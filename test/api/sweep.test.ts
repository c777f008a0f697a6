import assert from 'node:assert/strict';
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { after, before, describe, it } from 'node:test';
import { splitSale } from '../../functions/domain/money.js';
import { tradingConfig } from '../../functions/domain/trading-config.js';
import { routes } from '../../functions/routes.js';
import { lambdaContext } from '../../local/handler-loader.js';
import { apiEvent } from '../reliability/support.js';
import { auditTable, tableSnapshot } from '../support/table-audit.js';
import type { Api } from '../support/contention-scenarios.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { sweepRace } from '../support/sweep-scenarios.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

// Conflict-faithful DynamoDB throughout: overlapping transactions are cancelled as the real service does.
let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace({ seed: null, conflicts: { holdMs: 15 } });
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

const feeBps = tradingConfig().feeBps;
let keyCounter = 0;
const newKey = () => `sweep-key-${++keyCounter}`;
const balanceOf = async (userId: string) => fx.expectStatus(await fx.call(userId, 'GET', '/accounts'), 200).balance as number;
const ownedBy = async (userId: string) =>
  (fx.expectStatus(await fx.call(userId, 'GET', '/nft/my?limit=100'), 200).items as Array<{ nftId: string }>).map((n) => n.nftId).sort();
const sweep = (userId: string, body: unknown, key: string | null = newKey()) =>
  fx.call(userId, 'POST', '/market/sweep', body, key === null ? {} : { 'idempotency-key': key });

/**
 * A fresh collection whose `seller` lists one NFT at each price (cheapest first in `listings`), and keeps `spare`
 * more NFTs of it unlisted for `listMore`.
 */
async function listed(seller: string, prices: number[], spare = 0) {
  const { collectionId, presaleId } = await fx.freshCollection('creator-1', prices.length + spare);
  await fx.topUp(seller, 100 * (prices.length + spare));
  const { nftIds } = fx.expectStatus(await fx.call(seller, 'POST', `/presale/${presaleId}/purchase`, { quantity: prices.length + spare }), 201);
  const listings = await listMore(seller, nftIds.slice(0, prices.length), prices);
  const cheapestFirst = [...listings].sort((a, b) => a.price - b.price || (a.listingId < b.listingId ? -1 : 1));
  return { collectionId, listings: cheapestFirst, spare: nftIds.slice(prices.length) as string[] };
}

async function listMore(seller: string, nftIds: string[], prices: number[]) {
  const listings = [];
  for (const [i, price] of prices.entries()) {
    const listing = fx.expectStatus(await fx.call(seller, 'POST', '/market/listings', { nftId: nftIds[i], price }), 201);
    listings.push({ listingId: listing.listingId as string, nftId: listing.nftId as string, price });
  }
  return listings;
}

const proceedsOf = (prices: number[]) => prices.reduce((sum, price) => sum + splitSale(price, feeBps, 500).proceeds, 0);

describe('POST /market/sweep', () => {
  it('buys the cheapest listings up to maxItems: the buyer pays their sum, sellers get their proceeds, the NFTs move', async () => {
    const { collectionId, listings } = await listed('sweep-seller-1', [500, 300, 700, 300, 900, 1_200]);
    await fx.topUp('sweeper-1', 5_000);
    const sellerBefore = await balanceOf('sweep-seller-1');
    const body = fx.expectStatus(await sweep('sweeper-1', { collectionId, maxItems: 3, maxPricePerItem: 1_000 }), 200);
    const want = listings.slice(0, 3);
    assert.deepEqual(body, { bought: want, skipped: [], spent: 1_100 });
    assert.equal(await balanceOf('sweeper-1'), 5_000 - 1_100);
    assert.equal(await balanceOf('sweep-seller-1'), sellerBefore + proceedsOf([300, 300, 500]));
    assert.deepEqual(await ownedBy('sweeper-1'), want.map((l) => l.nftId).sort());

    // maxPricePerItem stops it: of 700, 900 and 1,200 only 700 is at most 800.
    const second = fx.expectStatus(await sweep('sweeper-1', { collectionId, maxItems: 10, maxPricePerItem: 800 }), 200);
    assert.deepEqual(second, { bought: [listings[3]], skipped: [], spent: 700 });
    assert.equal(await balanceOf('sweeper-1'), 5_000 - 1_800);
    const left = fx.expectStatus(await market.call('POST', '/market/', { body: { collectionId, sort: 'price_asc' } }), 200);
    assert.deepEqual(left.items.map((l: { listingId: string }) => l.listingId), listings.slice(4).map((l) => l.listingId));
  });

  it('with attributes buys only the cheapest listings with those traits (OR within a key, AND across keys)', async () => {
    const traits = [
      { key: 'Background', values: [{ value: 'Red', weight: 1 }, { value: 'Blue', weight: 1 }, { value: 'Green', weight: 1 }] },
      { key: 'Eyes', values: [{ value: 'Laser', weight: 1 }, { value: 'Bored', weight: 1 }] },
    ];
    const { collectionId, presaleId } = await fx.freshCollection('creator-1', 20, traits);
    await fx.topUp('sweep-seller-t', 100 * 20);
    const { nftIds } = fx.expectStatus(await fx.call('sweep-seller-t', 'POST', `/presale/${presaleId}/purchase`, { quantity: 20 }), 201);
    type TraitListing = { listingId: string; nftId: string; price: number; attributes: Array<{ key: string; value: string }> };
    const listings: TraitListing[] = [];
    for (const [i, nftId] of (nftIds as string[]).entries()) {
      const listing = fx.expectStatus(await fx.call('sweep-seller-t', 'POST', '/market/listings', { nftId, price: 100 + ((i * 37) % 50) * 10 }), 201);
      listings.push(listing as TraitListing);
    }
    const has = (l: TraitListing, key: string, values: string[]) => l.attributes.some((a) => a.key === key && values.includes(a.value));
    const eligible = listings.filter((l) => has(l, 'Background', ['Red', 'Blue']) && has(l, 'Eyes', ['Laser']))
      .sort((a, b) => a.price - b.price || (a.listingId < b.listingId ? -1 : 1));
    assert.ok(eligible.length >= 3, `the draw gave ${eligible.length} eligible listings`);
    await fx.topUp('sweeper-t', 100_000);
    const body = fx.expectStatus(await sweep('sweeper-t', {
      collectionId, maxItems: eligible.length - 1, maxPricePerItem: 10_000, attributes: { Background: ['Red', 'Blue'], Eyes: ['Laser'] },
    }), 200);
    const want = eligible.slice(0, -1).map(({ listingId, nftId, price }) => ({ listingId, nftId, price }));
    assert.deepEqual(body, { bought: want, skipped: [], spent: want.reduce((sum, l) => sum + l.price, 0) });
    assert.deepEqual(await ownedBy('sweeper-t'), want.map((l) => l.nftId).sort());
  });

  it('passes over the buyer\'s own listings (OWN_LISTING) and buys the next ones', async () => {
    const { collectionId, listings } = await listed('sweep-seller-2', [200, 400, 600]);
    // The sweeper's own listing at the floor of the same collection: bought from the seller first, listed again.
    await fx.topUp('sweeper-2', 10_000);
    fx.expectStatus(await fx.call('sweeper-2', 'POST', `/market/listings/${listings[0]!.listingId}/buy`), 200);
    const own = fx.expectStatus(await fx.call('sweeper-2', 'POST', '/market/listings', { nftId: listings[0]!.nftId, price: 100 }), 201);
    const before = await balanceOf('sweeper-2');
    const body = fx.expectStatus(await sweep('sweeper-2', { collectionId, maxItems: 5, maxPricePerItem: 1_000 }), 200);
    assert.deepEqual(body, { bought: listings.slice(1), skipped: [{ listingId: own.listingId, reason: 'OWN_LISTING' }], spent: 1_000 });
    assert.equal(await balanceOf('sweeper-2'), before - 1_000);
  });

  it('stops when the money runs out: INSUFFICIENT_FUNDS for the next one, nothing of it written', async () => {
    const { collectionId, listings } = await listed('sweep-seller-3', [400, 400, 450]);
    await fx.topUp('sweeper-3', 1_000);
    const body = fx.expectStatus(await sweep('sweeper-3', { collectionId, maxItems: 3, maxPricePerItem: 1_000 }), 200);
    assert.deepEqual(body, { bought: listings.slice(0, 2), skipped: [{ listingId: listings[2]!.listingId, reason: 'INSUFFICIENT_FUNDS' }], spent: 800 });
    assert.equal(await balanceOf('sweeper-3'), 200);
    const third = fx.expectStatus(await market.call('POST', '/market/', { body: { collectionId } }), 200);
    assert.deepEqual(third.items.map((l: { listingId: string }) => l.listingId), [listings[2]!.listingId]);
  });

  it('a retry with the same key answers the same and buys nothing more; another request under it is 422', async () => {
    const { collectionId, listings, spare } = await listed('sweep-seller-4', [100, 200], 1);
    await fx.topUp('sweeper-4', 10_000);
    const key = newKey();
    const request = { collectionId, maxItems: 2, maxPricePerItem: 1_000 };
    const first = fx.expectStatus(await sweep('sweeper-4', request, key), 200);
    assert.deepEqual(first.bought, listings);
    const balance = await balanceOf('sweeper-4');
    // A cheaper listing appears: a retry must still not buy it.
    await listMore('sweep-seller-4', spare, [50]);
    const again = fx.expectStatus(await sweep('sweeper-4', request, key), 200);
    assert.deepEqual(again, first);
    assert.equal(await balanceOf('sweeper-4'), balance);
    const other = await sweep('sweeper-4', { ...request, maxItems: 1 }, key);
    assert.equal(other.status, 422, JSON.stringify(other.body));
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('a retry after the first attempt left no answer (a timeout) carries on from what it bought, never past maxItems', async () => {
    const { collectionId, listings, spare } = await listed('sweep-seller-5', [100, 200], 2);
    await fx.topUp('sweeper-5', 10_000);
    const key = newKey();
    const request = { collectionId, maxItems: 3, maxPricePerItem: 1_000 };
    const first = fx.expectStatus(await sweep('sweeper-5', request, key), 200);
    assert.deepEqual(first.bought, listings);
    // As if that attempt timed out before Powertools kept its answer: no idempotency record, only the sweep's slots.
    await forgetIdempotencyRecords();
    const more = await listMore('sweep-seller-5', spare, [50, 60]);
    const retried = fx.expectStatus(await sweep('sweeper-5', request, key), 200);
    assert.deepEqual(retried.bought, [more[0], ...listings]);
    assert.equal(retried.spent, 350);
    assert.equal(await balanceOf('sweeper-5'), 10_000 - 350);
    const still = fx.expectStatus(await market.call('POST', '/market/', { body: { collectionId } }), 200);
    assert.deepEqual(still.items.map((l: { listingId: string }) => l.listingId), [more[1]!.listingId]);
    // With no idempotency record left, the slots still tell another request under the key apart: 422, nothing bought.
    await forgetIdempotencyRecords();
    const other = await sweep('sweeper-5', { ...request, maxItems: 4 }, key);
    assert.equal(other.status, 422, JSON.stringify(other.body));
    assert.equal(await balanceOf('sweeper-5'), 10_000 - 350);
  });

  it('out of its invocation\'s time it answers 503 SWEEP_INCOMPLETE, and the same key then carries on', async () => {
    const { collectionId, listings } = await listed('sweep-seller-7', [100, 200]);
    await fx.topUp('sweeper-7', 1_000);
    const key = newKey();
    const request = { collectionId, maxItems: 2, maxPricePerItem: 1_000 };
    // The handler as Lambda runs it, with one second left: less than it keeps in hand, so it starts no buy.
    const route = routes.find((r) => r.id === 'sweepCollection')!;
    const { handler } = await import('../../functions/handlers/market/sweep-collection.js');
    const event = apiEvent(route, {
      headers: { 'idempotency-key': key }, body: JSON.stringify(request),
      authorizer: { jwt: { claims: { sub: 'sweeper-7' }, scopes: [] } },
    });
    const cut = await handler(event, lambdaContext(route.id, 'short', 1_000)) as { statusCode: number; body: string };
    assert.equal(cut.statusCode, 503, cut.body);
    assert.deepEqual(JSON.parse(cut.body).error.details, { bought: 0 });
    assert.equal(await balanceOf('sweeper-7'), 1_000);
    const resent = fx.expectStatus(await sweep('sweeper-7', request, key), 200);
    assert.deepEqual(resent, { bought: listings, skipped: [], spent: 300 });
  });

  it('refuses a sweep without an Idempotency-Key or with bad input, writing nothing', async () => {
    await market.settle();
    const before = await tableSnapshot(market.doc, market.tableName);
    const noKey = await sweep('sweeper-6', { collectionId: 'col-1', maxItems: 1, maxPricePerItem: 100 }, null);
    assert.equal(noKey.status, 400);
    assert.equal(noKey.body.error.code, 'IDEMPOTENCY_KEY_REQUIRED');
    for (const bad of [{ collectionId: 'col-1', maxItems: 0, maxPricePerItem: 100 }, { collectionId: 'col-1', maxItems: 51, maxPricePerItem: 100 },
      { collectionId: 'col-1', maxItems: 1, maxPricePerItem: 0 }, { collectionId: 'col-1', maxItems: 1 }, { collectionId: 'a#b', maxItems: 1, maxPricePerItem: 5 }]) {
      const answer = await sweep('sweeper-6', bad);
      assert.equal(answer.status, 400, JSON.stringify(bad));
    }
    const anonymous = await market.call('POST', '/market/sweep', { body: { collectionId: 'col-1', maxItems: 1, maxPricePerItem: 100 }, headers: { 'idempotency-key': newKey() } });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before);
  });

  it('5 sweepers x 6 racing for 24 listings: none sold twice, each spent what it got, the audit balances', async () => {
    const api: Api = {
      call: (userId, method, path, body, headers = {}, groups) => market.token(userId, groups).then((token) => market.call(method, path, { token, body, headers })),
      get: (path, body) => market.call(body === undefined ? 'GET' : 'POST', path, { body }),
    };
    const conflictsBefore = market.runtime.conflicts!.stats();
    const race = await sweepRace(api, { sweepers: 5, maxItems: 6, listings: 24 });
    const conflicts = market.runtime.conflicts!.stats();
    const bought = race.outcomes.flatMap((o) => o.bought);
    console.log(`5 sweepers x 6 on 24 listings: ${bought.length} bought in ${race.seconds.toFixed(2)} s, `
      + `${conflicts.cancelled - conflictsBefore.cancelled} of ${conflicts.transactions - conflictsBefore.transactions} transactions cancelled by conflicts, `
      + `${race.outcomes.reduce((s, o) => s + o.resent, 0)} sweeps sent again`);
    assert.deepEqual(race.soldTwice, []);
    assert.equal(bought.length, 24, 'demand (30) exceeds supply: every listing is sold');
    for (const outcome of race.outcomes) {
      assert.ok(outcome.bought.length <= 6);
      assert.equal(outcome.spent, outcome.bought.reduce((s, b) => s + b.price, 0));
      assert.equal(await balanceOf(outcome.sweeper), race.balanceEach - outcome.spent);
      assert.deepEqual(await ownedBy(outcome.sweeper), outcome.bought.map((b) => b.nftId).sort());
    }
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });
});

async function forgetIdempotencyRecords() {
  const { Items = [] } = await market.doc.send(new ScanCommand({ TableName: market.idempotencyTableName }));
  for (const item of Items) await market.doc.send(new DeleteCommand({ TableName: market.idempotencyTableName, Key: { id: item.id } }));
}

// How fresh reads are, with the public read cache on as deployed (README, "How fresh reads are"): every list and
// floor answer says when it was read, a cached one keeps that time, a caller that names its own last write
// (minAsOf) sees it at once, and each simulated Lambda environment has its own cache. The cache's age is the
// test's clock (test/support/clock.ts): stopped, a second read is surely within the cache's life, however slow
// the machine; moved past it, surely not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stageConfig } from '../../lib/stage-config.js';
import { clock } from '../support/clock.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';

const deployedTtlMs = stageConfig('staging').publicReadCacheMs;
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market.stop(); });

const as = async (userId: string) => market.token(userId);

function assertReadAt(answer: ApiAnswer, label: string): string {
  assert.equal(answer.status, 200, `${label}: ${JSON.stringify(answer.body)}`);
  const { asOf } = answer.body;
  assert.match(asOf, isoInstant, `${label}: asOf is an ISO instant`);
  assert.ok(Date.parse(asOf) <= Date.now(), `${label}: asOf ${asOf} is not in the future`);
  return asOf;
}

/** Public reads: [method, path, body]. All but the activity feed are cached in Lambda; GETs also at the edge. */
const publicReads: Array<[string, string, unknown?]> = [
  ['POST', '/market/', { collectionId: 'col-1' }], ['GET', '/market?collectionId=col-1'],
  ['POST', '/market/floor', { collectionIds: ['col-1', 'col-2'] }], ['GET', '/market/floor?collectionIds=col-1,col-2'],
  ['GET', '/market/collections'],
  ['POST', '/auctions/', { status: 'ended' }], ['GET', '/auctions?status=ended'],
  ['POST', '/presale/', { status: 'upcoming' }], ['GET', '/presale?status=upcoming'],
];

/** The seller's NFT that is neither listed nor auctioned. */
async function unlistedNft(token: string): Promise<{ nftId: string; collectionId: string }> {
  const owned = await market.call('GET', '/nft/my?limit=100', { token });
  const nft = owned.body.items.find((n: { listingId: string | null; auctionId: string | null }) => !n.listingId && !n.auctionId);
  assert.ok(nft, 'the seed gives the seller an unlisted NFT');
  return nft;
}

describe('how fresh reads are (the deployed read cache on)', () => {
  it('runs the API with the deployed stages\' public read cache', () => {
    assert.ok(deployedTtlMs > 0);
    assert.equal(market.runtime.environments.publicReadCacheMs, deployedTtlMs);
  });

  it('says in every public list, floor and stats answer when it was read, and a cached answer keeps that asOf', async () => {
    for (const [method, path, body] of publicReads) {
      const label = `${method} ${path}`;
      const firstAsOf = await clock.stopped(async () => {
        const first = assertReadAt(await market.call(method, path, { body }), label);
        clock.advance(deployedTtlMs - 1);
        // Served by the same warm environment: the cached answer, with the time it was read, while it lives.
        assert.equal(assertReadAt(await market.call(method, path, { body }), label), first, `${label}: a cached answer keeps its asOf`);
        return first;
      });
      clock.advance(1);
      assert.ok(assertReadAt(await market.call(method, path, { body }), label) > firstAsOf, `${label}: read again once the cache's life is over`);
    }
    await clock.stopped(async () => {
      const activity = assertReadAt(await market.call('GET', '/market/activity'), 'activity');
      clock.advance(1);
      assert.ok(assertReadAt(await market.call('GET', '/market/activity'), 'activity') > activity, 'the activity feed is not cached in Lambda');
    });
  });

  it('says when the caller\'s own lists were read, and never caches them: a top-up shows at once', async () => {
    const token = await as('fresh-topper');
    for (const path of ['/nft/my', '/offers/my', '/users/balance-topups']) assertReadAt(await market.call('GET', path, { token }), path);
    const before = await market.call('GET', '/users/balance-topups', { token });
    const topup = await market.call('POST', '/users/balance-topups', { token, body: { amount: 700 }, headers: { 'idempotency-key': 'fresh-1' } });
    assert.equal(topup.status, 201);
    const afterwards = await market.call('GET', '/users/balance-topups', { token });
    assert.deepEqual(afterwards.body.items.map((t: { topupId: string }) => t.topupId), [topup.body.topupId, ...before.body.items.map((t: { topupId: string }) => t.topupId)]);
    assert.ok(afterwards.body.asOf >= topup.body.createdAt);
  });

  it('shows a seller their new listing and their cancellation at once when they name the write (minAsOf)', async () => {
    const seller = await as('user-1');
    const { nftId, collectionId } = await unlistedNft(seller);
    const page = (minAsOf?: string) => market.call('POST', '/market/', { body: { collectionId, sort: 'newest', minAsOf } });
    const edgePage = (minAsOf: string) => market.call('GET', `/market?collectionId=${collectionId}&sort=newest&minAsOf=${minAsOf}`);
    const ids = (answer: ApiAnswer) => answer.body.items.map((l: { listingId: string }) => l.listingId);
    const { warm, listed, unnamed, named } = await clock.stopped(async () => {
      const warm = await page();
      clock.advance(1);
      const listed = await market.call('POST', '/market/listings', { token: seller, body: { nftId, price: 4_321 } });
      return { warm, listed, unnamed: await page(), named: await page(listed.body.listedAt) };
    });
    assert.equal(listed.status, 201);
    // The cache is on: a reader who does not name the write gets the page read before it.
    assert.equal(unnamed.body.asOf, warm.body.asOf);
    assert.ok(!ids(unnamed).includes(listed.body.listingId));
    assert.ok(ids(named).includes(listed.body.listingId), 'the seller sees the new listing');
    assert.ok(named.body.asOf >= listed.body.listedAt);
    assert.ok(ids(await edgePage(listed.body.listedAt)).includes(listed.body.listingId), 'the GET twin too');

    const cancelled = await market.call('DELETE', `/market/listings/${listed.body.listingId}`, { token: seller });
    assert.equal(cancelled.status, 200);
    assert.match(cancelled.body.cancelledAt, isoInstant);
    assert.ok(!ids(await page(cancelled.body.cancelledAt)).includes(listed.body.listingId), 'the seller sees it gone');
    assert.ok(!ids(await edgePage(cancelled.body.cancelledAt)).includes(listed.body.listingId), 'the GET twin too');
  });

  it('shows a buyer their purchase at once: gone from the market (minAsOf), theirs in /nft/my, paid from /accounts', async () => {
    const seller = await as('user-2');
    const buyer = await as('fresh-buyer');
    const { nftId, collectionId } = await unlistedNft(seller);
    const listed = await market.call('POST', '/market/listings', { token: seller, body: { nftId, price: 1_234 } });
    const page = (minAsOf?: string) => market.call('POST', '/market/', { body: { collectionId, sort: 'price_asc', minAsOf } });
    const shows = (answer: ApiAnswer) => answer.body.items.some((l: { listingId: string }) => l.listingId === listed.body.listingId);
    await market.call('POST', '/users/balance-topups', { token: buyer, body: { amount: 2_000 }, headers: { 'idempotency-key': 'fresh-buy' } });
    // Warm, as a busy stage's functions are: the buy function loaded, the market page cached.
    assert.equal((await market.call('POST', '/market/listings/no-such-listing/buy', { token: buyer })).status, 404);
    const { warm, sale, unnamed, named } = await clock.stopped(async () => {
      const warm = await page(listed.body.listedAt);
      clock.advance(1);
      const sale = await market.call('POST', `/market/listings/${listed.body.listingId}/buy`, { token: buyer });
      return { warm, sale, unnamed: await page(), named: await page(sale.body.soldAt) };
    });
    assert.ok(shows(warm));
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    assert.ok(shows(unnamed), 'without minAsOf the cached page still shows it');
    assert.ok(!shows(named), 'the buyer sees the sold listing gone');
    const owned = await market.call('GET', `/nft/my?collectionId=${collectionId}`, { token: buyer });
    assert.deepEqual(owned.body.items.map((n: { nftId: string }) => n.nftId), [nftId]);
    assert.equal((await market.call('GET', '/accounts', { token: buyer })).body.balance, 2_000 - 1_234);
  });

  it('serves requests in flight together from separate Lambda environments, each with its own cache', async () => {
    const environments = market.runtime.environments;
    environments.reset(deployedTtlMs);
    // Each invocation waits, inside its environment, until all 8 are in flight: then they surely overlap.
    const run = environments.run;
    let inFlight = 0;
    let allIn!: () => void;
    const together = new Promise<void>((resolve) => { allIn = resolve; });
    environments.run = (fn, invoke) => run(fn, async () => {
      if (++inFlight === 8) allIn();
      await together;
      return invoke();
    });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => market.call('GET', '/market/collections?limit=3')));
      answers.forEach((answer) => assertReadAt(answer, 'collections'));
    } finally {
      environments.run = run;
    }
    assert.deepEqual(environments.started(), { listCollections: 8 }, 'one environment per request in flight');
    const [cached, again] = await clock.stopped(async () => [
      await market.call('GET', '/market/collections?limit=3'), await market.call('GET', '/market/collections?limit=3'),
    ]);
    assert.equal(again.body.asOf, cached.body.asOf, 'a warm environment and its cache');
    assert.deepEqual(environments.started(), { listCollections: 8 }, 'one request at a time reuses a warm environment');
  });
});

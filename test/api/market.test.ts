import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as responses from '../../functions/schemas/responses.js';
import { testSeedSize } from '../../local/seed.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

type Listing = { listingId: string; collectionId: string; price: number; listedAt: string; nftId: string };

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market.stop(); });

const withoutAsOf = ({ asOf: _asOf, ...rest }: Record<string, unknown>) => rest;

const allListings = (body: Record<string, unknown>) =>
  collectAllPages<Listing>((cursor) => market.call('POST', '/market/', { body: { ...body, cursor } }), (l) => l.listingId);

describe('POST /market/', () => {
  it('answers the seed path with active listings, newest first, with NFT name and image', async () => {
    const answer = await market.call('POST', '/market/', { body: {} });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    responses.page(responses.listing).parse(answer.body);
    assert.equal(answer.body.items.length, 20, 'default page size is 20');
    const times = answer.body.items.map((l: Listing) => l.listedAt);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  it('accepts no body at all', async () => {
    const answer = await market.call('POST', '/market/');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.items.length, 20);
  });

  it('pages through every active listing with no duplicate and no gap', async () => {
    const { items, pages } = await allListings({ limit: 7 });
    assert.equal(items.length, testSeedSize.listings);
    assert.equal(pages, Math.ceil(testSeedSize.listings / 7));
  });

  for (const sort of ['price_asc', 'price_desc'] as const) {
    it(`sorts by ${sort} across pages`, async () => {
      const { items } = await allListings({ sort, limit: 25 });
      assert.equal(items.length, testSeedSize.listings);
      const prices = items.map((l) => l.price);
      const sorted = [...prices].sort((a, b) => (sort === 'price_asc' ? a - b : b - a));
      assert.deepEqual(prices, sorted);
    });
  }

  it('filters by collection and price range, in every sort order', async () => {
    const everything = (await allListings({ limit: 100 })).items;
    const [minPrice, maxPrice] = [500_000, 3_000_000];
    const expected = everything
      .filter((l) => l.collectionId === 'col-2' && l.price >= minPrice && l.price <= maxPrice)
      .map((l) => l.listingId).sort();
    assert.ok(expected.length > 3, 'the seed has listings in range');
    for (const sort of ['newest', 'price_asc', 'price_desc']) {
      const { items } = await allListings({ collectionId: 'col-2', minPrice, maxPrice, sort, limit: 4 });
      assert.deepEqual(items.map((l) => l.listingId).sort(), expected, sort);
    }
  });

  it('filters by price alone over the whole market', async () => {
    const everything = (await allListings({ limit: 100 })).items;
    const expected = everything.filter((l) => l.price <= 100_000).map((l) => l.listingId).sort();
    const { items } = await allListings({ maxPrice: 100_000, limit: 10 });
    assert.deepEqual(items.map((l) => l.listingId).sort(), expected);
  });

  it('has a cacheable GET twin with the same results', async () => {
    const post = await market.call('POST', '/market/', { body: { collectionId: 'col-1', sort: 'price_asc', limit: 5 } });
    const get = await market.call('GET', '/market?collectionId=col-1&sort=price_asc&limit=5');
    assert.equal(get.status, 200);
    // Twins are separate Lambda functions: each answer says when it was read.
    assert.deepEqual(withoutAsOf(get.body), withoutAsOf(post.body));
    assert.equal(get.headers.get('cache-control'), 'public, max-age=5, stale-while-revalidate=30');
    const withSlash = await market.call('GET', '/market/?collectionId=col-1&sort=price_asc&limit=5');
    assert.deepEqual(withoutAsOf(withSlash.body), withoutAsOf(post.body));
  });

  it('rejects bad filters with 400 and the error shape', async () => {
    for (const body of [
      { limit: 0 }, { limit: 101 }, { limit: 2.5 }, { minPrice: -1 }, { maxPrice: 1.5 }, { sort: 'cheapest' },
      { minPrice: 10, maxPrice: 5 }, { collectionId: 'a#b' }, { minPrice: '100' },
    ]) {
      const answer = await market.call('POST', '/market/', { body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
      assert.ok(Array.isArray(answer.body.error.details));
    }
    const get = await market.call('GET', '/market?limit=abc');
    assert.equal(get.status, 400);
  });
});

describe('floor prices', () => {
  it('equals the cheapest active listing of each collection, in request order', async () => {
    const everything = (await allListings({ limit: 100 })).items;
    const ids = Array.from({ length: testSeedSize.collections }, (_, i) => `col-${i + 1}`).reverse();
    const answer = await market.call('POST', '/market/floor', { body: { collectionIds: [...ids, 'col-unknown'] } });
    assert.equal(answer.status, 200);
    responses.floors.parse(answer.body);
    assert.deepEqual(answer.body.floors.map((f: { collectionId: string }) => f.collectionId), [...ids, 'col-unknown']);
    for (const floor of answer.body.floors) {
      const listed = everything.filter((l) => l.collectionId === floor.collectionId);
      if (listed.length === 0) {
        assert.deepEqual(floor, { collectionId: floor.collectionId, floorPrice: null, listingId: null, floorAsOf: floor.floorAsOf });
        continue;
      }
      const cheapest = Math.min(...listed.map((l) => l.price));
      assert.equal(floor.floorPrice, cheapest, floor.collectionId);
      assert.equal(listed.find((l) => l.listingId === floor.listingId)?.price, cheapest);
      assert.ok(floor.floorAsOf, 'a seeded floor says when the aggregator set it');
    }
  });

  it('has a cacheable GET twin', async () => {
    const post = await market.call('POST', '/market/floor', { body: { collectionIds: ['col-1', 'col-2'] } });
    const get = await market.call('GET', '/market/floor?collectionIds=col-1,col-2');
    assert.equal(get.status, 200);
    assert.deepEqual(withoutAsOf(get.body), withoutAsOf(post.body));
    assert.match(get.headers.get('cache-control') ?? '', /^public, max-age=\d+, stale-while-revalidate=\d+$/);
  });

  it('rejects an empty, oversized or malformed list', async () => {
    for (const body of [{}, { collectionIds: [] }, { collectionIds: Array.from({ length: 51 }, (_, i) => `c${i}`) }, { collectionIds: 'col-1' }, { collectionIds: [1] }]) {
      const answer = await market.call('POST', '/market/floor', { body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
    }
  });
});

describe('GET /market/collections', () => {
  it('lists every collection with stats that match the listings', async () => {
    const everything = (await allListings({ limit: 100 })).items;
    const { items } = await collectAllPages<any>((cursor) =>
      market.call('GET', `/market/collections?limit=2${cursor ? `&cursor=${cursor}` : ''}`), (c) => c.collectionId);
    assert.equal(items.length, testSeedSize.collections);
    for (const collection of items) {
      responses.collection.parse(collection);
      const listed = everything.filter((l) => l.collectionId === collection.collectionId);
      assert.equal(collection.stats.listedCount, listed.length);
      assert.equal(collection.stats.floorPrice, listed.length ? Math.min(...listed.map((l) => l.price)) : null);
      assert.ok(collection.stats.owners > 0);
    }
    const answer = await market.call('GET', '/market/collections/');
    assert.equal(answer.headers.get('cache-control'), 'public, max-age=30, stale-while-revalidate=120');
  });
});

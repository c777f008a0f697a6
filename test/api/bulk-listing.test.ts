import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routes } from '../../functions/routes.js';
import { lambdaContext } from '../../local/handler-loader.js';
import { apiEvent } from '../reliability/support.js';
import { auditTable, tableSnapshot } from '../support/table-audit.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace({ seed: null });
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

/** `count` NFTs of a fresh collection, minted to `owner`. */
async function nftsOf(owner: string, count: number): Promise<{ collectionId: string; nftIds: string[] }> {
  const { collectionId, presaleId } = await fx.freshCollection('creator-1', count);
  await fx.topUp(owner, 100 * count);
  const { nftIds } = fx.expectStatus(await fx.call(owner, 'POST', `/presale/${presaleId}/purchase`, { quantity: count }), 201);
  return { collectionId, nftIds };
}

const activeIn = async (collectionId: string) =>
  (fx.expectStatus(await market.call('POST', '/market/', { body: { collectionId, sort: 'price_asc', limit: 100 } }), 200).items as Array<{ listingId: string; nftId: string; price: number }>);
const myNfts = async (userId: string, collectionId: string) =>
  new Map((fx.expectStatus(await fx.call(userId, 'GET', `/nft/my?collectionId=${collectionId}&limit=100`), 200).items as Array<{ nftId: string; listingId: string | null }>)
    .map((n) => [n.nftId, n.listingId]));
const codes = (results: Array<{ status?: string; error?: { code: string } }>) => results.map((r) => r.status ?? r.error!.code);

describe('POST /market/listings/batch', () => {
  it('lists each NFT it can and says why for each one it cannot; a repeat in the batch is refused, the first kept', async () => {
    const { collectionId, nftIds: [a, b, c, listedBefore] } = await nftsOf('batch-seller-1', 4);
    const { nftIds: [othersNft] } = await nftsOf('batch-other-1', 1);
    fx.expectStatus(await fx.call('batch-seller-1', 'POST', '/market/listings', { nftId: listedBefore, price: 900 }), 201);
    const { results } = fx.expectStatus(await fx.call('batch-seller-1', 'POST', '/market/listings/batch', {
      items: [{ nftId: a, price: 500 }, { nftId: b, price: 600 }, { nftId: a, price: 700 }, { nftId: othersNft, price: 100 },
        { nftId: c, price: 800 }, { nftId: 'no-such-nft', price: 100 }, { nftId: listedBefore, price: 50 }],
    }), 200);
    assert.deepEqual(codes(results), ['created', 'created', 'DUPLICATE_ITEM', 'NOT_OWNER', 'created', 'NFT_NOT_FOUND', 'NFT_UNAVAILABLE']);
    assert.deepEqual(results.map((r: { nftId: string }) => r.nftId), [a, b, a, othersNft, c, 'no-such-nft', listedBefore]);
    assert.deepEqual(results[0].listing, { ...results[0].listing, nftId: a, collectionId, seller: 'batch-seller-1', price: 500 });

    const active = await activeIn(collectionId);
    assert.deepEqual(active.map((l) => [l.nftId, l.price]), [[a, 500], [b, 600], [c, 800], [listedBefore, 900]]);
    const owned = await myNfts('batch-seller-1', collectionId);
    for (const r of results.filter((x: { status?: string }) => x.status)) assert.equal(owned.get(r.nftId), r.listing.listingId);
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });

  it('with an Idempotency-Key a retried batch answers the same listings and lists nothing twice', async () => {
    const { collectionId, nftIds } = await nftsOf('batch-seller-2', 3);
    const body = { items: nftIds.map((nftId, i) => ({ nftId, price: 1_000 + i })) };
    const headers = { 'idempotency-key': 'batch-key-1' };
    const first = fx.expectStatus(await fx.call('batch-seller-2', 'POST', '/market/listings/batch', body, headers), 200);
    assert.deepEqual(codes(first.results), ['created', 'created', 'created']);
    const again = fx.expectStatus(await fx.call('batch-seller-2', 'POST', '/market/listings/batch', body, headers), 200);
    assert.deepEqual(again, first);
    assert.equal((await activeIn(collectionId)).length, 3);
    // Without the key it is a new request: each NFT is listed already.
    const fresh = fx.expectStatus(await fx.call('batch-seller-2', 'POST', '/market/listings/batch', body), 200);
    assert.deepEqual(codes(fresh.results), ['NFT_UNAVAILABLE', 'NFT_UNAVAILABLE', 'NFT_UNAVAILABLE']);
    // The same key with another batch (another price, fewer items, other NFTs): another request, refused whole.
    const { collectionId: otherCollection, nftIds: others } = await nftsOf('batch-seller-2', 1);
    for (const items of [[body.items[0], { ...body.items[1]!, price: 5 }], body.items.slice(0, 2), [{ nftId: others[0]!, price: 7 }]]) {
      const reused = await fx.call('batch-seller-2', 'POST', '/market/listings/batch', { items }, headers);
      assert.deepEqual([reused.status, reused.body.error?.code], [422, 'IDEMPOTENCY_KEY_REUSED'], JSON.stringify(reused.body));
    }
    assert.deepEqual((await activeIn(collectionId)).map((l) => l.price), [1_000, 1_001, 1_002]);
    assert.equal((await myNfts('batch-seller-2', otherCollection)).get(others[0]!), null, 'the other NFT is not listed');
    // The key is the caller's own: another user may use it.
    const { nftIds: theirs } = await nftsOf('batch-seller-4', 1);
    fx.expectStatus(await fx.call('batch-seller-4', 'POST', '/market/listings/batch', { items: [{ nftId: theirs[0]!, price: 9 }] }, headers), 200);
  });

  it('lists 50 NFTs in one request (what a slow moment leaves NOT_TRIED, a resend lists)', async () => {
    // A wallet mints at most 20 of a presale: three collections' worth.
    const minted = await Promise.all([20, 20, 10].map((count) => nftsOf('batch-seller-3', count)));
    let items = minted.flatMap((m) => m.nftIds).map((nftId, i) => ({ nftId, price: 2_000 + i }));
    for (let round = 1; items.length > 0; round++) {
      assert.ok(round <= 5, 'five rounds list them all');
      const started = performance.now();
      const { results } = fx.expectStatus(await fx.call('batch-seller-3', 'POST', '/market/listings/batch', { items }), 200);
      const notTried = new Set(results.filter((r: { error?: { code: string } }) => r.error?.code === 'NOT_TRIED').map((r: { nftId: string }) => r.nftId));
      console.log(`batch of ${items.length} listings: ${(performance.now() - started).toFixed(0)} ms, ${notTried.size} not tried`);
      assert.deepEqual(codes(results).filter((c) => c !== 'NOT_TRIED'), codes(results).filter((c) => c === 'created'));
      items = items.filter((item) => notTried.has(item.nftId));
    }
    assert.deepEqual(await Promise.all(minted.map(async (m) => (await activeIn(m.collectionId)).length)), [20, 20, 10]);
  });

  it('out of its invocation\'s time it starts no more items (NOT_TRIED; none tried: 503), nothing of them written', async () => {
    const { collectionId, nftIds } = await nftsOf('batch-seller-7', 2);
    const route = routes.find((r) => r.id === 'createListingsBatch')!;
    const { handler } = await import('../../functions/handlers/listings/create-listings-batch.js');
    const event = apiEvent(route, {
      body: JSON.stringify({ items: nftIds.map((nftId) => ({ nftId, price: 100 })) }),
      authorizer: { jwt: { claims: { sub: 'batch-seller-7' }, scopes: [] } },
    });
    // Less time left than a batch keeps in hand: it answers at once; with no item tried, the batch as a whole is 503.
    const answer = await handler(event, lambdaContext(route.id, 'short', 1_500)) as { statusCode: number; body: string };
    assert.equal(answer.statusCode, 503, answer.body);
    assert.equal(JSON.parse(answer.body).error.code, 'NOT_TRIED');
    assert.deepEqual(await activeIn(collectionId), []);
  });

  it('refuses a malformed batch whole (400, 401), writing nothing', async () => {
    await market.settle();
    const before = await tableSnapshot(market.doc, market.tableName);
    const item = { nftId: 'nft-x', price: 100 };
    for (const body of [{ items: [] }, { items: Array.from({ length: 51 }, (_, i) => ({ nftId: `n-${i}`, price: 1 })) },
      { items: [{ ...item, price: 0 }] }, { items: [{ ...item, seller: 'someone' }] }, { items: [item], extra: 1 }, {}]) {
      const answer = await fx.call('batch-seller-4', 'POST', '/market/listings/batch', body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await market.call('POST', '/market/listings/batch', { body: { items: [item] } })).status, 401);
    assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before);
  });
});

describe('POST /market/listings/cancel-batch', () => {
  it('cancels each of the caller\'s listings and says why for each other one', async () => {
    const { collectionId, nftIds } = await nftsOf('batch-seller-5', 3);
    const { results: created } = fx.expectStatus(await fx.call('batch-seller-5', 'POST', '/market/listings/batch', {
      items: nftIds.map((nftId, i) => ({ nftId, price: 300 + i })),
    }), 200);
    const [l1, l2, l3] = created.map((r: { listing: { listingId: string } }) => r.listing.listingId);
    const { nftIds: [othersNft] } = await nftsOf('batch-other-5', 1);
    const others = fx.expectStatus(await fx.call('batch-other-5', 'POST', '/market/listings', { nftId: othersNft, price: 100 }), 201);
    fx.expectStatus(await fx.call('batch-seller-5', 'DELETE', `/market/listings/${l3}`), 200);

    const { results } = fx.expectStatus(await fx.call('batch-seller-5', 'POST', '/market/listings/cancel-batch', {
      listingIds: [l1, l2, l1, others.listingId, 'no-such-listing', l3],
    }), 200);
    assert.deepEqual(codes(results), ['cancelled', 'cancelled', 'DUPLICATE_ITEM', 'NOT_SELLER', 'LISTING_NOT_FOUND', 'LISTING_UNAVAILABLE']);
    assert.deepEqual(results.map((r: { listingId: string }) => r.listingId), [l1, l2, l1, others.listingId, 'no-such-listing', l3]);
    assert.match(results[0].cancelledAt, /^\d{4}-/);
    assert.deepEqual(await activeIn(collectionId), []);
    assert.deepEqual([...(await myNfts('batch-seller-5', collectionId)).values()], [null, null, null]);
    // Another user's listing is untouched.
    assert.equal((await activeIn(others.collectionId)).length, 1);
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });

  it('refuses a malformed batch whole (400, 401)', async () => {
    for (const body of [{ listingIds: [] }, { listingIds: Array.from({ length: 51 }, (_, i) => `l-${i}`) }, { listingIds: ['a#b'] }, { listingIds: 'l-1' }]) {
      const answer = await fx.call('batch-seller-6', 'POST', '/market/listings/cancel-batch', body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
    }
    assert.equal((await market.call('POST', '/market/listings/cancel-batch', { body: { listingIds: ['l-1'] } })).status, 401);
  });
});

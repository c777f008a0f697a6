import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/data/keys.js';
import { bucketStart } from '../../functions/domain/market-history.js';
import { jobInvocation } from '../support/job-context.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { auditTable } from '../support/table-audit.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

// Depth, history, holders and the stats windows of one fresh collection, after real trades; stream records are
// delivered twice now and then, so whatever the aggregator counts must count once.
let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
let collectionId: string;
const nfts: string[] = [];
const listings: string[] = [];
let soldAt: string;

before(async () => {
  market = await startTestMarketplace({ streams: { batchingWindowMs: 50, duplicates: 0.3 } });
  fx = tradingFixtures(market);
  const fresh = await fx.freshCollection('analytics-creator', 10);
  collectionId = fresh.collectionId;
  for (let i = 0; i < 4; i++) nfts.push(await fx.mint(fresh.presaleId, 'analytics-alice'));
  nfts.push(await fx.mint(fresh.presaleId, 'analytics-bob'));
});
after(async () => { await market.stop(); });

/** A public read made after everything the stream has to aggregate so far (`minAsOf`: not from a cache). */
async function read(path: string): Promise<any> {
  const settled = await market.settle();
  return fx.expectStatus(await market.call('GET', `${path}${path.includes('?') ? '&' : '?'}minAsOf=${settled}`), 200);
}

const list = async (seller: string, nftId: string, price: number) => {
  listings.push(fx.expectStatus(await fx.call(seller, 'POST', '/market/listings', { nftId, price }), 201).listingId);
};
const collectionOffer = async (buyer: string, amount: number) => {
  await fx.topUp(buyer, amount);
  return fx.expectStatus(await fx.call(buyer, 'POST', '/offers', { collectionId, amount, expiresAt: inFuture(3_600_000) }), 201);
};

describe('GET /market/collections/{id}/holders', () => {
  it('ranks holders by NFTs held and keeps the distribution, exactly, through mints', async () => {
    const body = await read(`/market/collections/${collectionId}/holders`);
    assert.deepEqual(body.holders, [
      { userId: 'analytics-alice', quantity: 4, share: 0.8 }, { userId: 'analytics-bob', quantity: 1, share: 0.2 },
    ]);
    assert.deepEqual(body.distribution, [
      { tokens: '1', holders: 1 }, { tokens: '2-3', holders: 0 }, { tokens: '4-10', holders: 1 },
      { tokens: '11-25', holders: 0 }, { tokens: '26-50', holders: 0 }, { tokens: '51+', holders: 0 },
    ]);
    assert.equal(body.owners, 2);
    assert.equal(body.supply, 5);
    assert.deepEqual((await read(`/market/collections/${collectionId}/holders?limit=1`)).holders.map((h: any) => h.userId), ['analytics-alice']);
  });

  it('answers an unknown collection with nobody, and refuses a bad limit', async () => {
    const body = await read('/market/collections/no-such-collection/holders');
    assert.deepEqual([body.holders, body.owners, body.supply], [[], 0, 0]);
    assert.equal((await market.call('GET', `/market/collections/${collectionId}/holders?limit=0`)).status, 400);
  });
});

describe('GET /market/collections/{id}/depth', () => {
  it('groups listings into price levels, cheapest first, with running totals', async () => {
    await list('analytics-alice', nfts[0]!, 500);
    await list('analytics-alice', nfts[1]!, 500);
    await list('analytics-alice', nfts[2]!, 700);
    await list('analytics-bob', nfts[4]!, 600);
    const body = await read(`/market/collections/${collectionId}/depth?side=listings`);
    assert.deepEqual(body.levels, [{ price: 500, count: 2, total: 2 }, { price: 600, count: 1, total: 3 }, { price: 700, count: 1, total: 4 }]);
    assert.deepEqual([body.side, body.orders, body.complete, body.maxOrders], ['listings', 4, true, 1000]);
    const cut = await read(`/market/collections/${collectionId}/depth?side=listings&levels=2`);
    assert.deepEqual([cut.levels.length, cut.complete], [2, false]);
  });

  it('groups open collection offers, highest first; a cancelled one leaves its level', async () => {
    await collectionOffer('analytics-carol', 300);
    const dave = await collectionOffer('analytics-dave', 300);
    await collectionOffer('analytics-erin', 200);
    const body = await read(`/market/collections/${collectionId}/depth?side=offers`);
    assert.deepEqual(body.levels, [{ price: 300, count: 2, total: 2 }, { price: 200, count: 1, total: 3 }]);
    fx.expectStatus(await fx.call('analytics-dave', 'DELETE', `/offers/${dave.offerId}`), 200);
    assert.deepEqual((await read(`/market/collections/${collectionId}/depth?side=offers`)).levels, [{ price: 300, count: 1, total: 1 }, { price: 200, count: 1, total: 2 }]);
  });

  it('refuses an unknown side', async () => {
    assert.equal((await market.call('GET', `/market/collections/${collectionId}/depth?side=bids`)).status, 400);
  });
});

describe('after a sale', () => {
  before(async () => {
    await fx.topUp('analytics-bob', 500);
    soldAt = fx.expectStatus(await fx.call('analytics-bob', 'POST', `/market/listings/${listings[0]}/buy`), 200).soldAt;
  });

  it('depth, holders and distribution follow', async () => {
    assert.deepEqual((await read(`/market/collections/${collectionId}/depth`)).levels[0], { price: 500, count: 1, total: 1 });
    const body = await read(`/market/collections/${collectionId}/holders`);
    assert.deepEqual(body.holders.map((h: any) => [h.userId, h.quantity, h.share]), [['analytics-alice', 3, 0.6], ['analytics-bob', 2, 0.4]]);
    assert.deepEqual(body.distribution.map((d: any) => d.holders), [0, 2, 0, 0, 0, 0], 'alice 4 -> 3 and bob 1 -> 2: both in 2-3');
  });

  it('the history counts it once in its hour and its day, with the floor read after it', async () => {
    const hourly = await read(`/market/collections/${collectionId}/history?interval=1h`);
    assert.equal(hourly.interval, '1h');
    assert.equal(hourly.points.length, 25, 'the default: the last 24 hours and the current one');
    const hour = hourly.points.find((p: any) => p.t === bucketStart('1h', Date.parse(soldAt)));
    assert.deepEqual(hour, { t: bucketStart('1h', Date.parse(soldAt)), floor: 500, volume: 500, sales: 1 });
    assert.equal(hourly.points.reduce((sum: number, p: any) => sum + p.sales, 0), 1);
    assert.equal(hourly.points[0].floor, null, 'no floor before the collection had listings');
    const daily = await read(`/market/collections/${collectionId}/history?interval=1d&from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`);
    assert.equal(daily.points.length, 8);
    assert.deepEqual(daily.points.find((p: any) => p.t === bucketStart('1d', Date.parse(soldAt))), { t: bucketStart('1d', Date.parse(soldAt)), floor: 500, volume: 500, sales: 1 });
  });

  it('refuses ranges past the limits', async () => {
    const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const tooLong = await market.call('GET', `/market/collections/${collectionId}/history?interval=1h&from=${from}`);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.error.code, 'VALIDATION_FAILED');
    assert.equal((await market.call('GET', `/market/collections/${collectionId}/history?interval=1d&from=${inFuture(86_400_000)}`)).status, 400);
    assert.equal((await market.call('GET', `/market/collections/${collectionId}/history?interval=5m`)).status, 400);
  });

  it('the collection stats carry the 1d, 7d, 30d and all-time windows', async () => {
    const body = await read('/market/collections?limit=100');
    const stats = body.items.find((c: any) => c.collectionId === collectionId).stats;
    const once = { volume: 500, sales: 1, volumeChange: null, salesChange: null };
    assert.deepEqual(stats.windows, { '1d': once, '7d': once, '30d': once, all: once });
    assert.ok(stats.windowsAsOf >= soldAt, `${stats.windowsAsOf} after the sale`);
  });

  it('the hourly job recomputes the windows and records floors in buckets nothing else wrote', async () => {
    const hour = keys.historyBucket(collectionId, '1h', bucketStart('1h', Date.now()));
    await market.settle();
    await market.doc.send(new UpdateCommand({ TableName: market.tableName, Key: hour, UpdateExpression: 'REMOVE #floor, floorAsOf', ExpressionAttributeNames: { '#floor': 'floor' } }));
    const before = (await read('/market/collections?limit=100')).items.find((c: any) => c.collectionId === collectionId).stats;
    // Imported once the runtime has set the handlers' environment, as the gateway loads them.
    const { handler } = await import('../../functions/handlers/jobs/refresh-market-windows.js');
    const result = await handler(...jobInvocation('refreshMarketWindows'));
    assert.deepEqual(result.failed, []);
    assert.ok(result.windowsRefreshed >= 1 && result.floorsRecorded >= 1);
    const bucket = (await market.doc.send(new GetCommand({ TableName: market.tableName, Key: hour }))).Item;
    assert.equal(bucket?.floor, 500);
    const after = (await read('/market/collections?limit=100')).items.find((c: any) => c.collectionId === collectionId).stats;
    assert.ok(after.windowsAsOf > before.windowsAsOf);
    assert.deepEqual(after.windows, before.windows);
  });

  it('the audit recounts history and distribution, and catches a bucket or distribution that is off', async () => {
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
    const day = keys.historyBucket(collectionId, '1d', bucketStart('1d', Date.parse(soldAt)));
    const bump = (key: { pk: string; sk: string }, field: string, by: number) => market.doc.send(new UpdateCommand({
      TableName: market.tableName, Key: key, UpdateExpression: 'ADD #f :by', ExpressionAttributeNames: { '#f': field }, ExpressionAttributeValues: { ':by': by },
    }));
    await bump(day, 'sales', 1);
    await bump(keys.holderDistribution(collectionId), 'holders1', 1);
    const problems = (await auditTable(market.doc, market.tableName)).problems;
    await bump(day, 'sales', -1);
    await bump(keys.holderDistribution(collectionId), 'holders1', -1);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /history .*\|1d\|.*: sales 2 volume 500, sale activities say 1 and 500/);
    assert.match(problems.join('\n'), /holder distribution .*: holders1 1, holder counts say 0/);
  });
});

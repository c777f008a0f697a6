import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditTable } from '../support/table-audit.js';
import { drop, hotCollectionBuys, type Api } from '../support/contention-scenarios.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

// Conflict-faithful DynamoDB: overlapping transactions on an item are cancelled, as the real service does.
// The goals' full sizes run with `npm run bench:contention` (200 buyers; a 2,000-buyer drop of 1,500).
const buyersCount = Number(process.env.CONTENTION_BUYERS ?? 100);
const dropBuyers = Number(process.env.DROP_BUYERS ?? 160);
const dropSupply = Number(process.env.DROP_SUPPLY ?? 100);
const holdMs = Number(process.env.CONFLICT_HOLD_MS ?? 15);

let market: TestMarketplace;
let api: Api;
before(async () => {
  market = await startTestMarketplace({ seed: null, conflicts: { holdMs } });
  const tokens = new Map<string, string>();
  const token = async (userId: string, groups?: string[]) => {
    const key = `${userId}|${groups?.join(',') ?? ''}`;
    if (!tokens.has(key)) tokens.set(key, await market.token(userId, groups));
    return tokens.get(key)!;
  };
  api = {
    call: async (userId, method, path, body, headers = {}, groups) => market.call(method, path, { token: await token(userId, groups), body, headers }),
    get: (path, body) => market.call(body === undefined ? 'GET' : 'POST', path, { body }),
  };
});
after(async () => { await market.stop(); });

const conflictsDuring = async <T>(work: () => Promise<T>) => {
  const before = market.runtime.conflicts!.stats();
  const result = await work();
  const after = market.runtime.conflicts!.stats();
  return { result, cancelled: after.cancelled - before.cancelled, transactions: after.transactions - before.transactions };
};

describe('trades that do not compete never wait for each other (conflict-faithful DynamoDB)', () => {
  it(`${buyersCount} buyers each buying a different listing of one collection at once all succeed`, async () => {
    const { result, cancelled, transactions } = await conflictsDuring(() => hotCollectionBuys(api, buyersCount));
    console.log(`${buyersCount} buys in one collection at once: ${JSON.stringify(result.tally)} in ${result.seconds.toFixed(2)} s; `
      + `${cancelled} of ${transactions} transactions cancelled by conflicts`);
    assert.deepEqual(result.tally, { 200: buyersCount });

    // Stats and floor trail by the stream's lag; once it is drained they are exact (read after it: minAsOf).
    const minAsOf = await market.settle();
    const listed = await api.get(`/market/collections?limit=100&minAsOf=${minAsOf}`);
    const stats = listed.body.items.find((c: any) => c.collectionId === result.collectionId).stats;
    const volume = result.prices.reduce((a, b) => a + b, 0);
    const window = { volume, sales: buyersCount, volumeChange: null, salesChange: null };
    assert.deepEqual({ ...stats, statsAsOf: undefined, floorAsOf: undefined, topOfferAsOf: undefined, windowsAsOf: undefined }, {
      floorPrice: null, listedCount: result.listedLeft, volume, sales: buyersCount, owners: buyersCount, topOffer: null,
      statsAsOf: undefined, floorAsOf: undefined, topOfferAsOf: undefined,
      windows: { '1d': window, '7d': window, '30d': window, all: window }, windowsAsOf: undefined,
    });
    const floor = (await api.get('/market/floor', { collectionIds: [result.collectionId], minAsOf })).body.floors[0];
    assert.equal(floor.floorPrice, null);
    // The one creator was paid by every mint and every sale, each credit exactly once.
    const creator = (await api.call(result.creator, 'GET', '/accounts')).body;
    const royalties = result.prices.reduce((sum, price) => sum + Math.floor(price * 500 / 10_000), 0);
    const perSeller = Math.ceil(buyersCount / 10);
    const mintProceeds = 10 * (100 * perSeller - Math.floor(100 * perSeller * 250 / 10_000));
    assert.equal(creator.balance, royalties + mintProceeds);
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });

  it(`a drop of ${dropSupply} to ${dropBuyers} buyers at its start second sells exactly the supply, and everyone else hears SOLD_OUT`, async () => {
    const { result, cancelled, transactions } = await conflictsDuring(() => drop(api, dropBuyers, dropSupply));
    console.log(`drop of ${dropSupply} to ${dropBuyers}: ${JSON.stringify(result.tally)} in ${result.seconds.toFixed(2)} s `
      + `(${(dropSupply / result.seconds).toFixed(0)} mints/s); ${cancelled} of ${transactions} transactions cancelled by conflicts`);
    assert.deepEqual(result.tally, { 201: dropSupply, '409 SOLD_OUT': dropBuyers - dropSupply });
    const minAsOf = await market.settle();
    const presale = (await api.get('/presale/', { status: 'live', limit: 100, minAsOf })).body.items.find((p: any) => p.presaleId === result.presaleId);
    assert.equal(presale.sold, dropSupply);
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ seed: null }); });
after(async () => { await market.stop(); });

/** Names every plain object has: as trait keys they would be inherited or (`__proto__`) dropped by an object. */
const builtInNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('a built-in object property name as a trait key', () => {
  it('is refused 400 wherever a trait key comes in: collection trait tables, trait offers, the offer book, the listing filter, the sweep', async () => {
    const { as, call, freshCollection } = tradingFixtures(market);
    const { collectionId } = await freshCollection('trait-creator', 1, [{ key: 'Eyes', values: [{ value: 'Laser', weight: 1 }] }]);
    const creator = await as('trait-creator', ['creators']);
    const answers: Array<[string, string, ApiAnswer]> = [];
    for (const key of builtInNames) {
      const filter = JSON.parse(`{${JSON.stringify(key)}: ["x"]}`) as Record<string, string[]>; // an own key, as a client's JSON has it
      answers.push(
        [key, 'create collection', await market.call('POST', '/market/collections', {
          token: creator, body: { name: `Traits ${key}`, image: 'https://img.example.com/t.png', royaltyBps: 0, traits: [{ key, values: [{ value: 'x', weight: 1 }] }] },
        })],
        [key, 'trait offer', await call('trait-buyer', 'POST', '/offers', { collectionId, trait: { key, value: 'x' }, amount: 1, expiresAt: inFuture(60_000) })],
        [key, 'offer book', await market.call('GET', `/offers?collectionId=${collectionId}&trait=${encodeURIComponent(`${key}:x`)}`)],
        [key, 'listing filter (POST)', await market.call('POST', '/market/', { body: { collectionId, sort: 'price_asc', attributes: filter } })],
        [key, 'listing filter (GET)', await market.call('GET', `/market?collectionId=${collectionId}&sort=price_asc&attributes=${encodeURIComponent(JSON.stringify(filter))}`)],
        [key, 'sweep', await call('trait-buyer', 'POST', '/market/sweep', { collectionId, maxItems: 1, maxPricePerItem: 1, attributes: filter }, { 'idempotency-key': `sweep-${key}` })],
      );
    }
    const wrong = answers.filter(([, , answer]) => answer.status !== 400 || answer.body.error?.code !== 'VALIDATION_FAILED');
    assert.deepEqual(wrong.map(([key, what, answer]) => `${key} ${what}: ${answer.status} ${JSON.stringify(answer.body)}`), []);
    const collections = (await market.call('GET', '/market/collections?limit=100')).body.items as Array<{ name: string }>;
    assert.deepEqual(collections.filter((c) => c.name.startsWith('Traits ')), [], 'no collection made');
  });

  it('while an ordinary key is taken everywhere', async () => {
    const { call, expectStatus, topUp, freshCollection } = tradingFixtures(market);
    const { collectionId } = await freshCollection('trait-creator-2', 1, [{ key: 'Eyes', values: [{ value: 'Laser', weight: 1 }] }]);
    await topUp('trait-buyer-2', 1);
    const filter = { Eyes: ['Laser'] };
    expectStatus(await call('trait-buyer-2', 'POST', '/offers', { collectionId, trait: { key: 'Eyes', value: 'Laser' }, amount: 1, expiresAt: inFuture(60_000) }), 201);
    expectStatus(await market.call('GET', `/offers?collectionId=${collectionId}&trait=Eyes:Laser`), 200);
    expectStatus(await market.call('POST', '/market/', { body: { collectionId, sort: 'price_asc', attributes: filter } }), 200);
    expectStatus(await call('trait-buyer-2', 'POST', '/market/sweep', { collectionId, maxItems: 1, maxPricePerItem: 1, attributes: filter }, { 'idempotency-key': 'sweep-eyes' }), 200);
  });
});

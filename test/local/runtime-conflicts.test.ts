// The local runtime with the conflict-faithful proxy: the handlers reach DynamoDB Local through it (the seed
// and the tests' own client do not), and a race for one listing still sells it exactly once.
// Its own file: the data layer reads DYNAMODB_ENDPOINT once per process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ conflicts: { holdMs: 15 }, streams: false }); });
after(async () => { await market?.stop(); });

describe('the marketplace behind the conflict-faithful proxy', () => {
  it('sends the handlers through the proxy and leaves the seed and the test client on DynamoDB Local', () => {
    const proxy = market.runtime.conflicts;
    assert.ok(proxy);
    assert.equal(proxy.holdMs, 15);
    assert.equal(process.env.DYNAMODB_ENDPOINT, proxy.endpoint);
    assert.notEqual(market.runtime.endpoint, proxy.endpoint);
    assert.equal(proxy.stats().transactions, 0, 'the seed did not go through it');
  });

  it('sells a listing raced by 20 buyers exactly once, with the losers told why', async () => {
    const proxy = market.runtime.conflicts!;
    const [listing] = (await market.call('GET', '/market?limit=1')).body.items;
    const buyers = Array.from({ length: 20 }, (_, i) => `conflict-buyer-${i}`);
    for (const [i, buyer] of buyers.entries()) {
      const answer = await market.call('POST', '/users/balance-topups', {
        token: await market.token(buyer), body: { amount: listing.price }, headers: { 'idempotency-key': `conflict-topup-${i}` },
      });
      assert.equal(answer.status, 201);
    }
    proxy.reset();
    const tokens = await Promise.all(buyers.map((buyer) => market.token(buyer)));
    const answers = await Promise.all(tokens.map((token) => market.call('POST', `/market/listings/${listing.listingId}/buy`, { token })));
    const codes = answers.map((a) => (a.status === 200 ? '200' : `${a.status} ${a.body?.error?.code}`));
    assert.equal(codes.filter((c) => c === '200').length, 1, codes.join(', '));
    assert.ok(codes.every((c) => c === '200' || c.startsWith('409 ')), codes.join(', '));
    const stats = proxy.stats();
    assert.ok(stats.forwarded >= 1, JSON.stringify(stats));
    console.log(`# 20 buyers, one listing: ${JSON.stringify(stats)}; answers ${JSON.stringify(Object.fromEntries(
      [...new Set(codes)].map((c) => [c, codes.filter((x) => x === c).length])))}`);
  });
});

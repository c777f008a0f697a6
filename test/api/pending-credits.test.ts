import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

/** Everything pending for a user, read straight from the table (consistently). */
async function pendingCredits(market: TestMarketplace, userId: string): Promise<number> {
  const found = await market.doc.send(new QueryCommand({
    TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :credit)',
    ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':credit': 'CREDIT#' }, ConsistentRead: true,
  }));
  return found.Items!.length;
}

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ seed: null, conflicts: { holdMs: 15 } }); });
after(async () => { await market.stop(); });

describe('a seller spending proceeds that are still pending, in concurrent requests (conflicts as in DynamoDB)', () => {
  it('no offer the proceeds cover is refused INSUFFICIENT_FUNDS because another request applied the credits first', async () => {
    const { call, expectStatus, topUp, freshCollection, mint } = tradingFixtures(market);
    const { presaleId } = await freshCollection('spend-creator', 20);
    const target = await mint(presaleId, 'spend-owner');
    const balance = async (user: string) => {
      const { balance, held } = expectStatus(await call(user, 'GET', '/accounts'), 200);
      return { balance, held };
    };
    const refused: string[] = [];
    for (let round = 1; round <= 5; round++) {
      const seller = `spend-seller-${round}`;
      const nftId = await mint(presaleId, seller); // the mint spends the seller's whole balance
      const listing = expectStatus(await call(seller, 'POST', '/market/listings', { nftId, price: 100_000 }), 201);
      await topUp(`spend-buyer-${round}`, 100_000);
      // No aggregator meanwhile: the proceeds stay pending until a debit of the seller applies them.
      market.runtime.streams!.pause();
      try {
        expectStatus(await call(`spend-buyer-${round}`, 'POST', `/market/listings/${listing.listingId}/buy`), 200);
        assert.deepEqual(await balance(seller), { balance: 92_500, held: 0 }, 'proceeds: 100,000 less 2.5 % fee and 5 % royalty');
        assert.equal(await pendingCredits(market, seller), 1);
        const offers = await Promise.all(Array.from({ length: 10 }, () =>
          call(seller, 'POST', '/offers', { nftId: target, amount: 1_000, expiresAt: inFuture(3_600_000) })));
        // The seller's own debits are serialized by design: one may still run out of retries (409 CONCURRENT_UPDATE).
        refused.push(...offers.filter((o) => o.status === 409 && o.body.error.code === 'INSUFFICIENT_FUNDS').map((o) => `round ${round}: ${JSON.stringify(o.body)}`));
        const made = offers.filter((o) => o.status === 201).length;
        assert.ok(made > 0, JSON.stringify(offers.map((o) => o.body)));
        // Each offer made holds 1,000 of the proceeds (one that timed out on a busy machine may have been made too).
        const after = await balance(seller);
        assert.equal(after.balance + after.held, 92_500);
        assert.ok(after.held >= 1_000 * made && after.held % 1_000 === 0, JSON.stringify(after));
      } finally {
        market.runtime.streams!.resume();
      }
    }
    assert.deepEqual(refused, []);
  });
});

describe('the aggregator applies a payee\'s credits once 25 are pending', () => {

  it('30 sales to one seller in a burst leave fewer than 25 of their credits pending, the rest added to the account with a ledger entry', async () => {
    const { call, expectStatus, topUp, freshCollection } = tradingFixtures(market);
    await topUp('burst-seller', 3_000);
    const nftIds: string[] = [];
    for (const { presaleId } of [await freshCollection('burst-creator', 15), await freshCollection('burst-creator', 15)]) {
      nftIds.push(...expectStatus(await call('burst-seller', 'POST', `/presale/${presaleId}/purchase`, { quantity: 15 }), 201).nftIds);
    }
    const listed = expectStatus(await call('burst-seller', 'POST', '/market/listings/batch', { items: nftIds.map((nftId) => ({ nftId, price: 1_000 })) }), 200);
    await market.settle();
    assert.equal(await pendingCredits(market, 'burst-seller'), 0);
    const buyers = nftIds.map((_, i) => `burst-buyer-${i}`);
    await Promise.all(buyers.map((buyer) => topUp(buyer, 1_000)));
    // Five at a time: every credit arrives well within the minute after which the oldest would be due anyway.
    for (let i = 0; i < buyers.length; i += 5) {
      await Promise.all(buyers.slice(i, i + 5).map(async (buyer, j) =>
        expectStatus(await call(buyer, 'POST', `/market/listings/${listed.results[i + j].listing.listingId}/buy`), 200)));
    }
    await market.settle();
    const pending = await pendingCredits(market, 'burst-seller');
    assert.ok(pending < 25, `${pending} credits still pending`);
    const ledger = await market.doc.send(new QueryCommand({
      TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
      ExpressionAttributeValues: { ':pk': 'USER#burst-seller', ':ledger': 'LEDGER#' }, ConsistentRead: true,
    }));
    const applied = ledger.Items!.filter((entry) => entry.kind === 'credits');
    assert.equal(applied.reduce((sum, entry) => sum + (entry.reference as string).split(' ').length, 0), 30 - pending, 'each applied credit named once');
    // 1,000 a sale less 2.5 % fee and 5 % royalty, whether applied or pending.
    assert.equal(expectStatus(await call('burst-seller', 'GET', '/accounts'), 200).balance, 30 * 925);
  });
});

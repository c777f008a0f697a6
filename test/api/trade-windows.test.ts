import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { localClient } from '../../local/table.js';
import { tradingConfig } from '../../functions/domain/trading-config.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

/**
 * A trade that starts before its deadline (a presale's end, an offer's expiry) and loses a race to another change
 * of one of its items must not go through when it tries again after the deadline. The race is made on purpose:
 * a transaction of the test's own, sent through the conflict-faithful proxy, keeps the item busy for `holdMs`,
 * and the deadline passes (on the trade's clock) while it does. The use case runs in this process, on the
 * marketplace's table, so its clock is the test's: nothing depends on how fast the machine is, except that an
 * attempt reaches the proxy within `holdMs - deadlineAfterMs` of reading the clock.
 */
const holdMs = 400;
/** An offer's acceptance gives up after 6 attempts, at least 425 ms of backoff: the hold ends sooner. */
const deadlineAfterMs = 150;

let market: TestMarketplace;
let proxy: DynamoDBDocumentClient;
before(async () => {
  market = await startTestMarketplace({ seed: null, conflicts: { holdMs } });
  proxy = DynamoDBDocumentClient.from(localClient(market.runtime.conflicts!.endpoint));
});
after(async () => {
  proxy.destroy();
  await market.stop();
});

/**
 * Keeps an item in flight for `holdMs` (a transaction that only checks it exists) and returns a clock that reads
 * the real time until `deadlineAfterMs` into the hold, then 1 ms past `deadline`.
 */
async function holdAcrossDeadline(key: { pk: string; sk: string }, deadline: string): Promise<{ clock: () => Date; held: Promise<unknown> }> {
  const before = market.runtime.conflicts!.stats().transactions;
  const held = proxy.send(new TransactWriteCommand({
    TransactItems: [{ ConditionCheck: { TableName: market.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' } }],
  }));
  while (market.runtime.conflicts!.stats().transactions === before) await new Promise((resolve) => setTimeout(resolve, 1));
  let passed = false;
  setTimeout(() => { passed = true; }, deadlineAfterMs);
  return { clock: () => (passed ? new Date(Date.parse(deadline) + 1) : new Date()), held };
}

describe('a trade that loses its races until after its deadline', () => {
  it('a presale purchase is refused PRESALE_NOT_LIVE, nothing minted or paid', async () => {
    const { call, expectStatus, topUp, freshCollection } = tradingFixtures(market);
    const { presaleId } = await freshCollection('window-creator'); // one shard
    await topUp('window-buyer', 100);
    const presale = expectStatus(await market.call('GET', '/presale?status=live'), 200).items.find((p: { presaleId: string }) => p.presaleId === presaleId);
    const { purchasePresale } = await import('../../functions/usecases/presales.js');
    const { clock, held } = await holdAcrossDeadline({ pk: `PRESALE_SHARD#${presaleId}#0`, sk: 'SHARD' }, presale.endsAt);
    await assert.rejects(
      purchasePresale('window-buyer', presaleId, 1, 'pur-window-1', null, clock, tradingConfig()),
      (error: { code?: string }) => error.code === 'PRESALE_NOT_LIVE',
    );
    await held;
    assert.deepEqual(expectStatus(await call('window-buyer', 'GET', '/accounts'), 200).balance, 100);
    assert.deepEqual(expectStatus(await call('window-buyer', 'GET', '/nft/my'), 200).items, []);
  });

  it('an offer\'s acceptance is refused OFFER_NOT_OPEN, the NFT kept and the offer open', async () => {
    const { call, expectStatus, topUp, freshCollection, mint } = tradingFixtures(market);
    const { presaleId } = await freshCollection('expiry-creator');
    const nftId = await mint(presaleId, 'expiry-seller');
    await topUp('expiry-buyer', 1_000);
    const offer = expectStatus(await call('expiry-buyer', 'POST', '/offers', { nftId, amount: 1_000, expiresAt: inFuture(3_600_000) }), 201);
    const { acceptOffer } = await import('../../functions/usecases/offers.js');
    const { clock, held } = await holdAcrossDeadline({ pk: `NFT#${nftId}`, sk: 'NFT' }, offer.expiresAt);
    await assert.rejects(
      acceptOffer('expiry-seller', offer.offerId, undefined, clock, tradingConfig()),
      (error: { code?: string }) => error.code === 'OFFER_NOT_OPEN',
    );
    await held;
    assert.deepEqual(expectStatus(await call('expiry-seller', 'GET', '/nft/my'), 200).items.map((n: { nftId: string }) => n.nftId), [nftId]);
    const made = expectStatus(await call('expiry-buyer', 'GET', '/offers/my?status=open'), 200).items;
    assert.deepEqual(made.map((o: { offerId: string }) => o.offerId), [offer.offerId]);
  });
});

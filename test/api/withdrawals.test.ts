import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as paymentSchemas from '../../functions/schemas/payments.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { auditTable, tableSnapshot } from '../support/table-audit.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
const failingPayouts = new Set<string>();

before(async () => {
  // Conflicts modelled: concurrent transactions on one account are cancelled as DynamoDB cancels them.
  market = await startTestMarketplace({ seed: null, conflicts: { holdMs: 15 }, payments: { payoutFails: ({ userId }) => failingPayouts.has(userId) } });
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

const account = async (userId: string) => fx.expectStatus(await fx.call(userId, 'GET', '/accounts'), 200);
const withdraw = (userId: string, amount: number, key?: string) =>
  fx.call(userId, 'POST', '/users/withdrawals', { amount }, key ? { 'idempotency-key': key } : {});
const stored = async (userId: string) => (await market.doc.send(new GetCommand({ TableName: market.tableName, Key: { pk: `USER#${userId}`, sk: 'ACCOUNT' }, ConsistentRead: true }))).Item ?? {};
const ledgerKinds = async (userId: string) => ((await market.doc.send(new QueryCommand({
  TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)', ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':l': 'LEDGER#' }, ConsistentRead: true,
}))).Items ?? []).map((e) => e.kind as string).sort();

async function quiet() {
  await market.runtime.payments.idle();
  await market.settle();
}
async function expectAuditExact() {
  await quiet();
  const audit = await auditTable(market.doc, market.tableName, { aggregates: false });
  assert.deepEqual(audit.problems, []);
  return audit;
}

describe('withdrawals', () => {
  it('holds the amount, pays it out once, and lists it paid', async () => {
    await fx.topUp('w-1', 10_000);
    assert.equal((await withdraw('w-1', 4_000)).status, 400);
    const first = fx.expectStatus(await withdraw('w-1', 4_000, 'w1-a'), 201);
    paymentSchemas.withdrawal.parse(first);
    assert.equal(first.status, 'requested');
    const again = fx.expectStatus(await withdraw('w-1', 4_000, 'w1-a'), 201);
    assert.equal(again.withdrawalId, first.withdrawalId);
    await quiet();
    assert.deepEqual(await account('w-1'), { ...(await account('w-1')), balance: 6_000, held: 0 });
    const listed = fx.expectStatus(await fx.call('w-1', 'GET', '/users/withdrawals'), 200);
    assert.deepEqual(listed.items.map((w: any) => [w.withdrawalId, w.status]), [[first.withdrawalId, 'paid']]);
    assert.equal(market.runtime.payments.payoutsByWithdrawal().get(first.withdrawalId), 1);
    assert.deepEqual(await ledgerKinds('w-1'), ['topup', 'withdrawal', 'withdrawal-paid']);
    await expectAuditExact();
  });

  it('returns a failed payout to the balance', async () => {
    failingPayouts.add('w-2');
    await fx.topUp('w-2', 5_000);
    const requested = fx.expectStatus(await withdraw('w-2', 5_000, 'w2-a'), 201);
    await quiet();
    const listed = fx.expectStatus(await fx.call('w-2', 'GET', '/users/withdrawals'), 200);
    assert.deepEqual(listed.items.map((w: any) => [w.withdrawalId, w.status]), [[requested.withdrawalId, 'failed']]);
    const after = await account('w-2');
    assert.deepEqual([after.balance, after.held], [5_000, 0]);
    await expectAuditExact();
  });

  it('refuses more than the balance with 409 and writes nothing', async () => {
    await fx.topUp('w-3', 1_000);
    await quiet();
    const before = await tableSnapshot(market.doc, market.tableName);
    const refused = await withdraw('w-3', 1_001, 'w3-a');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'INSUFFICIENT_FUNDS');
    await quiet();
    assert.deepEqual((await tableSnapshot(market.doc, market.tableName)).filter((i) => !i.includes('"IDEMPOTENCY')), before.filter((i) => !i.includes('"IDEMPOTENCY')));
  });

  it('never takes a balance below zero nor pays twice when withdrawals race buys and offers of the same users', async () => {
    const racers = Array.from({ length: 6 }, (_, i) => `racer-${i}`);
    const { collectionId, presaleId } = await fx.freshCollection('creator-w', 12);
    const nfts: string[] = [];
    for (let i = 0; i < 6; i++) nfts.push(await fx.mint(presaleId, 'seller-w'));
    const listings: string[] = [];
    for (const nftId of nfts) listings.push(fx.expectStatus(await fx.call('seller-w', 'POST', '/market/listings', { nftId, price: 3_000 }), 201).listingId);
    for (const userId of racers) await fx.topUp(userId, 10_000);
    const rounds = Number(process.env.WITHDRAWAL_RACE_ROUNDS ?? 4);
    const statuses: number[] = [];
    const requested: string[] = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(racers.flatMap((userId, i) => [
        withdraw(userId, 3_000, `race-${round}-${userId}`).then((a) => { statuses.push(a.status); if (a.status === 201) requested.push(a.body.withdrawalId); }),
        fx.call(userId, 'POST', `/market/listings/${listings[(i + round) % listings.length]}/buy`).then((a) => statuses.push(a.status)),
        fx.call(userId, 'POST', '/offers', { collectionId, amount: 2_000, expiresAt: inFuture(3_600_000) }).then((a) => statuses.push(a.status)),
      ]));
    }
    assert.ok(statuses.every((s) => s === 200 || s === 201 || s === 409), statuses.join(','));
    assert.ok(requested.length > 0);
    await quiet();
    for (const withdrawalId of requested) assert.equal(market.runtime.payments.payoutsByWithdrawal().get(withdrawalId), 1, withdrawalId);
    for (const userId of racers) {
      const figures = await stored(userId);
      assert.ok(figures.balance >= 0 && figures.held >= 0, `${userId}: ${JSON.stringify(figures)}`);
    }
    const audit = await expectAuditExact();
    assert.ok(audit.totals.withdrawn > 0);
  });
});

describe('refunds and disputes', () => {
  const topupIdOf = async (userId: string) => fx.expectStatus(await fx.call(userId, 'GET', '/users/balance-topups'), 200).items[0].topupId as string;

  it('takes a refund back from the balance, once however often it is delivered', async () => {
    market.runtime.payments.configure({ duplicates: 1 });
    await fx.topUp('r-1', 1_000);
    market.runtime.payments.refund(await topupIdOf('r-1'), 400);
    await quiet();
    assert.equal((await account('r-1')).balance, 600);
    market.runtime.payments.refund(await topupIdOf('r-1'));
    await quiet();
    assert.equal((await account('r-1')).balance, 0);
    const listed = fx.expectStatus(await fx.call('r-1', 'GET', '/users/balance-topups'), 200);
    assert.equal(listed.items[0].refunded, 1_000);
    market.runtime.payments.configure({ duplicates: 0 });
    await expectAuditExact();
  });

  it('leaves a documented shortfall when a lost dispute finds the money spent: no withdrawal, covered by the next top-up', async () => {
    await fx.topUp('d-1', 10_000);
    const { collectionId } = await fx.freshCollection('creator-d', 1);
    fx.expectStatus(await fx.call('d-1', 'POST', '/offers', { collectionId, amount: 7_000, expiresAt: inFuture(3_600_000) }), 201);
    market.runtime.payments.dispute(await topupIdOf('d-1'), 'lost');
    await quiet();
    const owed = await stored('d-1');
    assert.deepEqual([owed.balance, owed.held, owed.shortfall, owed.openDisputes], [0, 7_000, 7_000, 0]);
    const listed = fx.expectStatus(await fx.call('d-1', 'GET', '/users/balance-topups'), 200);
    assert.equal(listed.items[0].dispute, 'lost');
    await expectAuditExact();

    const blocked = await withdraw('d-1', 1, 'd1-a');
    assert.equal(blocked.status, 409);
    assert.equal(blocked.body.error.code, 'WITHDRAWAL_BLOCKED');

    await fx.topUp('d-1', 5_000);
    await quiet();
    const covered = await stored('d-1');
    assert.deepEqual([covered.balance, covered.shortfall], [0, 2_000]);
    await fx.topUp('d-1', 3_000);
    await quiet();
    const clear = await stored('d-1');
    assert.deepEqual([clear.balance, clear.shortfall], [1_000, 0]);
    assert.deepEqual((await ledgerKinds('d-1')).filter((k) => k !== 'topup' && k !== 'offer-hold'), ['dispute-lost', 'shortfall', 'shortfall-covered', 'shortfall-covered']);
    await expectAuditExact();
  });

  it('takes nothing for a dispute won', async () => {
    await fx.topUp('d-2', 2_000);
    market.runtime.payments.dispute(await topupIdOf('d-2'), 'won');
    await quiet();
    const figures = await stored('d-2');
    assert.deepEqual([figures.balance, figures.openDisputes], [2_000, 0]);
    fx.expectStatus(await withdraw('d-2', 500, 'd2-a'), 201);
    await expectAuditExact();
  });
});

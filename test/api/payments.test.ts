import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as paymentSchemas from '../../functions/schemas/payments.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { auditTable, tableSnapshot } from '../support/table-audit.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
/** Payments of these users wait for `release`: the tests decide when and how each settles. */
const held = new Set<string>();

before(async () => {
  market = await startTestMarketplace({
    seed: null,
    payments: { awaitTopups: false, paymentOutcome: ({ userId }) => (held.has(userId) ? 'held' : 'succeeded') },
  });
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

const balanceOf = async (userId: string) => fx.expectStatus(await fx.call(userId, 'GET', '/accounts'), 200);
/** As a client does: a 503 (this machine is slow at times) is sent again with the same key. */
async function topUp(userId: string, amount: number, key: string) {
  for (let attempt = 1; ; attempt++) {
    const answer = await fx.call(userId, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': key });
    if ((answer.status !== 503 && !(answer.status === 409 && answer.body?.error?.code === 'IDEMPOTENCY_IN_PROGRESS')) || attempt === 5) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}
const webhook = (body: string, signature?: string) =>
  market.call('POST', '/payments/stripe/webhook', { rawBody: body, headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) } });

async function ledgerOf(userId: string) {
  const out = await market.doc.send(new QueryCommand({
    TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
    ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':ledger': 'LEDGER#' }, ConsistentRead: true,
  }));
  return out.Items ?? [];
}

async function expectAuditExact() {
  await market.runtime.payments.idle();
  await market.settle();
  const audit = await auditTable(market.doc, market.tableName, { aggregates: false });
  assert.deepEqual(audit.problems, []);
  return audit;
}

describe('paid top-ups', () => {
  it('answers 201 pending with the client secret; the balance moves only when the payment succeeds', async () => {
    held.add('payer-1');
    const answer = fx.expectStatus(await topUp('payer-1', 25_000, 'p1-a'), 201);
    paymentSchemas.startedTopup.parse(answer);
    assert.equal(answer.status, 'pending');
    assert.equal(answer.amount, 25_000);
    assert.match(answer.clientSecret, /^pi_.+_secret_/);
    assert.equal((await balanceOf('payer-1')).balance, 0);
    const listed = fx.expectStatus(await fx.call('payer-1', 'GET', '/users/balance-topups'), 200);
    assert.deepEqual(listed.items.map((t: any) => [t.topupId, t.status]), [[answer.topupId, 'pending']]);

    // The same key again: the same top-up and payment, nothing more.
    const again = fx.expectStatus(await topUp('payer-1', 25_000, 'p1-a'), 201);
    assert.equal(again.topupId, answer.topupId);
    assert.equal(again.clientSecret, answer.clientSecret);

    market.runtime.payments.release(answer.topupId, 'succeeded');
    await market.runtime.payments.whenSettled(answer.topupId);
    assert.equal((await balanceOf('payer-1')).balance, 25_000);
    const after = fx.expectStatus(await fx.call('payer-1', 'GET', '/users/balance-topups'), 200);
    assert.equal(after.items[0].status, 'succeeded');
    assert.equal((await ledgerOf('payer-1')).filter((e) => e.kind === 'topup').length, 1);
  });

  it('marks a failed payment failed and credits nothing', async () => {
    held.add('payer-2');
    const answer = fx.expectStatus(await topUp('payer-2', 7_000, 'p2-a'), 201);
    market.runtime.payments.release(answer.topupId, 'failed');
    await market.runtime.payments.whenSettled(answer.topupId);
    const listed = fx.expectStatus(await fx.call('payer-2', 'GET', '/users/balance-topups'), 200);
    assert.equal(listed.items[0].status, 'failed');
    assert.equal((await balanceOf('payer-2')).balance, 0);
  });

  it('refuses an unsigned, wrongly signed or stale webhook with 400 and writes nothing', async () => {
    held.add('payer-3');
    const answer = fx.expectStatus(await topUp('payer-3', 9_000, 'p3-a'), 201);
    const event = { id: 'evt_forged', object: 'event', type: 'payment_intent.succeeded', data: { object: market.runtime.payments.paymentIntent(answer.topupId, 'succeeded') } };
    const { body, signature } = market.runtime.payments.sign(event);
    const before = await tableSnapshot(market.doc, market.tableName);
    const forged = signature.replace(/v1=([0-9a-f])/, (_m, c: string) => `v1=${c === '0' ? '1' : '0'}`);
    const stale = market.runtime.payments.sign(event, Math.floor(Date.now() / 1000) - 301);
    for (const attempt of [webhook(body), webhook(body, forged), webhook(body, 't=1,v1=abc'), webhook(stale.body, stale.signature), webhook(`${body} `, signature)]) {
      const refused = await attempt;
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, 'INVALID_SIGNATURE');
    }
    assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before);
    assert.equal((await balanceOf('payer-3')).balance, 0);
  });

  it('credits once when one valid event is delivered 10 times at once', async () => {
    held.add('payer-4');
    const answer = fx.expectStatus(await topUp('payer-4', 12_345, 'p4-a'), 201);
    const event = { id: 'evt_ten_times', object: 'event', type: 'payment_intent.succeeded', data: { object: market.runtime.payments.paymentIntent(answer.topupId, 'succeeded') } };
    const { body, signature } = market.runtime.payments.sign(event);
    const answers = await Promise.all(Array.from({ length: 10 }, () => webhook(body, signature)));
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200));
    assert.equal(answers.filter((a) => a.body.applied).length, 1);
    assert.equal((await balanceOf('payer-4')).balance, 12_345);
    assert.equal((await ledgerOf('payer-4')).filter((e) => e.kind === 'topup').length, 1);
  });

  it('credits every successful payment exactly once and no failed one, with 30 % of events duplicated and reordered', async () => {
    const count = Number(process.env.PAYMENTS_TOPUPS ?? 150);
    const fails = new Set<string>();
    market.runtime.payments.configure({
      duplicates: 0.3, jitterMs: 200, paymentDelayMs: 5,
      paymentOutcome: ({ userId, amount }) => (held.has(userId) ? 'held' : amount % 5 === 0 ? 'failed' : 'succeeded'),
    });
    const users = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    const expected = new Map<string, number>();
    const started = Date.now();
    for (let next = 0; next < count;) {
      const batch = Array.from({ length: Math.min(5, count - next) }, (_, i) => next + i);
      next += batch.length;
      await Promise.all(batch.map(async (i) => {
        const userId = users[i % users.length]!;
        const amount = 1_000 + i;
        const answer = fx.expectStatus(await topUp(userId, amount, `many-${i}`), 201);
        if (amount % 5 === 0) fails.add(answer.topupId);
        else expected.set(userId, (expected.get(userId) ?? 0) + amount);
      }));
    }
    await market.runtime.payments.idle();
    console.log(`${count} top-ups, ${market.runtime.payments.stats().deliveries} deliveries in ${Date.now() - started} ms`);
    for (const userId of users) {
      assert.equal((await balanceOf(userId)).balance, expected.get(userId) ?? 0, userId);
      const listed = (await market.doc.send(new QueryCommand({
        TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :t)', ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':t': 'TOPUP#' }, ConsistentRead: true,
      }))).Items ?? [];
      for (const topup of listed) assert.equal(topup.status, fails.has(topup.topupId) ? 'failed' : 'succeeded');
      const credits = (await ledgerOf(userId)).filter((e) => e.kind === 'topup');
      assert.equal(credits.length, listed.filter((t) => t.status === 'succeeded').length);
    }
    market.runtime.payments.configure({ duplicates: 0, jitterMs: 0, paymentDelayMs: 0, paymentOutcome: ({ userId }) => (held.has(userId) ? 'held' : 'succeeded') });
    await expectAuditExact();
  });
});

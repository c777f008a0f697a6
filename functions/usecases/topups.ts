import { maxBalance } from '../domain/money.js';
import { tradingErrors } from '../domain/trading-errors.js';
import type { PaidTopup } from '../domain/payments.js';
import { findAccount } from '../data/account-repository.js';
import { readMarked, toPaidTopup } from '../data/payment-repository.js';
import { paymentProvider } from '../payments/provider.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { keys } from '../data/keys.js';
import { accountUpdate } from '../data/trade-writes.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';

export type StartedTopup = PaidTopup & { clientSecret: string | null };

/**
 * Starts a paid top-up: the provider's payment is created (the top-up id is its idempotency key, so a retry
 * gets the same payment and client secret), then the pending top-up, its marker and the payment's link are
 * written together. The balance changes only when the payment's webhook says it succeeded
 * (usecases/payments.ts). A top-up that could take the balance past `maxBalance` is refused up front.
 */
export async function startTopup(userId: string, topupId: string, amount: number, now: Date): Promise<StartedTopup> {
  const account = await findAccount(userId);
  const earlier = await readMarked(keys.topupMarker(userId, topupId), 'topupSk');
  if (!earlier && (account?.balance ?? 0) + amount > maxBalance) throw tradingErrors.balanceLimit(maxBalance);
  // Before asking the provider: Stripe refuses a reused idempotency key with other parameters.
  if (earlier && earlier.amount !== amount) throw tradingErrors.idempotencyKeyReused();
  const { paymentId, clientSecret } = await paymentProvider.createPayment({ topupId, userId, amount });
  if (earlier) return answerFor(earlier, amount, clientSecret);
  const topup = items.paidTopup({ userId, topupId, amount, createdAt: now.toISOString(), paymentId });
  try {
    await transact([
      { item: { Put: { TableName: tableName(), Item: topup, ConditionExpression: 'attribute_not_exists(pk)' } } },
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.topupMarker(userId, topupId), entity: 'topup-marker', topupSk: topup.sk },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyCredited(),
      },
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.payment(paymentId), entity: 'payment-link', userId, topupId, topupSk: topup.sk },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
    ]);
  } catch (error) {
    if (!(error instanceof AlreadyCredited)) throw error;
    const raced = await readMarked(keys.topupMarker(userId, topupId), 'topupSk');
    if (!raced) throw error;
    return answerFor(raced, amount, clientSecret);
  }
  return { ...toPaidTopup(topup), clientSecret };
}

function answerFor(earlier: Record<string, unknown>, amount: number, clientSecret: string): StartedTopup {
  // The key's idempotency record may have expired: the same key with another amount is still another request.
  if (earlier.amount !== amount) throw tradingErrors.idempotencyKeyReused();
  return { ...toPaidTopup(earlier), clientSecret };
}

/**
 * The testers' instant credit (staging load tests only: see handlers/topups/create-topup.ts): the balance grows, the top-up and its ledger entry are written, all in one
 * transaction. A top-up id is credited at most once: the marker item's condition refuses a second. One that
 * would take the balance past `maxBalance` is 409 BALANCE_LIMIT, with nothing written.
 */
export async function creditTopup(userId: string, topupId: string, amount: number, now: Date): Promise<PaidTopup> {
  return withOptimisticRetry(async () => {
    const at = now.toISOString();
    const topup = { userId, topupId, amount, createdAt: at };
    // The marker first: when it and the balance limit both fail, this is a retry of a top-up credited before.
    await transact([
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.topupMarker(userId, topupId), entity: 'topup-marker', topupSk: items.topup(topup).sk },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyCredited(),
      },
      ...accountUpdate(userId, [{ kind: 'topup', reference: topupId, delta: { balance: amount, held: 0 } }], at, maxBalance),
      { item: { Put: { TableName: tableName(), Item: items.topup(topup) } } },
    ]);
    return toPaidTopup(items.topup(topup));
  }).catch(async (error: unknown) => {
    if (!(error instanceof AlreadyCredited)) throw error;
    const found = await readMarked(keys.topupMarker(userId, topupId), 'topupSk');
    const earlier = found ? toPaidTopup(found) : null;
    if (!earlier) throw error;
    // The key's idempotency record may have expired: the same key with another amount is still another request.
    if (earlier.amount !== amount) throw tradingErrors.idempotencyKeyReused();
    return earlier;
  });
}

class AlreadyCredited extends Error {
  constructor() {
    super('this top-up was credited before');
    this.name = 'AlreadyCredited';
  }
}

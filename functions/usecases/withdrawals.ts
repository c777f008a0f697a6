import { ConflictError } from '../domain/errors.js';
import { withdrawalBlock, type Withdrawal } from '../domain/payments.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { keys } from '../data/keys.js';
import { paymentAccountUpdate, transition } from '../data/payment-writes.js';
import { readMarked, toWithdrawal } from '../data/payment-repository.js';
import { readItem } from '../data/trade-reads.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';
import { paymentProvider } from '../payments/provider.js';
import { queuePayout, type PayoutMessage } from '../payments/withdrawal-queue.js';
import { withPendingCreditsApplied } from './pending-credits.js';

class AlreadyRequested extends Error {
  constructor() {
    super('this withdrawal was requested before');
    this.name = 'AlreadyRequested';
  }
}

const blocked = (reason: 'SHORTFALL' | 'OPEN_DISPUTE') => new ConflictError(
  'WITHDRAWAL_BLOCKED',
  reason === 'SHORTFALL' ? 'A refund or lost dispute left an amount owed; it is covered from your next top-ups first' : 'A payment of yours is under dispute; withdraw once it is closed',
  { reason },
);

const messageOf = (item: Record<string, unknown>): PayoutMessage => ({
  userId: item.userId as string, withdrawalId: item.withdrawalId as string, withdrawalSk: item.sk as string, amount: item.amount as number,
});

/**
 * Requests a withdrawal: the amount moves from balance to held, the withdrawal and its marker are written with
 * the ledger entry, in one transaction; then it is queued for payout. Refused while the account owes a
 * shortfall or has a payment under dispute. The same id again answers the first request (and queues it again
 * while it waits, in case the first queueing was lost: the consumer pays each withdrawal once).
 */
export async function requestWithdrawal(userId: string, withdrawalId: string, amount: number, now: Date): Promise<Withdrawal> {
  const marker = keys.withdrawalMarker(userId, withdrawalId);
  let item = await readMarked(marker, 'withdrawalSk');
  if (!item) {
    const withdrawal = items.withdrawal({ userId, withdrawalId, amount, createdAt: now.toISOString() });
    try {
      await withPendingCreditsApplied(userId, now, () => withOptimisticRetry(async () => {
        const account = (await readItem(keys.account(userId))) ?? {};
        const block = withdrawalBlock(account as { shortfall?: number; openDisputes?: number });
        if (block) throw blocked(block);
        if (((account.balance as number | undefined) ?? 0) < amount) throw tradingErrors.insufficientFunds(amount);
        await transact([
          { item: { Put: { TableName: tableName(), Item: withdrawal, ConditionExpression: 'attribute_not_exists(pk)' } } },
          {
            item: { Put: { TableName: tableName(), Item: { ...marker, entity: 'withdrawal-marker', withdrawalSk: withdrawal.sk }, ConditionExpression: 'attribute_not_exists(pk)' } },
            onConditionFailed: () => new AlreadyRequested(),
          },
          // Its balance or block moved on since the read: read again.
          ...paymentAccountUpdate(userId, [{ kind: 'withdrawal', reference: withdrawalId, balance: -amount, held: amount }], now.toISOString(), { unblocked: true }),
        ]);
      }));
      item = withdrawal;
    } catch (error) {
      if (!(error instanceof AlreadyRequested)) throw error;
      item = await readMarked(marker, 'withdrawalSk');
      if (!item) throw error;
    }
  }
  // The key's idempotency record may have expired: the same key with another amount is still another request.
  if (item.amount !== amount) throw tradingErrors.idempotencyKeyReused();
  if (item.status === 'requested') await queuePayout(messageOf(item));
  return toWithdrawal(item);
}

/**
 * The queue consumer's step: asks the provider to pay a requested withdrawal out (the withdrawal id is the
 * provider's idempotency key, so a redelivered message never pays twice) and records the payout. The
 * provider's payout.paid or payout.failed event finishes it (usecases/payments.ts).
 */
export async function payOut(message: PayoutMessage, now: Date): Promise<void> {
  const withdrawal = await readItem({ pk: keys.account(message.userId).pk, sk: message.withdrawalSk });
  if (!withdrawal || withdrawal.withdrawalId !== message.withdrawalId || withdrawal.status !== 'requested') return;
  const { payoutId } = await paymentProvider.requestPayout({
    withdrawalId: message.withdrawalId, withdrawalSk: message.withdrawalSk, userId: message.userId, amount: withdrawal.amount as number,
  });
  try {
    await transact([transition({ pk: withdrawal.pk as string, sk: withdrawal.sk as string }, { attribute: 'status', values: ['requested'] },
      { status: 'processing', payoutId, processingAt: now.toISOString() }, () => new AlreadyRequested())]);
  } catch (error) {
    // The payout's event finished it first, or another delivery recorded it: nothing left to do.
    if (!(error instanceof AlreadyRequested)) throw error;
  }
}

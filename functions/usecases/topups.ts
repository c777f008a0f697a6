import { maxBalance } from '../domain/money.js';
import { tradingErrors } from '../domain/trading-errors.js';
import type { Topup } from '../domain/accounts.js';
import { toTopup } from '../data/account-repository.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { readItem } from '../data/trade-reads.js';
import { keys } from '../data/keys.js';
import { accountUpdate } from '../data/trade-writes.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';


/** The top-up this id already credited, if any: its marker points at it. */
async function creditedBefore(userId: string, topupId: string): Promise<Topup | null> {
  const marker = await readItem(keys.topupMarker(userId, topupId));
  const topup = marker ? await readItem({ pk: keys.account(userId).pk, sk: marker.topupSk as string }) : null;
  return topup ? toTopup(topup) : null;
}

/**
 * Credits a top-up: the balance grows, the top-up and its ledger entry are written, all in one
 * transaction. A top-up id is credited at most once: the marker item's condition refuses a second. One that
 * would take the balance past `maxBalance` is 409 BALANCE_LIMIT, with nothing written.
 */
export async function creditTopup(userId: string, topupId: string, amount: number, now: Date): Promise<Topup> {
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
    return toTopup(items.topup(topup));
  }).catch(async (error: unknown) => {
    if (!(error instanceof AlreadyCredited)) throw error;
    const earlier = await creditedBefore(userId, topupId);
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

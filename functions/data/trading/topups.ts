import type { Topup } from '../../domain/accounts.js';
import { toTopup } from '../account-repository.js';
import { tableName } from '../client.js';
import { items } from '../items.js';
import { readItem } from '../trade-reads.js';
import { keys } from '../keys.js';
import { accountChanges } from '../trade-writes.js';
import { transact, withOptimisticRetry } from '../transactions.js';

const markerKey = (userId: string, topupId: string) => ({ pk: keys.account(userId).pk, sk: `TOPUP_ID#${topupId}` });

/** The top-up this id already credited, if any: its marker points at it. */
async function creditedBefore(userId: string, topupId: string): Promise<Topup | null> {
  const marker = await readItem(markerKey(userId, topupId));
  const topup = marker ? await readItem({ pk: keys.account(userId).pk, sk: marker.topupSk as string }) : null;
  return topup ? toTopup(topup) : null;
}

/**
 * Credits a top-up: the balance grows, the top-up and its ledger entry are written, all in one
 * transaction. A top-up id is credited at most once: the marker item's condition refuses a second.
 */
export async function creditTopup(userId: string, topupId: string, amount: number, now: Date): Promise<Topup> {
  return withOptimisticRetry(async () => {
    const at = now.toISOString();
    const topup = { userId, topupId, amount, createdAt: at };
    await transact([
      ...accountChanges(new Map([[userId, { balance: amount, held: 0 }]]), 'topup', topupId, at),
      { item: { Put: { TableName: tableName(), Item: items.topup(topup) } } },
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...markerKey(userId, topupId), entity: 'topup-marker', topupSk: items.topup(topup).sk },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyCredited(),
      },
    ]);
    return toTopup(items.topup(topup));
  }).catch(async (error: unknown) => {
    if (!(error instanceof AlreadyCredited)) throw error;
    const earlier = await creditedBefore(userId, topupId);
    if (!earlier) throw error;
    return earlier;
  });
}

class AlreadyCredited extends Error {
  constructor() {
    super('this top-up was credited before');
    this.name = 'AlreadyCredited';
  }
}

import type { PaidTopup, Withdrawal } from '../domain/payments.js';
import { keys } from './keys.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest } from './paged-query.js';
import { readItem } from './trade-reads.js';

export function toPaidTopup(item: Item): PaidTopup {
  // Top-ups credited before payments went through the provider (the seed's, the testers' instant credit) say 'completed'.
  const status = item.status === 'completed' ? 'succeeded' : item.status as PaidTopup['status'];
  return {
    topupId: item.topupId as string,
    amount: item.amount as number,
    status,
    createdAt: item.createdAt as string,
    ...(item.refunded ? { refunded: item.refunded as number } : {}),
    ...(item.dispute ? { dispute: item.dispute as PaidTopup['dispute'] } : {}),
  };
}

export function toWithdrawal(item: Item): Withdrawal {
  return {
    withdrawalId: item.withdrawalId as string,
    amount: item.amount as number,
    status: item.status as Withdrawal['status'],
    createdAt: item.createdAt as string,
  };
}

/** The top-up a provider payment pays for: its link, then the top-up (two GetItems). */
export async function readTopupOfPayment(paymentId: string): Promise<Item | null> {
  const link = await readItem(keys.payment(paymentId));
  return link ? readItem({ pk: keys.account(link.userId as string).pk, sk: link.topupSk as string }) : null;
}

/** The item a marker (top-up or withdrawal id) points at: `pointer` names the marker's attribute holding its sort key. */
export async function readMarked(marker: { pk: string; sk: string }, pointer: 'topupSk' | 'withdrawalSk'): Promise<Item | null> {
  const found = await readItem(marker);
  return found ? readItem({ pk: marker.pk, sk: found[pointer] as string }) : null;
}

export async function listWithdrawals(userId: string, page: PageRequest): Promise<Page<Withdrawal>> {
  const result = await queryPage(
    { partition: keys.account(userId).pk, range: { op: 'begins_with', value: keys.withdrawalPrefix }, forward: false },
    page,
  );
  return mapPage(result, toWithdrawal);
}

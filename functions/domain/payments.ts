/**
 * Money that enters and leaves the marketplace: paid top-ups, what a refund or a lost dispute takes back, and
 * withdrawals. Pure rules; the payment provider's events arrive in any order and any number of times, so
 * every rule here says what one event does to the state it finds, and a state an event already moved on is
 * left as it is.
 */

export type TopupStatus = 'pending' | 'succeeded' | 'failed';
export type DisputeState = 'open' | 'won' | 'lost';

export interface PaidTopup {
  topupId: string;
  amount: number;
  status: TopupStatus;
  createdAt: string;
  /** Refunded so far (the provider's cumulative figure). */
  refunded?: number;
  /** The dispute on its payment, if any. */
  dispute?: DisputeState;
}

export type WithdrawalStatus = 'requested' | 'processing' | 'paid' | 'failed';

export interface Withdrawal {
  withdrawalId: string;
  amount: number;
  status: WithdrawalStatus;
  createdAt: string;
}

/** What the provider tells us, in the marketplace's words (the adapter maps its own events to these). */
export type PaymentEvent =
  | { kind: 'payment.succeeded'; paymentId: string; amount: number }
  | { kind: 'payment.failed'; paymentId: string }
  | { kind: 'payment.refunded'; paymentId: string; refundedTotal: number }
  | { kind: 'dispute.opened'; paymentId: string; disputeId: string }
  | { kind: 'dispute.closed'; paymentId: string; disputeId: string; outcome: 'won' | 'lost'; amount: number }
  | { kind: 'payout.paid'; payoutId: string; userId: string; withdrawalId: string; withdrawalSk: string }
  | { kind: 'payout.failed'; payoutId: string; userId: string; withdrawalId: string; withdrawalSk: string }
  | { kind: 'ignored'; type: string };

/** A succeeded payment credits a top-up still pending, or one whose earlier attempt failed (the payer tried again). */
export const creditableStatuses: readonly TopupStatus[] = ['pending', 'failed'];

/**
 * Taking `amount` back from an account that has `balance` spendable: as much as the balance covers; the rest
 * is a shortfall the account owes. The balance never goes below zero and nothing taken is lost: the
 * shortfall is covered first from later top-ups, and while it lasts the account can neither trade nor withdraw.
 */
export function reclaim(balance: number, amount: number): { taken: number; shortfall: number } {
  const taken = Math.min(Math.max(balance, 0), amount);
  return { taken, shortfall: amount - taken };
}

/** A credit arriving while a shortfall is owed covers the shortfall first; the rest reaches the balance. */
export function coverShortfall(shortfall: number, credit: number): { covered: number; credited: number } {
  const covered = Math.min(Math.max(shortfall, 0), credit);
  return { covered, credited: credit - covered };
}

/** How much more a refund event takes back: the provider reports the refunded total, so a replay takes nothing. */
export function refundIncrement(refundedBefore: number, refundedTotal: number): number {
  return Math.max(0, refundedTotal - refundedBefore);
}

/** Why an account may not withdraw (null: it may). */
export function withdrawalBlock(account: { shortfall?: number; openDisputes?: number }): 'SHORTFALL' | 'OPEN_DISPUTE' | null {
  if ((account.shortfall ?? 0) > 0) return 'SHORTFALL';
  if ((account.openDisputes ?? 0) > 0) return 'OPEN_DISPUTE';
  return null;
}

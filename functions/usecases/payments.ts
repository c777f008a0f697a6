import { ConflictError } from '../domain/errors.js';
import { coverShortfall, creditableStatuses, reclaim, refundIncrement, type PaymentEvent } from '../domain/payments.js';
import { paymentAccountUpdate, transition, type PaymentLedgerLine } from '../data/payment-writes.js';
import { readTopupOfPayment } from '../data/payment-repository.js';
import type { Item } from '../data/paged-query.js';
import { keys } from '../data/keys.js';
import { readItem } from '../data/trade-reads.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';
import { applyPendingCredits } from './pending-credits.js';

/**
 * The provider told us about a payment before we recorded it (its top-up's transaction has not landed), or a
 * refund or dispute before the payment's success: answered 409, which the provider redelivers later.
 */
export class EventNotYetApplicable extends ConflictError {
  constructor(what: string) {
    super('EVENT_NOT_YET_APPLICABLE', `${what}; deliver it again later`);
  }
}

/** The event's change was made before (another delivery of it, or a later event): nothing to do. */
class AlreadyApplied extends Error {
  constructor() {
    super('already applied');
    this.name = 'AlreadyApplied';
  }
}
const alreadyApplied = () => new AlreadyApplied();

const topupKey = (topup: Item) => ({ pk: topup.pk as string, sk: topup.sk as string });
const accountOf = async (userId: string) => (await readItem(keys.account(userId))) ?? {};
const shortfallOf = (account: Item) => (account.shortfall as number | undefined) ?? 0;

async function paidTopup(paymentId: string, needsSuccess: boolean): Promise<Item> {
  const topup = await readTopupOfPayment(paymentId);
  if (!topup) throw new EventNotYetApplicable(`no top-up is recorded for payment ${paymentId} yet`);
  if (needsSuccess && topup.status === 'pending') throw new EventNotYetApplicable(`payment ${paymentId} has not succeeded here yet`);
  return topup;
}

/** Credits the top-up once: a shortfall the account owes is covered first (docs/payments.md). */
async function credit(paymentId: string, now: string): Promise<void> {
  const topup = await paidTopup(paymentId, false);
  const userId = topup.userId as string;
  const amount = topup.amount as number;
  const account = await accountOf(userId);
  const { covered } = coverShortfall(shortfallOf(account), amount);
  const lines: PaymentLedgerLine[] = [{ kind: 'topup', reference: topup.topupId as string, balance: amount }];
  if (covered > 0) lines.push({ kind: 'shortfall-covered', reference: topup.topupId as string, balance: -covered, shortfall: -covered });
  await transact([
    transition(topupKey(topup), { attribute: 'status', values: [...creditableStatuses] }, { status: 'succeeded', succeededAt: now }, alreadyApplied),
    ...paymentAccountUpdate(userId, lines, now, { shortfallBefore: shortfallOf(account) }),
  ]);
}

async function fail(paymentId: string, now: string): Promise<void> {
  const topup = await paidTopup(paymentId, false);
  await transact([transition(topupKey(topup), { attribute: 'status', values: ['pending'] }, { status: 'failed', failedAt: now }, alreadyApplied)]);
}

/**
 * Takes `amount` back from the top-up's owner: as much as the balance covers (credits still pending are added
 * first), the rest owed as a shortfall. `topupChange` is the top-up's own transition, in the same transaction.
 */
async function takeBack(topup: Item, amount: number, kind: string, now: string, topupChange: ReturnType<typeof transition>, openDisputes: number): Promise<void> {
  const userId = topup.userId as string;
  await applyPendingCredits(userId, new Date(now));
  const account = await accountOf(userId);
  const { taken, shortfall } = reclaim((account.balance as number | undefined) ?? 0, amount);
  const reference = topup.topupId as string;
  const lines: PaymentLedgerLine[] = [{ kind, reference, balance: -taken }];
  if (shortfall > 0) lines.push({ kind: 'shortfall', reference, shortfall });
  await transact([topupChange, ...paymentAccountUpdate(userId, lines, now, { shortfallBefore: shortfallOf(account) }, openDisputes)]);
}

async function refund(paymentId: string, refundedTotal: number, now: string): Promise<void> {
  const topup = await paidTopup(paymentId, true);
  const before = (topup.refunded as number | undefined) ?? 0;
  const increment = refundIncrement(before, refundedTotal);
  if (increment === 0) return;
  // Conditioned on the refunded total it read: of two deliveries, or two refunds racing, each increment is taken once.
  // A concurrent refund event changed the total meanwhile: read again (its increment is then smaller or none).
  const change = transition(topupKey(topup), { attribute: 'refunded', values: [before === 0 ? null : before] }, { refunded: refundedTotal }, 'stale');
  await takeBack(topup, increment, 'refund', now, change, 0);
}

async function openDispute(paymentId: string, disputeId: string, now: string): Promise<void> {
  const topup = await paidTopup(paymentId, true);
  if (topup.dispute) throw alreadyApplied();
  await transact([
    transition(topupKey(topup), { attribute: 'dispute', values: [null] }, { dispute: 'open', disputeId }, 'stale'),
    ...paymentAccountUpdate(topup.userId as string, [], now, {}, 1),
  ]);
}

async function closeDispute(event: Extract<PaymentEvent, { kind: 'dispute.closed' }>, now: string): Promise<void> {
  const topup = await paidTopup(event.paymentId, true);
  if (topup.dispute === 'won' || topup.dispute === 'lost') throw alreadyApplied();
  // A close delivered before the opening: the dispute is closed without ever counting as open. Either state may
  // have moved on since the read (the opening landed meanwhile): the transition then fails and all is read again.
  const wasOpen = topup.dispute === 'open';
  const from = { attribute: 'dispute', values: wasOpen ? ['open'] : [null] };
  if (event.outcome === 'won') {
    await transact([
      transition(topupKey(topup), from, { dispute: 'won', disputeId: event.disputeId }, 'stale'),
      ...(wasOpen ? paymentAccountUpdate(topup.userId as string, [], now, {}, -1) : []),
    ]);
    return;
  }
  const change = transition(topupKey(topup), from, { dispute: 'lost', disputeId: event.disputeId, disputeLost: event.amount }, 'stale');
  await takeBack(topup, event.amount, 'dispute-lost', now, change, wasOpen ? -1 : 0);
}

async function finishPayout(event: Extract<PaymentEvent, { kind: 'payout.paid' | 'payout.failed' }>, now: string): Promise<void> {
  const withdrawal = await readItem({ pk: keys.account(event.userId).pk, sk: event.withdrawalSk });
  if (!withdrawal || withdrawal.withdrawalId !== event.withdrawalId) throw new EventNotYetApplicable(`no withdrawal ${event.withdrawalId} is recorded`);
  const amount = withdrawal.amount as number;
  const paid = event.kind === 'payout.paid';
  await transact([
    transition({ pk: withdrawal.pk as string, sk: withdrawal.sk as string }, { attribute: 'status', values: ['requested', 'processing'] },
      { status: paid ? 'paid' : 'failed', payoutId: event.payoutId, closedAt: now }, alreadyApplied),
    // Paid: the held amount leaves the marketplace. Failed: it returns to the balance.
    ...paymentAccountUpdate(event.userId, [
      paid ? { kind: 'withdrawal-paid', reference: event.withdrawalId, held: -amount }
        : { kind: 'withdrawal-returned', reference: event.withdrawalId, held: -amount, balance: amount },
    ], now),
  ]);
}

/**
 * Applies one verified provider event, exactly once however often and in whatever order it is delivered:
 * every change is a transition conditioned on the state the event moves from, in the same transaction as the
 * account's change and its ledger entries. Returns whether this delivery changed anything.
 */
export async function applyPaymentEvent(event: PaymentEvent, at: Date): Promise<'applied' | 'unchanged'> {
  const now = at.toISOString();
  try {
    await withOptimisticRetry(async () => {
      switch (event.kind) {
        case 'payment.succeeded': return credit(event.paymentId, now);
        case 'payment.failed': return fail(event.paymentId, now);
        case 'payment.refunded': return refund(event.paymentId, event.refundedTotal, now);
        case 'dispute.opened': return openDispute(event.paymentId, event.disputeId, now);
        case 'dispute.closed': return closeDispute(event, now);
        case 'payout.paid':
        case 'payout.failed': return finishPayout(event, now);
        case 'ignored': throw new AlreadyApplied();
      }
    }, 10);
    return 'applied';
  } catch (error) {
    if (error instanceof AlreadyApplied) return 'unchanged';
    throw error;
  }
}

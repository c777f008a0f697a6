import type Stripe from 'stripe';
import type { PaymentEvent } from '../domain/payments.js';

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  (value === null || value === undefined ? null : typeof value === 'string' ? value : value.id);

/**
 * A verified Stripe event in the marketplace's words. Payments are found by their PaymentIntent id (charges and
 * disputes name it); payouts carry the withdrawal in the metadata the marketplace gave them. Anything else is
 * acknowledged and ignored.
 */
export function toPaymentEvent(event: Stripe.Event): PaymentEvent {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return { kind: 'payment.succeeded', paymentId: event.data.object.id, amount: event.data.object.amount_received };
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled':
      return { kind: 'payment.failed', paymentId: event.data.object.id };
    case 'charge.refunded': {
      const paymentId = idOf(event.data.object.payment_intent);
      return paymentId ? { kind: 'payment.refunded', paymentId, refundedTotal: event.data.object.amount_refunded } : { kind: 'ignored', type: event.type };
    }
    case 'charge.dispute.created': {
      const paymentId = idOf(event.data.object.payment_intent);
      return paymentId ? { kind: 'dispute.opened', paymentId, disputeId: event.data.object.id } : { kind: 'ignored', type: event.type };
    }
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const paymentId = idOf(dispute.payment_intent);
      // 'won' and 'lost' are the outcomes; a closed inquiry (warning_closed) takes nothing back.
      if (!paymentId) return { kind: 'ignored', type: event.type };
      return { kind: 'dispute.closed', paymentId, disputeId: dispute.id, outcome: dispute.status === 'lost' ? 'lost' : 'won', amount: dispute.amount };
    }
    case 'payout.paid':
    case 'payout.failed': {
      const { userId, withdrawalId, withdrawalSk } = event.data.object.metadata ?? {};
      if (!userId || !withdrawalId || !withdrawalSk) return { kind: 'ignored', type: event.type };
      return { kind: event.type, payoutId: event.data.object.id, userId, withdrawalId, withdrawalSk };
    }
    default:
      return { kind: 'ignored', type: event.type };
  }
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Stripe from 'stripe';
import { coverShortfall, reclaim, refundIncrement, withdrawalBlock } from '../../functions/domain/payments.js';
import { toPaymentEvent } from '../../functions/payments/stripe-events.js';

test('a refund or lost dispute takes what the balance covers; the rest is owed, never a negative balance', () => {
  assert.deepEqual(reclaim(10_000, 4_000), { taken: 4_000, shortfall: 0 });
  assert.deepEqual(reclaim(3_000, 10_000), { taken: 3_000, shortfall: 7_000 });
  assert.deepEqual(reclaim(0, 500), { taken: 0, shortfall: 500 });
});

test('a credit covers a shortfall first', () => {
  assert.deepEqual(coverShortfall(7_000, 5_000), { covered: 5_000, credited: 0 });
  assert.deepEqual(coverShortfall(2_000, 3_000), { covered: 2_000, credited: 1_000 });
  assert.deepEqual(coverShortfall(0, 3_000), { covered: 0, credited: 3_000 });
});

test("a refund event takes only what the provider's refunded total adds; a replay takes nothing", () => {
  assert.equal(refundIncrement(0, 400), 400);
  assert.equal(refundIncrement(400, 1_000), 600);
  assert.equal(refundIncrement(1_000, 1_000), 0);
  assert.equal(refundIncrement(1_000, 400), 0);
});

test('a shortfall or an open dispute blocks withdrawals', () => {
  assert.equal(withdrawalBlock({}), null);
  assert.equal(withdrawalBlock({ shortfall: 1 }), 'SHORTFALL');
  assert.equal(withdrawalBlock({ openDisputes: 1 }), 'OPEN_DISPUTE');
});

test("Stripe's events read in the marketplace's words; others are ignored", () => {
  const event = (type: string, object: Record<string, unknown>) => ({ id: 'evt', object: 'event', type, data: { object } }) as unknown as Stripe.Event;
  assert.deepEqual(toPaymentEvent(event('payment_intent.succeeded', { id: 'pi_1', amount_received: 500 })), { kind: 'payment.succeeded', paymentId: 'pi_1', amount: 500 });
  assert.deepEqual(toPaymentEvent(event('payment_intent.canceled', { id: 'pi_1' })), { kind: 'payment.failed', paymentId: 'pi_1' });
  assert.deepEqual(toPaymentEvent(event('charge.refunded', { payment_intent: 'pi_1', amount_refunded: 300 })), { kind: 'payment.refunded', paymentId: 'pi_1', refundedTotal: 300 });
  assert.deepEqual(toPaymentEvent(event('charge.dispute.closed', { id: 'dp_1', payment_intent: { id: 'pi_1' }, status: 'lost', amount: 500 })),
    { kind: 'dispute.closed', paymentId: 'pi_1', disputeId: 'dp_1', outcome: 'lost', amount: 500 });
  assert.deepEqual(toPaymentEvent(event('payout.paid', { id: 'po_1', metadata: { userId: 'u', withdrawalId: 'w', withdrawalSk: 's' } })),
    { kind: 'payout.paid', payoutId: 'po_1', userId: 'u', withdrawalId: 'w', withdrawalSk: 's' });
  assert.deepEqual(toPaymentEvent(event('payout.paid', { id: 'po_2', metadata: {} })), { kind: 'ignored', type: 'payout.paid' });
  assert.deepEqual(toPaymentEvent(event('customer.created', {})), { kind: 'ignored', type: 'customer.created' });
});

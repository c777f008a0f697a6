import type { PaymentEvent } from '../domain/payments.js';

/**
 * The payment provider boundary: the calls the use cases make, and its events read back in the
 * marketplace's words. Stripe is the provider (stripe-provider.ts); locally the same adapter talks to
 * local/payment-provider.ts, which stands in for Stripe's API and sends signed webhooks.
 */
export interface PaymentProvider {
  /** Starts collecting `amount`; `topupId` is the idempotency key, so a retry gets the same payment. */
  createPayment(payment: { topupId: string; userId: string; amount: number }): Promise<{ paymentId: string; clientSecret: string }>;
  /**
   * Pays `amount` out; `withdrawalId` is the idempotency key, so a redelivered request never pays twice.
   * `withdrawalSk` rides in the payout's metadata, so its events find the withdrawal with one GetItem.
   */
  requestPayout(payout: { withdrawalId: string; withdrawalSk: string; userId: string; amount: number }): Promise<{ payoutId: string }>;
  /** A webhook delivery, verified (signature and age) and read; throws InvalidWebhookError otherwise. */
  readWebhook(rawBody: string, signature: string | undefined): Promise<PaymentEvent>;
}

export class InvalidWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWebhookError';
  }
}

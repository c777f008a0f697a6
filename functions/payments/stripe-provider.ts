import Stripe from 'stripe';
import type { PaymentEvent } from '../domain/payments.js';
import { InvalidWebhookError, type PaymentProvider } from './payment-provider.js';
import { toPaymentEvent } from './stripe-events.js';
import { stripeSecrets } from './stripe-secrets.js';

/** Events older than this are refused (Stripe's default tolerance): a captured delivery cannot be replayed later. */
export const webhookToleranceSeconds = 300;

const currency = () => process.env.PAYMENT_CURRENCY ?? 'usd';

/**
 * STRIPE_API_URL points the SDK at another host: locally, local/payment-provider.ts. Unset when deployed
 * (the SDK's own api.stripe.com).
 */
function apiHost(): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = process.env.STRIPE_API_URL;
  if (!url) return {};
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port, protocol: parsed.protocol === 'http:' ? 'http' : 'https' };
}

let client: { key: string; stripe: Stripe } | null = null;

async function stripeClient(): Promise<Stripe> {
  const { secretKey } = await stripeSecrets();
  // A new client only when the key was rotated: the cached secret says which key is current.
  if (client?.key !== secretKey) {
    client = { key: secretKey, stripe: new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 8_000, ...apiHost() }) };
  }
  return client.stripe;
}

export const stripeProvider: PaymentProvider = {
  async createPayment({ topupId, userId, amount }) {
    const stripe = await stripeClient();
    const intent = await stripe.paymentIntents.create(
      { amount, currency: currency(), automatic_payment_methods: { enabled: true }, metadata: { userId, topupId } },
      { idempotencyKey: `topup-${topupId}` },
    );
    if (!intent.client_secret) throw new Error(`payment intent ${intent.id} has no client secret`);
    return { paymentId: intent.id, clientSecret: intent.client_secret };
  },

  async requestPayout({ withdrawalId, withdrawalSk, userId, amount }) {
    const stripe = await stripeClient();
    const payout = await stripe.payouts.create(
      { amount, currency: currency(), metadata: { userId, withdrawalId, withdrawalSk } },
      { idempotencyKey: `withdrawal-${withdrawalId}` },
    );
    return { payoutId: payout.id };
  },

  async readWebhook(rawBody, signature): Promise<PaymentEvent> {
    if (!signature) throw new InvalidWebhookError('no Stripe-Signature header');
    const { webhookSecret } = await stripeSecrets();
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(rawBody, signature, webhookSecret, webhookToleranceSeconds);
    } catch (error) {
      throw new InvalidWebhookError((error as Error).message);
    }
    return toPaymentEvent(event);
  },
};

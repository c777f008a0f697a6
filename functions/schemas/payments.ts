import { z } from 'zod';
import * as zm from 'zod/mini';
import { positiveMoney } from './common.js';

/** Schemas of the payment routes: top-ups paid through the provider, withdrawals, the provider's webhook. */
const money = z.number().int();
const timestamp = z.string();

export const topup = z.object({
  topupId: z.string(), amount: money, createdAt: timestamp,
  status: z.enum(['pending', 'succeeded', 'failed']).describe('pending until the payment provider says the payment succeeded or failed'),
  refunded: money.optional().describe('Refunded so far; taken back from the balance (docs/payments.md)'),
  dispute: z.enum(['open', 'won', 'lost']).optional().describe("The payment's dispute, if any; a lost one is taken back"),
});

export const startedTopup = topup.extend({
  clientSecret: z.string().nullable().describe("The PaymentIntent's client secret: the client confirms the payment with it (Stripe.js); null for a testers' instant credit"),
});

export const withdrawalRequest = zm.strictObject({ amount: positiveMoney });

export const withdrawal = z.object({
  withdrawalId: z.string(), amount: money, createdAt: timestamp,
  status: z.enum(['requested', 'processing', 'paid', 'failed']).describe('requested: held, queued for payout; processing: the provider is paying it; paid: it left; failed: returned to the balance'),
});

export const webhookAnswer = z.object({ received: z.literal(true), applied: z.boolean() });

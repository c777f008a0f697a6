import type { PaymentProvider } from './payment-provider.js';
import { stripeProvider } from './stripe-provider.js';

/** The provider the use cases call: Stripe (locally, the same adapter against local/payment-provider.ts). */
export const paymentProvider: PaymentProvider = stripeProvider;

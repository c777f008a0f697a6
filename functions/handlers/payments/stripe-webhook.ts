import { ValidationError } from '../../domain/errors.js';
import { publicHandler } from '../../http/http-handler.js';
import { logger } from '../../observability/logger.js';
import { InvalidWebhookError } from '../../payments/payment-provider.js';
import { paymentProvider } from '../../payments/provider.js';
import { applyPaymentEvent } from '../../usecases/payments.js';

/**
 * Stripe's webhook: the raw body as Stripe sent it (the signature covers its exact bytes), verified by the SDK
 * with the signing secret; an unsigned, wrongly signed or stale delivery is 400 with nothing written. A 2xx
 * tells Stripe the event is handled; a 409 (an event ahead of what it concerns) or 5xx makes Stripe deliver it
 * again later.
 */
export const handler = publicHandler('payments/stripe-webhook', async (event) => {
  const rawBody = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
  let paymentEvent;
  try {
    paymentEvent = await paymentProvider.readWebhook(rawBody, event.headers['stripe-signature']);
  } catch (error) {
    if (!(error instanceof InvalidWebhookError)) throw error;
    logger.warn('webhook refused', { reason: error.message });
    throw new ValidationError('The webhook signature is missing, wrong or too old', undefined, 'INVALID_SIGNATURE');
  }
  const outcome = await applyPaymentEvent(paymentEvent, new Date());
  logger.info('payment event', { kind: paymentEvent.kind, outcome });
  return { received: true, applied: outcome === 'applied' };
});

import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext, loadHandler } from './handler-loader.js';
import { originVerifyHeader } from '../functions/http/origin-header.js';

/**
 * The payment provider on this machine, so `npm start` and the tests need no Stripe account. One HTTP server
 * stands in for the three services the payment code calls, each in its own wire format (hand-written: no
 * package serves them locally):
 * - Stripe's API (`POST /v1/payment_intents`, `POST /v1/payouts`, form-encoded, with Idempotency-Key), reached
 *   by the real Stripe adapter through STRIPE_API_URL;
 * - Secrets Manager's GetSecretValue (the Stripe secrets), reached through AWS_ENDPOINT_URL_SECRETS_MANAGER;
 * - SQS's SendMessage for the withdrawals queue (the queue URL is this server), whose messages go to the
 *   payout consumer as Lambda's event source mapping gives them (retries, then a dead-letter list).
 * And it does what Stripe does next: it settles each payment and payout after a delay and sends the events to
 * the webhook route, signed with the `stripe` package's own test-signature helper, now and then twice and out
 * of order, again later while the route answers other than 2xx.
 */
export interface LocalPaymentOptions {
  /** After how long a payment succeeds or fails (default 1000 ms; LOCAL_PAYMENT_DELAY_MS). */
  paymentDelayMs?: number;
  /** After how long a payout is paid or fails (default 1000 ms; LOCAL_PAYOUT_DELAY_MS). */
  payoutDelayMs?: number;
  /**
   * What becomes of each payment (default: LOCAL_PAYMENT_FAIL_RATE of them fail, 0 unless set); a held one waits
   * for `release`.
   */
  paymentOutcome?: (payment: { amount: number; userId: string }) => 'succeeded' | 'failed' | 'held';
  /** Which payouts fail (default: LOCAL_PAYOUT_FAIL_RATE of them, 0 unless set). */
  payoutFails?: (payout: { amount: number; userId: string }) => boolean;
  /** The share of events delivered a second time (default LOCAL_WEBHOOK_DUPLICATES, else 0). */
  duplicates?: number;
  /** Each delivery waits up to this much longer, at random, so events overtake each other (default LOCAL_WEBHOOK_JITTER_MS, else 0). */
  jitterMs?: number;
}

export interface LocalPaymentProvider {
  /** Stripe's API here (STRIPE_API_URL). */
  apiUrl: string;
  /** The withdrawals queue (WITHDRAWALS_QUEUE_URL). */
  queueUrl: string;
  secretName: string;
  webhookSecret: string;
  /** Where events go: the gateway's webhook route (set once the gateway listens). */
  setWebhookUrl(url: string): void;
  /** Changes the settings from now on (delays, outcomes, duplicates, jitter). */
  configure(options: LocalPaymentOptions): void;
  /** Settles a held payment. */
  release(topupId: string, outcome: 'succeeded' | 'failed'): void;
  /** The PaymentIntent of a top-up, as Stripe's events carry it. */
  paymentIntent(topupId: string, status: 'succeeded' | 'requires_payment_method'): Record<string, unknown>;
  /** Refunds `amount` more of a payment (default: all that is left): `charge.refunded`. */
  refund(topupId: string, amount?: number): void;
  /** Opens a dispute on the payment and closes it with `outcome`: `charge.dispute.created`, then `.closed`. */
  dispute(topupId: string, outcome: 'won' | 'lost'): void;
  /** A signed delivery of an event the test builds (the body and its Stripe-Signature header). */
  sign(event: Record<string, unknown>, timestamp?: number): { body: string; signature: string };
  /** Resolves when the top-up's payment outcome was accepted by the webhook route. */
  whenSettled(topupId: string): Promise<void>;
  /** Resolves when every scheduled delivery and queued message is done. */
  idle(): Promise<void>;
  stats(): { payments: number; payouts: number; payoutRequests: number; deliveries: number; refused: number; deadLetters: unknown[] };
  /** How many payouts were created per withdrawal id (a double payout would show 2). */
  payoutsByWithdrawal(): Map<string, number>;
  close(): Promise<void>;
}

interface Payment { id: string; amount: number; userId: string; topupId: string; refunded: number }

const envNumber = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const failingRate = (name: string) => {
  const rate = envNumber(name, 0);
  return () => Math.random() < rate;
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Stripe's form encoding, flat fields and `metadata[key]` only (what the adapter sends). */
function formFields(body: string): { fields: Record<string, string>; metadata: Record<string, string> } {
  const fields: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const meta = /^metadata\[(.+)\]$/.exec(name);
    if (meta) metadata[meta[1]!] = value;
    else fields[name] = value;
  }
  return { fields, metadata };
}

export async function startLocalPaymentProvider(options: LocalPaymentOptions = {}): Promise<LocalPaymentProvider> {
  const failRate = envNumber('LOCAL_PAYMENT_FAIL_RATE', 0);
  const settings: Required<LocalPaymentOptions> = {
    paymentDelayMs: envNumber('LOCAL_PAYMENT_DELAY_MS', 1000),
    payoutDelayMs: envNumber('LOCAL_PAYOUT_DELAY_MS', 1000),
    paymentOutcome: () => (Math.random() < failRate ? 'failed' : 'succeeded'),
    payoutFails: failingRate('LOCAL_PAYOUT_FAIL_RATE'),
    duplicates: envNumber('LOCAL_WEBHOOK_DUPLICATES', 0),
    jitterMs: envNumber('LOCAL_WEBHOOK_JITTER_MS', 0),
  };
  const configure = (changes: LocalPaymentOptions) => {
    for (const [name, value] of Object.entries(changes)) if (value !== undefined) (settings as Record<string, unknown>)[name] = value;
  };
  configure(options);
  const account = randomUUID().slice(0, 8);
  const secretKey = `sk_test_local_${account}`;
  const webhookSecret = `whsec_local_${randomUUID().replaceAll('-', '')}`;
  const secretName = `local/stripe-${account}`;

  let webhookUrl = '';
  const payments = new Map<string, Payment>();
  const byTopup = new Map<string, Payment>();
  const idempotent = new Map<string, unknown>();
  const payouts = new Map<string, number>();
  let payoutRequests = 0;
  const settled = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  const deadLetters: unknown[] = [];
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  let deliveries = 0;
  let refused = 0;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  const track = () => { inFlight++; };
  const untrack = () => {
    inFlight--;
    if (inFlight === 0) { const waiters = idleWaiters; idleWaiters = []; waiters.forEach((w) => w()); }
  };
  const later = (ms: number, run: () => Promise<void> | void) => {
    track();
    const timer = setTimeout(() => {
      timers.delete(timer);
      Promise.resolve().then(run).catch((error: unknown) => console.error('local payments:', error)).finally(untrack);
    }, ms);
    timers.add(timer);
  };
  const settlement = (topupId: string) => {
    let entry = settled.get(topupId);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      entry = { promise, resolve };
      settled.set(topupId, entry);
    }
    return entry;
  };

  const sign = (event: Record<string, unknown>, timestamp?: number) => {
    const body = JSON.stringify(event);
    return { body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: webhookSecret, ...(timestamp ? { timestamp } : {}) }) };
  };

  /** One delivery; answered other than 2xx, Stripe tries again later (here: soon, up to 30 times). */
  async function deliver(event: Record<string, unknown>, attempt: number, onAccepted?: () => void): Promise<void> {
    if (closed) return;
    // Signed at each attempt, as Stripe signs each with its own timestamp.
    const { body, signature } = sign(event);
    deliveries++;
    let status = 0;
    try {
      // Stripe calls the public (CloudFront) URL, which adds the origin header: with ORIGIN_SECRET set, so does this.
      const origin = process.env.ORIGIN_SECRET?.split(',')[0]?.trim();
      const headers = { 'content-type': 'application/json', 'stripe-signature': signature, ...(origin ? { [originVerifyHeader]: origin } : {}) };
      const response = await fetch(webhookUrl, { method: 'POST', headers, body });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) { onAccepted?.(); return; }
    refused++;
    if (attempt < 30) later(Math.min(2000, 50 * 2 ** Math.min(attempt, 5)), () => deliver(event, attempt + 1, onAccepted));
  }

  /** Sends an event after `delayMs`, and a duplicate now and then; jitter lets events overtake each other. */
  function send(type: string, object: Record<string, unknown>, delayMs: number, onAccepted?: () => void): void {
    const event = {
      id: `evt_${randomUUID().replaceAll('-', '')}`, object: 'event', api_version: Stripe.API_VERSION, created: Math.floor(Date.now() / 1000),
      type, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object },
    };
    const copies = Math.random() < settings.duplicates ? 2 : 1;
    for (let i = 0; i < copies; i++) later(delayMs + Math.random() * settings.jitterMs, () => deliver(event, 1, onAccepted));
  }

  const paymentIntent = (payment: Payment, status: string) => ({
    id: payment.id, object: 'payment_intent', amount: payment.amount, amount_received: status === 'succeeded' ? payment.amount : 0,
    currency: 'usd', status, client_secret: `${payment.id}_secret_${account}`, metadata: { userId: payment.userId, topupId: payment.topupId }, livemode: false,
  });

  function createPaymentIntent(fields: Record<string, string>, metadata: Record<string, string>): Record<string, unknown> {
    const payment: Payment = {
      id: `pi_${randomUUID().replaceAll('-', '').slice(0, 24)}`, amount: Number(fields.amount), userId: metadata.userId ?? '', topupId: metadata.topupId ?? '', refunded: 0,
    };
    payments.set(payment.id, payment);
    byTopup.set(payment.topupId, payment);
    const outcome = settings.paymentOutcome(payment);
    if (outcome !== 'held') settle(payment, outcome, settings.paymentDelayMs);
    return paymentIntent(payment, 'requires_payment_method');
  }

  function settle(payment: Payment, outcome: 'succeeded' | 'failed', delayMs: number): void {
    const accepted = () => settlement(payment.topupId).resolve();
    if (outcome === 'failed') send('payment_intent.payment_failed', paymentIntent(payment, 'requires_payment_method'), delayMs, accepted);
    else send('payment_intent.succeeded', paymentIntent(payment, 'succeeded'), delayMs, accepted);
  }

  function createPayout(fields: Record<string, string>, metadata: Record<string, string>): Record<string, unknown> {
    const payout = {
      id: `po_${randomUUID().replaceAll('-', '').slice(0, 24)}`, object: 'payout', amount: Number(fields.amount), currency: fields.currency ?? 'usd',
      metadata, livemode: false, status: 'pending',
    };
    payouts.set(metadata.withdrawalId ?? '', (payouts.get(metadata.withdrawalId ?? '') ?? 0) + 1);
    const fails = settings.payoutFails({ amount: payout.amount, userId: metadata.userId ?? '' });
    send(fails ? 'payout.failed' : 'payout.paid', { ...payout, status: fails ? 'failed' : 'paid' }, settings.payoutDelayMs);
    return payout;
  }

  async function stripeApi(request: IncomingMessage, path: string, body: string): Promise<{ status: number; body: unknown }> {
    if (request.headers.authorization !== `Bearer ${secretKey}`) {
      return { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } } };
    }
    // Stripe's idempotency: the same key answers what it answered the first time.
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? `${path}|${key}` : null;
    if (idempotencyKey && idempotent.has(idempotencyKey)) return { status: 200, body: idempotent.get(idempotencyKey) };
    const { fields, metadata } = formFields(body);
    let answer: Record<string, unknown>;
    if (path === '/v1/payment_intents') answer = createPaymentIntent(fields, metadata);
    else if (path === '/v1/payouts') { payoutRequests++; answer = createPayout(fields, metadata); }
    else return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${path})` } } };
    if (idempotencyKey) idempotent.set(idempotencyKey, answer);
    return { status: 200, body: answer };
  }

  /** The payout consumer, invoked as SQS's event source mapping does: up to 3 receives, then the dead-letter list. */
  function enqueue(messageBody: string, receive = 1): void {
    later(receive === 1 ? 0 : 300 * receive, async () => {
      const messageId = randomUUID();
      const event: SQSEvent = {
        Records: [{
          messageId, receiptHandle: messageId, body: messageBody, md5OfBody: createHash('md5').update(messageBody).digest('hex'),
          attributes: { ApproximateReceiveCount: String(receive), SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
          messageAttributes: {}, eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:000000000000:withdrawals', awsRegion: 'local',
        }],
      };
      let failed = true;
      try {
        const handler = await loadHandler('withdrawals/pay-out') as unknown as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse | void>;
        const result = await handler(event, lambdaContext('payOut', messageId, 30_000));
        failed = (result?.batchItemFailures ?? []).length > 0;
      } catch (error) {
        console.error('local payments: payout consumer threw', error);
      }
      if (!failed || closed) return;
      if (receive < 3) enqueue(messageBody, receive + 1);
      else deadLetters.push(JSON.parse(messageBody));
    });
  }

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://localhost');
      const target = request.headers['x-amz-target'];
      let answer: { status: number; body: unknown; contentType?: string };
      if (target === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        answer = SecretId === secretName
          ? { status: 200, contentType: 'application/x-amz-json-1.1', body: { ARN: `arn:aws:secretsmanager:local:000000000000:secret:${secretName}`, Name: secretName, VersionId: 'local', SecretString: JSON.stringify({ secretKey, webhookSecret }), CreatedDate: 0 } }
          : { status: 400, contentType: 'application/x-amz-json-1.1', body: { __type: 'ResourceNotFoundException', message: `no secret ${SecretId}` } };
      } else if (target === 'AmazonSQS.SendMessage') {
        const { MessageBody } = JSON.parse(body) as { MessageBody: string };
        enqueue(MessageBody);
        answer = { status: 200, contentType: 'application/x-amz-json-1.0', body: { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') } };
      } else if (request.method === 'POST' && url.pathname.startsWith('/v1/')) {
        answer = await stripeApi(request, url.pathname, body);
      } else {
        answer = { status: 404, body: { message: 'not here' } };
      }
      const text = JSON.stringify(answer.body);
      response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': `req_${randomUUID()}` });
      response.end(text);
    })().catch((error: unknown) => {
      console.error('local payments: request failed', error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const paymentOf = (topupId: string) => {
    const payment = byTopup.get(topupId);
    if (!payment) throw new Error(`no payment for top-up ${topupId}`);
    return payment;
  };
  const charge = (payment: Payment) => ({
    id: `ch_${payment.id.slice(3)}`, object: 'charge', amount: payment.amount, amount_refunded: payment.refunded, payment_intent: payment.id, refunded: payment.refunded >= payment.amount, livemode: false,
  });

  return {
    apiUrl: base,
    queueUrl: `${base}/000000000000/withdrawals`,
    secretName,
    webhookSecret,
    setWebhookUrl(url) { webhookUrl = url; },
    configure,
    release: (topupId, outcome) => settle(paymentOf(topupId), outcome, 0),
    paymentIntent: (topupId, status) => paymentIntent(paymentOf(topupId), status),
    refund(topupId, amount) {
      const payment = paymentOf(topupId);
      payment.refunded += amount ?? payment.amount - payment.refunded;
      send('charge.refunded', charge(payment), 0);
    },
    dispute(topupId, outcome) {
      const payment = paymentOf(topupId);
      const dispute = { id: `dp_${payment.id.slice(3)}`, object: 'dispute', amount: payment.amount, charge: charge(payment).id, payment_intent: payment.id, livemode: false };
      send('charge.dispute.created', { ...dispute, status: 'needs_response' }, 0);
      send('charge.dispute.closed', { ...dispute, status: outcome }, 50);
    },
    sign,
    whenSettled: (topupId) => settlement(topupId).promise,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    stats: () => ({ payments: payments.size, payouts: [...payouts.values()].reduce((a, b) => a + b, 0), payoutRequests, deliveries, refused, deadLetters }),
    payoutsByWithdrawal: () => new Map(payouts),
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

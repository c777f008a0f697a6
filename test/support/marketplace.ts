import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.js';
import { testSeedSize, type SeedSize } from '../../local/seed.js';
import { localClient } from '../../local/table.js';
import type { ThrottleClass } from '../../functions/routes.js';
import { stageConfig, type Throttle } from '../../lib/stage-config.js';
import { checkAnswer } from './openapi-validator.js';

// DynamoDB Local keeps one database per access key: each test process gets its own, so that one file's
// tables, and above all its stream records (each slows every later stream-enabled table of its database),
// stay out of the other files' way. Every client here and the handlers' own SDK read it from the environment.
process.env.AWS_ACCESS_KEY_ID = `test${process.pid}`;
process.env.AWS_SECRET_ACCESS_KEY = 'local';

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (not JSON-encoded). */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestMarketplace {
  url: string;
  runtime: LocalRuntime;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The top-ups' Powertools idempotency records (the stack's idempotency table). */
  idempotencyTableName: string;
  token(userId: string, groups?: string[]): Promise<string>;
  call<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer<T>>;
  /**
   * Waits until the stream consumers have handled every record written so far (nothing when streams are off), and
   * with the feed on what they wrote in turn.
   * Returns the instant after: as `minAsOf` it asks for reads made after the aggregates it waited for (locally
   * the test's clock is the handlers').
   */
  settle(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The marketplace as `npm start` runs it (gateway, JWT checks, real handlers, DynamoDB Local), on its own
 * table and a free port. Uses the DynamoDB Local that `npm test` started, or starts one.
 */
export async function startTestMarketplace(options: {
  seed?: SeedSize | null;
  throttleStage?: string | null;
  /** Explicit rate and burst per throttle class (overrides throttleStage). */
  throttleClasses?: Record<ThrottleClass, Throttle>;
  /** The throttles' clock in ms (default: real time). */
  throttleClock?: () => number;
  /** A DynamoDB (Local) to use instead of the shared one, e.g. one the test stops and restarts. */
  dynamoDbEndpoint?: string;
  /** The conflict-faithful proxy in front of DynamoDB Local (off by default). */
  conflicts?: LocalRuntimeOptions['conflicts'];
  /** The stream consumers (on by default, with a 50 ms batching window so settle() is quick; `true`: the consumers' own). */
  streams?: LocalRuntimeOptions['streams'];
  /** The public read cache of each simulated Lambda environment; default: the deployed stages' setting. */
  publicReadCacheMs?: number;
  /** The scheduled jobs on their schedules (off by default: tests run jobs themselves, test/support/job-context.ts). */
  schedules?: LocalRuntimeOptions['schedules'];
  /**
   * The live feed's publisher among the stream consumers (off by default: it doubles the stream work, and only
   * the feed's own tests read what it writes).
   */
  feed?: boolean;
  /**
   * The local payment provider (local/payment-provider.ts). In tests a payment settles at once (0 ms) and `call`
   * answers a paid top-up's 201 only once its webhook was accepted, so a test that tops up can spend next;
   * `awaitTopups: false` answers at once, as the API does.
   */
  payments?: LocalRuntimeOptions['payments'] & { awaitTopups?: boolean };
} = {}): Promise<TestMarketplace> {
  const tableName = `test-${randomUUID()}`;
  const shared = options.dynamoDbEndpoint ?? process.env.TEST_DYNAMODB_ENDPOINT;
  const runtime = await startLocalRuntime({
    port: 0,
    tableName,
    seedSize: options.seed === undefined ? testSeedSize : options.seed,
    dynamoDbEndpoint: shared,
    dynamoDbPort: shared ? undefined : 18_000 + Math.floor(Math.random() * 1000),
    throttleStage: options.throttleStage ?? null,
    throttleClasses: options.throttleClasses,
    throttleClock: options.throttleClock,
    conflicts: options.conflicts ?? null,
    streams: options.streams ?? { batchingWindowMs: 50 },
    // The tests certify what is deployed: public reads reuse first pages and floors, per Lambda environment.
    publicReadCacheMs: options.publicReadCacheMs ?? stageConfig('staging').publicReadCacheMs,
    schedules: options.schedules ?? false,
    feed: options.feed ?? false,
    payments: { paymentDelayMs: 0, payoutDelayMs: 0, ...options.payments },
  });
  const awaitTopups = options.payments?.awaitTopups ?? true;
  const client = localClient(runtime.endpoint);
  const doc = DynamoDBDocumentClient.from(client);
  return {
    url: runtime.url,
    runtime,
    doc,
    tableName,
    idempotencyTableName: runtime.idempotencyTableName,
    token: (userId, groups) => runtime.issuer.sign({ sub: userId, groups }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${runtime.url}${path}`, { method, headers, body });
      const text = await response.text();
      await checkAnswer({ method, path, status: response.status, headers: response.headers, text });
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON: the test sees the text.
      }
      if (awaitTopups && method === 'POST' && path.startsWith('/users/balance-topups') && response.status === 201 && (parsed as any)?.status === 'pending') {
        await runtime.payments.whenSettled((parsed as any).topupId);
      }
      return { status: response.status, headers: response.headers, body: parsed as any };
    },
    async settle() {
      // The payment provider's webhooks and payouts first: what they write goes through the stream too.
      await runtime.payments.idle();
      await runtime.streams?.drain();
      // What the consumers wrote meanwhile is on the stream too (the aggregator's collection stats feed the live
      // feed's collection.updated): one more drain handles it; the feed's own writes reach no consumer.
      if (options.feed) await runtime.streams?.drain();
      return new Date().toISOString();
    },
    async stop() {
      client.destroy();
      await runtime.stop();
    },
  };
}

/** Follows nextCursor to the end and returns every item, failing on a page that repeats an item. */
export async function collectAllPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<ApiAnswer<{ items: T[]; nextCursor: string | null }>>,
  idOf: (item: T) => string,
  maxPages = 500,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 1; pages <= maxPages; pages++) {
    const answer = await fetchPage(cursor);
    if (answer.status !== 200) throw new Error(`page ${pages}: status ${answer.status} ${JSON.stringify(answer.body)}`);
    for (const item of answer.body.items) {
      const key = idOf(item);
      if (seen.has(key)) throw new Error(`item ${key} repeated on page ${pages}`);
      seen.add(key);
      items.push(item);
    }
    if (answer.body.nextCursor === null) return { items, pages };
    cursor = answer.body.nextCursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}

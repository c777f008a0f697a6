import './powertools-defaults.js';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startConflictProxy, type ConflictProxy } from './conflict-proxy.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { startFeedService, type FeedService } from './feed-service.js';
import { createGateway } from './gateway.js';
import { createLocalIssuer, type LocalIssuer } from './jwt-issuer.js';
import { createLambdaEnvironments, type LambdaEnvironments } from './lambda-environments.js';
import { localRoutes } from './local-routes.js';
import { createRateLimiter } from './rate-limiter.js';
import { startLocalPaymentProvider, type LocalPaymentOptions, type LocalPaymentProvider } from './payment-provider.js';
import { createIdempotencyTable, createTable, localClient, tableExists } from './table.js';
import { writeSeed, type SeedSize, type SeedSummary } from './seed.js';
import { openSeedSnapshot, type SeedSnapshotOptions } from './seed-snapshot.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { startStreamPoller, type StreamPoller } from './stream-poller.js';
import { deployableJobs } from '../lib/jobs.js';
import { paymentStageSettings } from '../lib/payments.js';
import { stageConfig, type Throttle } from '../lib/stage-config.js';
import type { ThrottleClass } from '../functions/routes.js';
import { streamConsumers } from '../functions/stream-consumers.js';

export interface LocalRuntimeOptions {
  port: number;
  tableName: string;
  seedSize: SeedSize | null;
  /** Use a DynamoDB (Local) that is already running instead of starting one. */
  dynamoDbEndpoint?: string | undefined;
  dynamoDbPort?: number | undefined;
  dataDir?: string | undefined;
  /**
   * Reuse the seeded database of an earlier start with the same seed (local/seed-snapshot.ts) for up to
   * `maxAgeHours`; `cacheDir` is where snapshots are kept. Only when this runtime starts DynamoDB Local itself,
   * in memory (no dataDir). Off by default.
   */
  seedSnapshot?: SeedSnapshotOptions | undefined;
  /** Enforce a stage's throttles (the default: staging); null turns throttling off. */
  throttleStage?: string | null | undefined;
  /** Explicit rate and burst per throttle class, instead of a stage's (tests drive routes past a low limit). */
  throttleClasses?: Record<ThrottleClass, Throttle> | undefined;
  /** The throttles' clock, in ms (default performance.now): tests move it instead of waiting. */
  throttleClock?: (() => number) | undefined;
  /**
   * Put the conflict-faithful proxy (local/conflict-proxy.ts) between the handlers and DynamoDB Local, so
   * concurrent transactions on one item are cancelled as DynamoDB cancels them. Off by default.
   */
  conflicts?: { holdMs: number } | null | undefined;
  /**
   * Feed the table's stream to the consumers of functions/stream-consumers.ts, as Lambda does (on by default).
   * `batchingWindowMs` replaces their batching windows; `duplicates` (0..1) redelivers batches now and then.
   */
  streams?: boolean | { duplicates?: number; batchingWindowMs?: number } | undefined;
  /** Run the live feed: its publisher (the publishFeed consumer) and the local AppSync Events (on by default). */
  feed?: boolean | undefined;
  /**
   * How long each simulated Lambda environment of a public read reuses a first page or floor (0: off). Default:
   * PUBLIC_READ_CACHE_MS, else the staging stage's setting, as deployed.
   */
  publicReadCacheMs?: number | undefined;
  /**
   * Run the scheduled jobs of lib/jobs.ts on their schedules, as EventBridge does (on by default). `everyMs`
   * replaces every job's period.
   */
  schedules?: boolean | { everyMs?: number } | undefined;
  /** The local payment provider (local/payment-provider.ts): delays, failures, duplicated and reordered webhooks. */
  payments?: LocalPaymentOptions | undefined;
}

/** The stream consumers, all together: the local stand-in for their event source mappings. */
export type LocalStreams = Pick<StreamPoller, 'pause' | 'resume' | 'drain' | 'stats' | 'lag' | 'failures'>;

/** The scheduled jobs: the local stand-in for their EventBridge rules and on-failure destinations. */
export type LocalSchedules = Pick<Scheduler, 'schedules' | 'runs' | 'failures'>;

export interface LocalRuntime {
  url: string;
  /** DynamoDB Local itself (the seed and the tests' own clients); the handlers go through `conflicts` when it is on. */
  endpoint: string;
  /** Where the top-ups' idempotency records go (the stack's idempotency table). */
  idempotencyTableName: string;
  issuer: LocalIssuer;
  seed: SeedSummary | null;
  /** Whether the seed came from the snapshot of an earlier start, or was written and kept as one. */
  seedSnapshot: 'restored' | 'saved' | null;
  server: Server;
  streams: LocalStreams | null;
  schedules: LocalSchedules | null;
  conflicts: ConflictProxy | null;
  /** The simulated Lambda environments, each with its own public read cache. */
  environments: LambdaEnvironments;
  /**
   * The local AppSync Events (docs/live-feed.md): `ws://…/event/realtime` on the gateway's port, served by a
   * process of its own and fed by the publishFeed consumer. Undefined when the feed is off.
   */
  feed: FeedService | undefined;
  /** Stripe's stand-in: the payments and payouts it made, refunds and disputes on demand, its webhook deliveries. */
  payments: LocalPaymentProvider;
  stop(): Promise<void>;
}

/** Consumers whose handler exists (as the stack deploys only those). */
const localStreamConsumers = (feed: boolean) => streamConsumers.filter((consumer) => (feed || consumer.id !== 'publishFeed') &&
  existsSync(new URL(`../functions/handlers/${consumer.handler}.ts`, import.meta.url)));

/**
 * DynamoDB Local, the table, the seed data, the gateway, the stream consumers and the scheduled jobs
 * (optionally behind the conflict-faithful proxy): the whole marketplace on one machine.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  // Lambda runs Node 22+; this machine's Node 20 makes the SDK print a support warning on every client.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let dynamo: DynamoDbLocal | null = null;
  const snapshot = options.seedSize && options.seedSnapshot && !options.dynamoDbEndpoint && !options.dataDir
    ? openSeedSnapshot(options.seedSize, options.seedSnapshot)
    : null;
  let endpoint: string;
  try {
    endpoint = options.dynamoDbEndpoint ?? (dynamo = await startDynamoDbLocal({
      port: options.dynamoDbPort ?? 8000, dataDir: snapshot?.workDir ?? options.dataDir,
    })).endpoint;
  } catch (error) {
    snapshot?.discard();
    throw error;
  }

  // The handlers read these, exactly as they read the environment the stack gives each Lambda (the data layer
  // reads DYNAMODB_ENDPOINT once, when a handler is first loaded).
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.TABLE_NAME = options.tableName;
  const idempotencyTableName = `${options.tableName}-idempotency`;
  process.env.IDEMPOTENCY_TABLE_NAME = idempotencyTableName;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.POWERTOOLS_SERVICE_NAME ??= 'marketplace-local';
  // Lambda gives each invocation its own client; here one process serves every concurrent invocation through
  // one client against DynamoDB Local, which slows down far more than DynamoDB under a burst. Give a call
  // more time than the Lambda defaults in functions/data/client.ts (set these to test those).
  process.env.DYNAMODB_REQUEST_TIMEOUT_MS ??= '10000';
  // A burst queues requests for the shared client's sockets; in Lambda each invocation has its own.
  process.env.DYNAMODB_CONNECT_TIMEOUT_MS ??= '10000';
  process.env.DYNAMODB_CALL_TIMEOUT_MS ??= '25000';

  let conflicts: ConflictProxy | null = null;
  let poller: StreamPoller | null = null;
  let scheduler: Scheduler | null = null;
  let feed: FeedService | undefined;
  let payments: LocalPaymentProvider | null = null;
  try {
    const client = localClient(endpoint);
    let seed: SeedSummary | null = snapshot?.restored ?? null;
    if (!(await tableExists(client, options.tableName))) {
      // No stream yet: the seed writes its own aggregates, so its records must not reach the consumers, and
      // DynamoDB Local writes far slower to a table with a stream. The poller turns it on.
      await createTable(client, options.tableName, { stream: false });
      if (options.seedSize) seed = await writeSeed(client, options.tableName, options.seedSize);
      if (seed && snapshot) snapshot.save(seed);
    }
    if (!(await tableExists(client, idempotencyTableName))) await createIdempotencyTable(client, idempotencyTableName);
    client.destroy();

    if (options.conflicts) {
      conflicts = await startConflictProxy({ upstream: endpoint, holdMs: options.conflicts.holdMs });
      process.env.DYNAMODB_ENDPOINT = conflicts.endpoint;
    }
    if (options.streams !== false) {
      const tuning = typeof options.streams === 'object' ? options.streams : {};
      // From now on: the seed (written before the stream was on) or an earlier run was aggregated already.
      poller = await startStreamPoller({
        endpoint, tableName: options.tableName, consumers: localStreamConsumers(options.feed !== false), startAt: 'LATEST', ...tuning,
        log: (line) => { if (process.env.POWERTOOLS_LOG_LEVEL !== 'SILENT') console.warn(line); },
      });
    }

    if (options.schedules !== false) {
      // After the seed, like the stream: the jobs see only what the seed and the API wrote.
      scheduler = startScheduler({
        jobs: deployableJobs(), ...(typeof options.schedules === 'object' ? options.schedules : {}),
        log: (line) => { if (process.env.POWERTOOLS_LOG_LEVEL !== 'SILENT') console.warn(line); },
      });
    }

    let baseUrl = `http://localhost:${options.port}`;
    const issuer = await createLocalIssuer(`${baseUrl}/local`);
    const throttleStage = options.throttleStage === undefined ? 'staging' : options.throttleStage;
    const throttleClasses = options.throttleClasses ?? (throttleStage ? stageConfig(throttleStage).throttle.classes : undefined);
    const environments = createLambdaEnvironments({
      publicReadCacheMs: options.publicReadCacheMs
        ?? Number(process.env.PUBLIC_READ_CACHE_MS ?? stageConfig('staging').publicReadCacheMs),
    });
    // One process runs every simulated environment: its own cache (the one a Lambda environment has) stays off,
    // so that each environment's cache is the only one.
    process.env.PUBLIC_READ_CACHE_MS = '0';
    feed = options.feed === false ? undefined : await startFeedService(issuer);
    payments = await startLocalPaymentProvider(options.payments);
    useLocalPayments(payments);
    const server = createGateway({
      issuer,
      feed,
      localRoutes: localRoutes(issuer, () => baseUrl),
      rateLimiter: throttleClasses ? createRateLimiter(throttleClasses, options.throttleClock) : undefined,
      environments,
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
    // Where the feed publisher (a stream consumer) publishes, as FEED_HTTP_URL names AppSync Events when deployed.
    process.env.FEED_HTTP_URL = baseUrl;
    payments.setWebhookUrl(`${baseUrl}/payments/stripe/webhook`);
    return {
      url: baseUrl,
      endpoint,
      idempotencyTableName,
      issuer,
      seed,
      seedSnapshot: snapshot ? (snapshot.restored ? 'restored' : 'saved') : null,
      server,
      streams: poller,
      schedules: scheduler,
      conflicts,
      environments,
      feed,
      payments,
      async stop() {
        await payments?.close();
        await scheduler?.stop();
        await poller?.stop();
        feed?.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await conflicts?.close();
        await dynamo?.stop();
        snapshot?.discard();
      },
    };
  } catch (error) {
    await payments?.close();
    await scheduler?.stop();
    await poller?.stop();
    feed?.close();
    await conflicts?.close();
    await dynamo?.stop();
    snapshot?.discard();
    throw error;
  }
}

/** The payment code's environment, as the stack gives it, pointed at the local provider. */
function useLocalPayments(payments: LocalPaymentProvider): void {
  process.env.STRIPE_API_URL = payments.apiUrl;
  process.env.STRIPE_SECRET_NAME = payments.secretName;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = payments.apiUrl;
  process.env.WITHDRAWALS_QUEUE_URL = payments.queueUrl;
  process.env.TESTER_INSTANT_CREDIT ??= String(paymentStageSettings('staging').testerInstantCredit);
}

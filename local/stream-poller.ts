/**
 * The local stand-in for Lambda's DynamoDB event source mappings: reads the table's stream from DynamoDB Local
 * (DescribeStream, GetShardIterator, GetRecords) and invokes each consumer of functions/stream-consumers.ts
 * with the DynamoDBStreamEvent batches Lambda would give it, as the Lambda Developer Guide documents
 * ("Using AWS Lambda with Amazon DynamoDB", "Configuring partial batch response with DynamoDB and Lambda"):
 * - records that fail the consumer's filter are skipped (they count as processed);
 * - a batch holds up to batchSize records, gathered for up to maxBatchingWindowSeconds;
 * - batchItemFailures (the stack turns on ReportBatchItemFailures): the records before the lowest failed
 *   sequence number are done and the rest is retried; a thrown error, a timeout or an itemIdentifier that
 *   names no record of the batch fails the whole batch;
 * - bisectBatchOnError splits a failing batch in two and retries each half (a split uses no retry); after
 *   retryAttempts retries the failing records go to the on-failure destination and the shard moves on;
 * - a shard's records are delivered in order, one batch at a time; a child shard is read after its parent.
 * Local differences: parallelizationFactor is ignored (one batch at a time per shard keeps the per-item
 * order Lambda keeps, and more); the on-failure destination is an in-memory list holding the records
 * themselves (Lambda's gets the batch's sequence numbers and the records stay in the stream); no record age
 * limit; retries wait retryDelayMs, doubling up to 1 s. DynamoDB Local truncates ApproximateCreationDateTime to
 * the minute, so a record carries the second the poller first read it instead (DynamoDB's precision), and
 * lag() dates records by that first read: the poller keeps reading (up to 10,000 records a shard) while paused.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record, type AttributeValue, type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesStreamFilter, type StreamConsumer } from '../functions/stream-consumers.js';
import { lambdaContext, loadStreamHandler, type StreamHandler } from './handler-loader.js';
import { ensureStream, localClient, localCredentials } from './table.js';

export interface StreamPollerOptions {
  /** DynamoDB Local, which serves the Streams API on the same port. */
  endpoint: string;
  tableName: string;
  /** Consumers (their handler module loaded as Lambda loads it), or explicit consumer and handler pairs. */
  consumers: ReadonlyArray<StreamConsumer | { consumer: StreamConsumer; handler: StreamHandler }>;
  /** LATEST (default): records written from now on; TRIM_HORIZON: everything still in the stream. */
  startAt?: 'LATEST' | 'TRIM_HORIZON';
  /** Replaces every consumer's maxBatchingWindowSeconds (tests: 50 ms). */
  batchingWindowMs?: number;
  /** 0..1: the chance that a handled batch is delivered again later, as Lambda may after a timeout (now and then an older batch). */
  duplicates?: number;
  /** Wait between reads of a shard that is being written (Lambda polls about 4 times a second). */
  pollIntervalMs?: number;
  /**
   * The longest wait between reads of a shard that has been empty for a while: each empty read doubles the wait
   * from pollIntervalMs up to this. A write to DynamoDB from this process, or drain(), ends the wait at once.
   */
  idlePollMs?: number;
  /** The first retry's wait, doubled per retry up to 1 s. */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

export interface StreamPollerStats {
  /** Records handed to a handler (first deliveries: retries and duplicates are counted apart). */
  recordsDelivered: number;
  /** Records skipped by the consumers' filters. */
  recordsFiltered: number;
  /** Handler invocations, retries and duplicates included. */
  batches: number;
  /** Invocations that threw, timed out or reported batchItemFailures. */
  handlerFailures: number;
  /** Invocations that delivered records again after a failure (bisected halves included). */
  retries: number;
  /** Records sent to the on-failure destination. */
  recordsFailed: number;
  /** Batches delivered again by the `duplicates` chaos option. */
  duplicatesInjected: number;
}

/** What the on-failure destination receives: Lambda's batch info, plus (locally) the records themselves. */
export interface StreamFailure {
  consumerId: string;
  reason: string;
  /** Invocations of these records after their last split. */
  attempts: number;
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  records: DynamoDBRecord[];
  at: string;
}

export interface StreamPoller {
  streamArn: string;
  /** Stops delivering, as if the consumers were down; records pile up undelivered. */
  pause(): void;
  resume(): void;
  /** Resolves once every record written before the call is handled or sent to the destination (waits out a pause). */
  drain(): Promise<void>;
  stats(): StreamPollerStats;
  /** Milliseconds: the age of the oldest undelivered record, or else the last batch's age when it was delivered (Lambda's IteratorAge). */
  lag(): number;
  failures(): StreamFailure[];
  stop(): Promise<void>;
}

interface Consumer { consumer: StreamConsumer; handler: Promise<StreamHandler> }
interface Pending { record: DynamoDBRecord; sequence: bigint; seenAt: number }

/** One consumer's reading of one shard. */
interface Feed {
  run: Consumer;
  shardId: string;
  parent: Feed | undefined;
  startType: 'LATEST' | 'TRIM_HORIZON';
  iterator: string | undefined;
  /** Sequence number of the last record read, filtered out or not. */
  lastRead: string | undefined;
  /** The shard is closed and every record of it has been read. */
  closed: boolean;
  /** Read, not yet delivered. */
  buffer: Pending[];
  /** The batch being delivered: its records not yet handled. */
  inFlight: Pending[];
  replays: Array<{ records: Pending[]; after: number }>;
  history: Pending[][];
  /** Clock tick of the last read that found nothing new. */
  caughtUp: number;
  /** Reads in a row that found nothing: the next wait is pollIntervalMs doubled this many times (up to idlePollMs). */
  emptyReads: number;
  /** Wakes the read loop's wait (a write, drain(), stop()). */
  writes: Set<() => void>;
  iteratorAge: number;
  arrivals: Set<() => void>;
}

type Outcome = { failedFrom: number | null; reason: string };

/** The DynamoDB operations that put records in a table's stream. */
const writeTargets = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].map((op) => `DynamoDB_20120810.${op}`));

/** Lambda delivers binary attributes base64-encoded; the SDK decodes them. */
function lambdaValue(value: AttributeValue): unknown {
  if (value.B) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M) return { M: lambdaImage(value.M) };
  if (value.L) return { L: value.L.map(lambdaValue) };
  return value;
}

function lambdaImage(image: Record<string, AttributeValue> | undefined): any {
  return image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, lambdaValue(value)]));
}

function lambdaRecord(raw: _Record, streamArn: string, seenAt: number): DynamoDBRecord {
  const data = raw.dynamodb ?? {};
  const created = Math.floor(Math.max(data.ApproximateCreationDateTime?.getTime() ?? 0, seenAt) / 1000);
  return {
    eventID: raw.eventID, eventName: raw.eventName, eventVersion: raw.eventVersion, eventSource: raw.eventSource,
    awsRegion: raw.awsRegion, eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created,
      Keys: lambdaImage(data.Keys),
      ...(data.NewImage ? { NewImage: lambdaImage(data.NewImage) } : {}),
      ...(data.OldImage ? { OldImage: lambdaImage(data.OldImage) } : {}),
      SequenceNumber: data.SequenceNumber, SizeBytes: data.SizeBytes, StreamViewType: data.StreamViewType,
    },
    ...(raw.userIdentity ? { userIdentity: raw.userIdentity } : {}),
  };
}

function outcomeOf(records: Pending[], result: unknown): Outcome {
  const failures = (result as DynamoDBBatchResponse | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { failedFrom: null, reason: '' };
  if (!Array.isArray(failures)) return { failedFrom: 0, reason: 'batchItemFailures is not a list' };
  let lowest = records.length;
  for (const failure of failures) {
    const index = records.findIndex((p) => p.record.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    if (!failure?.itemIdentifier || index < 0) return { failedFrom: 0, reason: `itemIdentifier ${JSON.stringify(failure?.itemIdentifier)} names no record of the batch` };
    lowest = Math.min(lowest, index);
  }
  return { failedFrom: lowest, reason: `batchItemFailures from ${records[lowest]!.record.dynamodb!.SequenceNumber}` };
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const pollIntervalMs = options.pollIntervalMs ?? 75;
  const idlePollMs = Math.max(pollIntervalMs, options.idlePollMs ?? 2000);
  const retryDelayMs = options.retryDelayMs ?? 50;
  const duplicates = options.duplicates ?? 0;
  const startAt = options.startAt ?? 'LATEST';
  const log = options.log ?? ((line: string) => console.warn(line));
  const readAhead = 10_000;

  const tableClient = localClient(options.endpoint);
  const streamArn = await ensureStream(tableClient, options.tableName).finally(() => tableClient.destroy());
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint, region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 1, credentials: localCredentials(),
    requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
  });

  const runs: Consumer[] = options.consumers.map((entry) => ('consumer' in entry
    ? { consumer: entry.consumer, handler: Promise.resolve(entry.handler) }
    : { consumer: entry, handler: loadStreamHandler(entry.handler) }));
  for (const run of runs) run.handler.catch(() => undefined); // a module that fails to load fails each invocation
  const stats: StreamPollerStats = {
    recordsDelivered: 0, recordsFiltered: 0, batches: 0, handlerFailures: 0, retries: 0, recordsFailed: 0, duplicatesInjected: 0,
  };
  const failures: StreamFailure[] = [];
  const shards = new Map<string, Feed[]>();
  const loops: Promise<void>[] = [];
  let clock = 0;
  let stopped = false;
  let paused = false;
  let resumed: Promise<void> = Promise.resolve();
  let release = () => {};

  const sleepers = new Set<() => void>();
  function sleep(ms: number, wakers?: Set<() => void>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        wakers?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      sleepers.add(done);
      wakers?.add(done);
    });
  }
  const wake = (wakers: Set<() => void>) => { for (const done of [...wakers]) done(); };

  async function running(): Promise<boolean> {
    while (paused && !stopped) await resumed;
    return !stopped;
  }

  const allFeeds = () => [...shards.values()].flat();
  const finished = (feed: Feed) => feed.closed && feed.buffer.length === 0 && feed.inFlight.length === 0 && feed.replays.length === 0;

  async function iteratorFor(feed: Feed): Promise<string> {
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
      StreamArn: streamArn, ShardId: feed.shardId,
      ...(feed.lastRead ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: feed.lastRead } : { ShardIteratorType: feed.startType }),
    }));
    if (!ShardIterator) throw new Error(`no iterator for shard ${feed.shardId}`);
    return ShardIterator;
  }

  function take(feed: Feed, records: _Record[], seenAt: number): void {
    for (const raw of records) {
      const record = lambdaRecord(raw, streamArn, seenAt);
      feed.lastRead = raw.dynamodb?.SequenceNumber;
      if (matchesStreamFilter(feed.run.consumer.filter, record)) feed.buffer.push({ record, sequence: BigInt(feed.lastRead!), seenAt });
      else stats.recordsFiltered++;
    }
    if (records.length > 0) wake(feed.arrivals);
  }

  async function readLoop(feed: Feed): Promise<void> {
    while (feed.parent && !finished(feed.parent) && !stopped) await sleep(pollIntervalMs);
    let failed = 0;
    while (!stopped) {
      if (feed.buffer.length >= readAhead) {
        await sleep(pollIntervalMs);
        continue;
      }
      const tick = ++clock;
      try {
        feed.iterator ??= await iteratorFor(feed);
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: feed.iterator }));
        failed = 0;
        take(feed, out.Records ?? [], Date.now());
        feed.iterator = out.NextShardIterator;
        if (!feed.iterator) {
          feed.closed = true;
          wake(feed.arrivals);
          void discover().catch(() => undefined);
          return;
        }
        if (out.Records?.length) {
          feed.emptyReads = 0;
        } else {
          feed.caughtUp = tick;
          const wait = Math.min(idlePollMs, pollIntervalMs * 2 ** feed.emptyReads);
          feed.emptyReads = Math.min(feed.emptyReads + 1, 16);
          await sleep(wait, feed.writes);
        }
      } catch (error) {
        if (stopped) return;
        feed.iterator = undefined; // read again from the last record read
        // DynamoDB Local sometimes refuses a LATEST position for good (TrimmedDataAccessException) before the
        // first record is read; a new LATEST iterator would skip what was written meanwhile. The oldest record
        // is the place to read from then: the runtime turns the stream on just before the poller starts, so the
        // stream holds nothing older, and the consumers take a record they have seen as a replay.
        if ((error as Error).name === 'TrimmedDataAccessException' && !feed.lastRead) feed.startType = 'TRIM_HORIZON';
        if (failed++ === 0) log(`stream poller: reading shard ${feed.shardId} failed (${(error as Error).name}: ${(error as Error).message}); retrying`);
        await sleep(Math.min(5000, pollIntervalMs * 2 ** failed));
      }
    }
  }

  async function invoke(feed: Feed, records: Pending[], retry: boolean, replay: boolean): Promise<Outcome | null> {
    if (!(await running())) return null;
    const { consumer, handler } = feed.run;
    stats.batches++;
    if (retry) stats.retries++;
    if (!replay) feed.iteratorAge = Date.now() - records.at(-1)!.seenAt;
    if (process.env.FEED_PROFILE && consumer.id === 'publishFeed') {
      for (const p of records) {
        const at = (p.record.dynamodb?.NewImage as any)?.at?.S;
        if (at && (p.record.dynamodb?.NewImage as any)?.entity?.S === 'activity') console.error(`POLL atToSeen=${p.seenAt - Date.parse(at)} seenToInvoke=${Date.now() - p.seenAt} batch=${records.length}`);
      }
    }
    const timeoutMs = consumer.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const call = handler.then((run) => run({ Records: records.map((p) => p.record) } satisfies DynamoDBStreamEvent,
        lambdaContext(consumer.id, randomUUID(), timeoutMs)));
      call.catch(() => undefined); // after a timeout it runs on, as it would in Lambda; its outcome no longer matters
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Task timed out after ${consumer.timeoutSeconds} seconds`)), timeoutMs);
      });
      return outcomeOf(records, await Promise.race([call, timeout]));
    } catch (error) {
      return { failedFrom: 0, reason: `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  function discard(feed: Feed, records: Pending[], reason: string, attempts: number): void {
    stats.recordsFailed += records.length;
    const failure: StreamFailure = {
      consumerId: feed.run.consumer.id, reason, attempts, streamArn, shardId: feed.shardId,
      startSequenceNumber: records[0]!.record.dynamodb!.SequenceNumber!, endSequenceNumber: records.at(-1)!.record.dynamodb!.SequenceNumber!,
      batchSize: records.length, records: records.map((p) => p.record), at: new Date().toISOString(),
    };
    failures.push(failure);
    log(`stream poller: ${failure.consumerId} gave up on ${records.length} record(s) ${failure.startSequenceNumber}..${failure.endSequenceNumber}`
      + ` of shard ${feed.shardId} after ${attempts} attempt(s), sent to the on-failure destination: ${reason}`);
  }

  /** Delivers records until each is handled or discarded, as Lambda retries; true if any was discarded. */
  async function deliver(feed: Feed, records: Pending[], retries: number, retry: boolean, replay: boolean): Promise<boolean> {
    const settle = (count: number) => { if (!replay) feed.inFlight.splice(0, count); };
    const outcome = await invoke(feed, records, retry, replay);
    if (!outcome) return false;
    if (outcome.failedFrom === null) {
      settle(records.length);
      return false;
    }
    stats.handlerFailures++;
    settle(outcome.failedFrom);
    const rest = records.slice(outcome.failedFrom);
    const { consumer } = feed.run;
    if (consumer.bisectBatchOnError && rest.length > 1) {
      const half = Math.ceil(rest.length / 2);
      const first = await deliver(feed, rest.slice(0, half), retries, true, replay);
      const second = await deliver(feed, rest.slice(half), retries, true, replay);
      return first || second;
    }
    if (retries < consumer.retryAttempts) {
      await sleep(Math.min(1000, retryDelayMs * 2 ** retries));
      return deliver(feed, rest, retries + 1, true, replay);
    }
    if (stopped) return false;
    discard(feed, rest, outcome.reason, retries + 1);
    settle(rest.length);
    return true;
  }

  function scheduleReplay(feed: Feed, batch: Pending[]): void {
    feed.history = [...feed.history.slice(-9), batch];
    if (Math.random() >= duplicates) return;
    const older = feed.history.length > 1 && Math.random() < 0.25;
    const records = older ? feed.history[Math.floor(Math.random() * (feed.history.length - 1))]! : batch;
    feed.replays.push({ records, after: Math.floor(Math.random() * 2) });
  }

  async function deliveryLoop(feed: Feed): Promise<void> {
    const { consumer } = feed.run;
    const windowMs = options.batchingWindowMs ?? consumer.maxBatchingWindowSeconds * 1000;
    while (await running()) {
      const replayAt = feed.replays.findIndex((r) => r.after <= 0 || feed.buffer.length === 0);
      if (replayAt >= 0) {
        const [replay] = feed.replays.splice(replayAt, 1);
        stats.duplicatesInjected++;
        await deliver(feed, replay!.records, 0, false, true);
        continue;
      }
      if (feed.buffer.length === 0) {
        if (feed.closed) return;
        await sleep(idlePollMs, feed.arrivals);
        continue;
      }
      const windowEnd = feed.buffer[0]!.seenAt + windowMs;
      if (feed.buffer.length < consumer.batchSize && !feed.closed && Date.now() < windowEnd) {
        await sleep(windowEnd - Date.now(), feed.arrivals);
        continue;
      }
      const batch = feed.buffer.splice(0, consumer.batchSize);
      feed.inFlight = [...batch];
      stats.recordsDelivered += batch.length;
      const discarded = await deliver(feed, batch, 0, false, false);
      for (const replay of feed.replays) replay.after--;
      if (duplicates > 0 && !discarded && !stopped) scheduleReplay(feed, batch);
    }
  }

  async function discoverOnce(initial: boolean): Promise<void> {
    const listed: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      listed.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const unseen = new Map(listed.filter((s) => !shards.has(s.ShardId!)).map((s) => [s.ShardId!, s]));
    const add = async (shard: Shard): Promise<void> => {
      if (!unseen.delete(shard.ShardId!)) return;
      const parent = unseen.get(shard.ParentShardId ?? '');
      if (parent) await add(parent);
      const fromNow = initial && startAt === 'LATEST';
      // From now on: a closed shard holds only older records.
      if (fromNow && shard.SequenceNumberRange?.EndingSequenceNumber) return void shards.set(shard.ShardId!, []);
      const feeds = runs.map((run): Feed => ({
        run, shardId: shard.ShardId!, parent: shards.get(shard.ParentShardId ?? '')?.find((f) => f.run === run),
        startType: fromNow ? 'LATEST' : 'TRIM_HORIZON', iterator: undefined, lastRead: undefined, closed: false,
        buffer: [], inFlight: [], replays: [], history: [], caughtUp: 0, emptyReads: 0, iteratorAge: 0, arrivals: new Set(), writes: new Set(),
      }));
      // LATEST means the moment of the call, so take those iterators now.
      if (fromNow) for (const feed of feeds) feed.iterator = await iteratorFor(feed);
      shards.set(shard.ShardId!, feeds);
      for (const feed of feeds) loops.push(readLoop(feed), deliveryLoop(feed));
    };
    for (const shard of [...unseen.values()]) await add(shard);
  }

  let discoveries: Promise<void> = Promise.resolve();
  function discover(initial = false): Promise<void> {
    const next = discoveries.then(() => (stopped ? undefined : discoverOnce(initial)));
    discoveries = next.catch(() => undefined);
    return next;
  }

  async function discoveryLoop(): Promise<void> {
    let failed = 0;
    while (!stopped) {
      // A shard that closes starts a discovery at once (readLoop); this finds the rest, which is rare.
      await sleep(5000);
      try {
        await discover();
        failed = 0;
      } catch (error) {
        if (!stopped && failed++ === 0) log(`stream poller: listing the shards failed (${(error as Error).name}); retrying`);
      }
    }
  }

  function wakeReaders(): void {
    for (const feed of allFeeds()) {
      feed.emptyReads = 0;
      wake(feed.writes);
    }
  }
  // Records appear when something writes: a write this process made (a handler, a job, a test) ends the readers'
  // idle wait, so a quiet stream costs a read every idlePollMs and a busy one is read as often as before.
  const onResponse = ({ request }: { request: ClientRequest }) => {
    const target = request.getHeader('x-amz-target');
    if (typeof target === 'string' && writeTargets.has(target)) wakeReaders();
  };
  subscribe('http.client.response.finish', onResponse as (message: unknown) => void);

  try {
    await discover(true);
  } catch (error) {
    unsubscribe('http.client.response.finish', onResponse as (message: unknown) => void);
    streams.destroy();
    throw error;
  }
  loops.push(discoveryLoop());

  const handledUpTo = (feed: Feed, target: string | undefined) => {
    if (feed.replays.length > 0) return false;
    const next = feed.inFlight[0] ?? feed.buffer[0];
    return target === undefined || !next || next.sequence > BigInt(target);
  };

  return {
    streamArn,
    pause() {
      if (paused) return;
      paused = true;
      resumed = new Promise((resolve) => { release = resolve; });
    },
    resume() {
      paused = false;
      release();
    },
    async drain() {
      const mark = ++clock;
      await discover(); // shards that appeared before the call
      wakeReaders();
      const targets = new Map<Feed, string | undefined>();
      while (!stopped) {
        let done = true;
        for (const feed of allFeeds()) {
          if (!targets.has(feed)) {
            if (feed.caughtUp <= mark && !feed.closed) {
              done = false;
              continue;
            }
            targets.set(feed, feed.lastRead);
          }
          if (!handledUpTo(feed, targets.get(feed))) done = false;
        }
        if (done) return;
        await sleep(10);
      }
    },
    stats: () => ({ ...stats }),
    lag() {
      const now = Date.now();
      return Math.max(0, ...allFeeds().map((feed) => {
        const oldest = feed.inFlight[0] ?? feed.buffer[0];
        return oldest ? now - oldest.seenAt : feed.iteratorAge;
      }));
    },
    failures: () => [...failures],
    async stop() {
      stopped = true;
      unsubscribe('http.client.response.finish', onResponse as (message: unknown) => void);
      release();
      for (const done of [...sleepers]) done();
      // A handler still running is not waited for past a moment (Lambda would freeze it).
      await Promise.race([Promise.allSettled(loops), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      streams.destroy();
    },
  };
}

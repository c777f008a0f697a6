// The local stream poller (local/stream-poller.ts) against DynamoDB Local's stream: Lambda's event shape,
// filtering, batching, partial failures, retries, bisection, the on-failure destination, order, pause and
// drain, duplicate deliveries; and shard roll-over against a scripted Streams API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamConsumer } from '../../functions/stream-consumers.js';
import type { StreamHandler } from '../../local/handler-loader.js';
import { startStreamPoller, type StreamPoller, type StreamPollerOptions } from '../../local/stream-poller.js';
import { createTable, deleteTable, localClient } from '../../local/table.js';
import { clock } from '../support/clock.js';
import { startScriptedStreams } from './support/scripted-streams.js';
import { received as fixtureEvents } from './fixtures/recording-stream-handler.js';

const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
// A database of its own in DynamoDB Local (one per access key): its stream records slow no other file's tables.
process.env.AWS_ACCESS_KEY_ID = `test${process.pid}`;
let client: DynamoDBClient;
const tables: string[] = [];

before(() => { client = localClient(endpoint); });
after(async () => {
  for (const table of tables) await deleteTable(client, table);
  client.destroy();
});

function consumer(overrides: Partial<StreamConsumer> = {}): StreamConsumer {
  return {
    id: 'testConsumer', handler: 'unused', filter: { eventNames: ['INSERT'], entities: ['activity'] },
    batchSize: 10, maxBatchingWindowSeconds: 1, retryAttempts: 2, bisectBatchOnError: false, parallelizationFactor: 1,
    timeoutSeconds: 5, summary: 'test', ...overrides,
  };
}

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const idOf = (record: DynamoDBRecord) => record.dynamodb!.Keys!.pk!.S!;

/** A fresh table and a poller on it with one consumer; `calls` lists every event handed to the handler. */
async function setUp(handle: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void> = async () => {},
  overrides: Partial<StreamConsumer> = {}, options: Partial<StreamPollerOptions> = {}) {
  const tableName = `stream-${randomUUID()}`;
  tables.push(tableName);
  await createTable(client, tableName);
  const calls: Array<{ event: DynamoDBStreamEvent; at: number }> = [];
  const handler: StreamHandler = (event) => {
    calls.push({ event, at: Date.now() });
    return handle(event);
  };
  const poller = await startStreamPoller({
    endpoint, tableName, consumers: [{ consumer: consumer(overrides), handler }], batchingWindowMs: 50, retryDelayMs: 5,
    log: () => undefined, ...options,
  });
  const write = async (ids: string[], entity = 'activity') => {
    for (let i = 0; i < ids.length; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: ids.slice(i, i + 25).map((id) => ({
        PutRequest: { Item: { pk: { S: id }, sk: { S: 'A' }, entity: { S: entity }, note: { S: `note ${id}` } } },
      })) } }));
    }
  };
  const delivered = () => calls.flatMap((call) => call.event.Records.map(idOf));
  return { tableName, poller, calls, write, delivered };
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stopping<T extends { poller: StreamPoller }>(setup: T, run: (setup: T) => Promise<void>): Promise<void> {
  try {
    await run(setup);
  } finally {
    await setup.poller.stop();
  }
}

describe('what the handler receives', () => {
  it('gets matching records in the event Lambda builds, in order, and nothing written before the poller started', async () => {
    const tableName = `stream-${randomUUID()}`;
    tables.push(tableName);
    await createTable(client, tableName);
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'before' }, sk: { S: 'A' }, entity: { S: 'activity' } } }));
    const inserts: DynamoDBStreamEvent[] = [];
    const modifications: DynamoDBStreamEvent[] = [];
    const poller = await startStreamPoller({
      endpoint, tableName, batchingWindowMs: 50, log: () => undefined,
      consumers: [
        { consumer: consumer(), handler: async (event) => { inserts.push(event); } },
        { consumer: consumer({ id: 'modifications', filter: { eventNames: ['MODIFY'], entities: ['activity'] } }), handler: async (event) => { modifications.push(event); } },
      ],
    });
    await stopping({ poller }, async () => {
      const started = Date.now();
      for (const [pk, entity] of [['a1', 'activity'], ['x1', 'listing'], ['a2', 'activity']]) {
        await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, sk: { S: 'A' }, entity: { S: entity }, n: { N: '1' } } }));
      }
      await client.send(new UpdateItemCommand({
        TableName: tableName, Key: { pk: { S: 'a1' }, sk: { S: 'A' } }, UpdateExpression: 'SET n = :two', ExpressionAttributeValues: { ':two': { N: '2' } },
      }));
      await poller.drain();
      const records = [...inserts, ...modifications].flatMap((event) => event.Records);
      assert.deepEqual(records.map((r) => `${r.eventName} ${idOf(r)}`), ['INSERT a1', 'INSERT a2', 'MODIFY a1']);
      const [insert, , modify] = records;
      assert.deepEqual(Object.keys(insert!).sort(), ['awsRegion', 'dynamodb', 'eventID', 'eventName', 'eventSource', 'eventSourceARN', 'eventVersion']);
      assert.equal(insert!.eventSource, 'aws:dynamodb');
      assert.equal(insert!.eventVersion, '1.1');
      assert.equal(insert!.eventSourceARN, poller.streamArn);
      assert.match(poller.streamArn, new RegExp(`:table/${tableName}/stream/`));
      assert.deepEqual(insert!.dynamodb!.Keys, { pk: { S: 'a1' }, sk: { S: 'A' } });
      assert.deepEqual(insert!.dynamodb!.NewImage, { pk: { S: 'a1' }, sk: { S: 'A' }, entity: { S: 'activity' }, n: { N: '1' } });
      assert.equal(insert!.dynamodb!.OldImage, undefined);
      assert.equal(insert!.dynamodb!.StreamViewType, 'NEW_AND_OLD_IMAGES');
      assert.equal(typeof insert!.dynamodb!.SizeBytes, 'number');
      const created = insert!.dynamodb!.ApproximateCreationDateTime!;
      assert.ok(Number.isInteger(created) && Math.abs(created * 1000 - started) < 5000, `epoch seconds, now: ${created}`);
      assert.deepEqual(modify!.dynamodb!.OldImage?.n, { N: '1' });
      assert.deepEqual(modify!.dynamodb!.NewImage?.n, { N: '2' });
      assert.ok(BigInt(sequenceOf(records[0]!)) < BigInt(sequenceOf(records[1]!)));
      assert.equal(poller.stats().recordsFiltered, 5, 'each consumer skipped what its filter does not match');
    });
  });

  it('loads a consumer handler module by path, as the gateway loads route handlers', async () => {
    const tableName = `stream-${randomUUID()}`;
    tables.push(tableName);
    await createTable(client, tableName);
    const poller = await startStreamPoller({
      endpoint, tableName, batchingWindowMs: 50, log: () => undefined,
      consumers: [consumer({ handler: '../../test/local/fixtures/recording-stream-handler' })],
    });
    await stopping({ poller }, async () => {
      const before = fixtureEvents.length;
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'f1' }, sk: { S: 'A' }, entity: { S: 'activity' } } }));
      await poller.drain();
      assert.deepEqual(fixtureEvents.slice(before).flatMap((e) => e.Records.map(idOf)), ['f1']);
    });
  });
});

describe('batches', () => {
  it('delivers up to batchSize records per batch, gathering for the batching window', async () => {
    await stopping(await setUp(), async ({ poller, calls, write, delivered }) => {
      await write(ids('b', 25));
      await poller.drain();
      assert.deepEqual(delivered(), ids('b', 25));
      assert.ok(calls.every((call) => call.event.Records.length <= 10));
      // At least 25 / 10; how many more depends on when the poller read the records, not asserted.
      assert.ok(calls.length >= 3, `${calls.length} batches`);
      assert.equal(poller.stats().recordsDelivered, 25);
    });
    await stopping(await setUp(async () => {}, {}, { batchingWindowMs: 700 }), async ({ poller, calls, write }) => {
      const written = Date.now();
      await write(ids('w', 3));
      await poller.drain();
      assert.equal(calls.length, 1, 'the three records wait for each other');
      assert.ok(calls[0]!.at - written >= 600, `invoked ${calls[0]!.at - written} ms after the write, at the end of the window`);
    });
  });

  it('delivers one batch at a time, in sequence order', async () => {
    let running = 0;
    let most = 0;
    await stopping(await setUp(async () => {
      most = Math.max(most, ++running);
      await sleep(5);
      running--;
    }, { batchSize: 3 }), async ({ poller, calls, write, delivered }) => {
      await write(ids('o', 40));
      await poller.drain();
      assert.equal(most, 1);
      assert.deepEqual(delivered(), ids('o', 40));
      const sequences = calls.flatMap((call) => call.event.Records.map((r) => BigInt(sequenceOf(r))));
      assert.ok(sequences.every((s, i) => i === 0 || s > sequences[i - 1]!));
    });
  });
});

describe('failures', () => {
  it('retries a partially failed batch from the lowest failed sequence number', async () => {
    let failOnce = true;
    await stopping(await setUp(async (event) => {
      if (!failOnce || event.Records.length < 10) return;
      failOnce = false;
      return { batchItemFailures: [7, 3].map((i) => ({ itemIdentifier: sequenceOf(event.Records[i]!) })) };
    }, { batchSize: 10 }, { batchingWindowMs: 300 }), async ({ poller, calls, write }) => {
      // Held until all ten are written, so that they come as one batch however slowly the write goes.
      poller.pause();
      await write(ids('p', 10));
      poller.resume();
      await poller.drain();
      assert.deepEqual(calls.map((c) => c.event.Records.map(idOf)), [ids('p', 10), ids('p', 10).slice(3)]);
      assert.deepEqual({ ...poller.stats(), recordsFiltered: 0 }, {
        recordsDelivered: 10, recordsFiltered: 0, batches: 2, handlerFailures: 1, retries: 1, recordsFailed: 0, duplicatesInjected: 0,
      });
    });
  });

  it('retries a failing batch whole, then sends it to the on-failure destination and moves on', async () => {
    await stopping(await setUp(async (event) => {
      if (event.Records.some((r) => idOf(r) === 'f-0001')) throw new Error('cannot aggregate');
    }, { batchSize: 3, retryAttempts: 2 }, { batchingWindowMs: 300 }), async ({ poller, calls, write, delivered }) => {
      await write(ids('f', 3));
      await write(['g-0000']);
      await poller.drain();
      assert.deepEqual(calls.map((c) => c.event.Records.length), [3, 3, 3, 1], 'first try, two retries, then the next batch');
      assert.deepEqual(delivered().at(-1), 'g-0000');
      const [failure] = poller.failures();
      assert.ok(failure);
      assert.deepEqual(failure.records.map(idOf), ids('f', 3));
      assert.equal(failure.attempts, 3);
      assert.equal(failure.batchSize, 3);
      assert.match(failure.reason, /cannot aggregate/);
      assert.equal(failure.startSequenceNumber, sequenceOf(failure.records[0]!));
      assert.equal(failure.endSequenceNumber, sequenceOf(failure.records[2]!));
      assert.equal(poller.stats().recordsFailed, 3);
      assert.equal(poller.stats().retries, 2);
    });
  });

  it('bisects a failing batch down to the bad record, so only it goes to the destination', async () => {
    await stopping(await setUp(async (event) => {
      if (event.Records.some((r) => idOf(r) === 'x-0005')) throw new Error('poison');
    }, { batchSize: 8, retryAttempts: 2, bisectBatchOnError: true }, { batchingWindowMs: 300 }), async ({ poller, calls, write }) => {
      await write(ids('x', 8));
      await poller.drain();
      const handled = calls.filter((c) => !c.event.Records.some((r) => idOf(r) === 'x-0005')).flatMap((c) => c.event.Records.map(idOf));
      assert.deepEqual(handled, ids('x', 8).filter((id) => id !== 'x-0005'), 'every other record handled once, in order');
      assert.deepEqual(calls.map((c) => c.event.Records.length), [8, 4, 4, 2, 1, 1, 1, 1, 2]);
      assert.deepEqual(poller.failures().map((f) => f.records.map(idOf)), [['x-0005']]);
      assert.equal(poller.failures()[0]!.attempts, 3);
    });
  });

  it('treats a timeout as a failure and delivers the batch again', async () => {
    let first = true;
    await stopping(await setUp(async () => {
      if (first) {
        first = false;
        await sleep(400);
      }
    }, { timeoutSeconds: 0.15 }), async ({ poller, calls, write }) => {
      await write(['t-1']);
      await poller.drain();
      assert.equal(calls.length, 2);
      assert.equal(poller.stats().handlerFailures, 1);
      assert.equal(poller.failures().length, 0);
    });
  });

  it('treats an itemIdentifier that names no record as a failure of the whole batch', async () => {
    let first = true;
    await stopping(await setUp(async () => {
      if (!first) return;
      first = false;
      return { batchItemFailures: [{ itemIdentifier: '' }] };
    }), async ({ poller, calls, write }) => {
      await write(ids('i', 4));
      await poller.drain();
      assert.deepEqual(calls.map((c) => c.event.Records.length), [4, 4]);
    });
  });
});

describe('test controls', () => {
  it('pauses delivery while records pile up (lag grows), and drains them on resume', async () => {
    await stopping(await setUp(), async ({ poller, write, delivered }) => {
      await write(['before']);
      await poller.drain();
      poller.pause();
      const caughtUp = poller.lag(); // the last batch's age: it stays put until a record is read
      await write(ids('q', 5));
      // Once the poller has read them (their age grows from then), a minute passes on the test's clock.
      while (poller.lag() < caughtUp + 100) await sleep(20);
      clock.advance(60_000);
      assert.deepEqual(delivered(), ['before'], 'nothing delivered while paused');
      assert.ok(poller.lag() >= 60_000, `lag ${poller.lag()} ms`);
      poller.resume();
      await poller.drain();
      assert.deepEqual(delivered(), ['before', ...ids('q', 5)]);
      await write(['after']);
      await poller.drain();
      assert.ok(poller.lag() < 60_000, `lag ${poller.lag()} ms once caught up`);
    });
  });

  it('delivers batches again when asked for duplicates, and drain waits for them', async () => {
    const seen = new Map<string, number>();
    await stopping(await setUp(async (event) => {
      for (const record of event.Records) seen.set(idOf(record), (seen.get(idOf(record)) ?? 0) + 1);
    }, { batchSize: 5 }, { duplicates: 1 }), async ({ poller, write }) => {
      await write(ids('d', 30));
      await poller.drain();
      assert.equal(seen.size, 30);
      const stats = poller.stats();
      assert.equal(stats.recordsDelivered, 30);
      assert.equal(stats.duplicatesInjected, stats.batches - stats.duplicatesInjected, 'each batch once more');
      const total = [...seen.values()].reduce((a, b) => a + b, 0);
      assert.ok(stats.duplicatesInjected > 0 && total >= 30 + stats.duplicatesInjected, `${total} deliveries of 30 records`);
    });
  });
});

describe('shards', () => {
  it('reads a child shard after its parent, follows roll-overs, and skips closed shards when starting from now', async () => {
    const streams = await startScriptedStreams();
    try {
      streams.addShard('shard-1', undefined, ['r1', 'r2', 'r3']);
      streams.addShard('shard-2', 'shard-1', ['r4', 'r5']);
      streams.closeShard('shard-1');
      const seen: string[] = [];
      const poller = await startStreamPoller({
        endpoint: streams.endpoint, tableName: 'scripted', startAt: 'TRIM_HORIZON', batchingWindowMs: 0, pollIntervalMs: 20, log: () => undefined,
        consumers: [{ consumer: consumer(), handler: async (event) => { seen.push(...event.Records.map(idOf)); } }],
      });
      await stopping({ poller }, async () => {
        await poller.drain();
        assert.deepEqual(seen, ['r1', 'r2', 'r3', 'r4', 'r5']);
        streams.append('shard-2', ['r6']);
        streams.closeShard('shard-2');
        streams.addShard('shard-3', 'shard-2', ['r7']);
        await poller.drain();
        assert.deepEqual(seen, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
      });

      const fromNow: string[] = [];
      const latest = await startStreamPoller({
        endpoint: streams.endpoint, tableName: 'scripted', batchingWindowMs: 0, pollIntervalMs: 20, log: () => undefined,
        consumers: [{ consumer: consumer(), handler: async (event) => { fromNow.push(...event.Records.map(idOf)); } }],
      });
      await stopping({ poller: latest }, async () => {
        streams.append('shard-3', ['r8']);
        await latest.drain();
        assert.deepEqual(fromNow, ['r8']);
      });
    } finally {
      await streams.stop();
    }
  });
});

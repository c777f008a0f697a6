// The local stream poller at rest: it reads an empty shard less and less often (down to once per idlePollMs), and a
// write made in this process ends that wait, so a quiet `npm start` costs next to nothing and a write is still
// delivered at once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { after, before, it } from 'node:test';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { startStreamPoller } from '../../local/stream-poller.js';
import { createTable, deleteTable, localClient } from '../../local/table.js';

const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
process.env.AWS_ACCESS_KEY_ID = `idle${process.pid}`;
let client: DynamoDBClient;
const tableName = `stream-idle-${randomUUID()}`;

before(async () => {
  client = localClient(endpoint);
  await createTable(client, tableName);
});
after(async () => {
  await deleteTable(client, tableName);
  client.destroy();
});

/** Counts this process's GetRecords calls while `run` runs. */
async function countingReads(run: () => Promise<void>): Promise<number> {
  let reads = 0;
  const onStart = ({ request }: { request: ClientRequest }) => {
    if (request.getHeader('x-amz-target') === 'DynamoDBStreams_20120810.GetRecords') reads++;
  };
  subscribe('http.client.request.start', onStart as (message: unknown) => void);
  try {
    await run();
  } finally {
    unsubscribe('http.client.request.start', onStart as (message: unknown) => void);
  }
  return reads;
}

it('backs off on an empty shard, and a write ends the wait at once', async () => {
  const events: DynamoDBStreamEvent[] = [];
  const poller = await startStreamPoller({
    endpoint, tableName, batchingWindowMs: 0, log: () => undefined,
    // An idle read a minute apart: only the wake-up on a write can deliver within the test's time.
    pollIntervalMs: 75, idlePollMs: 60_000,
    consumers: [{
      consumer: {
        id: 'idleTest', handler: 'unused', filter: { eventNames: ['INSERT'], entities: ['activity'] }, batchSize: 10,
        maxBatchingWindowSeconds: 0, retryAttempts: 0, bisectBatchOnError: false, parallelizationFactor: 1, timeoutSeconds: 5, summary: 'test',
      },
      handler: async (event) => { events.push(event); },
    }],
  });
  try {
    // 75, 150, 300, 600, 1200 ms, ...: in 3 s at most 6 reads, where a fixed 75 ms interval makes 40.
    const idleReads = await countingReads(() => new Promise((resolve) => setTimeout(resolve, 3_000)));
    assert.ok(idleReads <= 6, `${idleReads} reads of an idle shard in 3 s`);

    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'a-1' }, sk: { S: 'A' }, entity: { S: 'activity' } } }));
    const deadline = Date.now() + 30_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events.flatMap((event) => event.Records.map((record) => record.dynamodb!.Keys!.pk!.S)), ['a-1']);
  } finally {
    await poller.stop();
  }
});

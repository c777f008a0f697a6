// The conflict-faithful proxy (local/conflict-proxy.ts): concurrent transactions on one item are cancelled as
// DynamoDB cancels them, single writes to an item under a transaction are refused, reads are untouched, and
// the SDK turns the proxy's answers into the exceptions the application handles.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  BatchWriteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, TransactionCanceledException,
  TransactionConflictException, TransactWriteItemsCommand, type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { startConflictProxy, type ConflictProxy } from '../../local/conflict-proxy.js';
import { createTable, deleteTable, localClient, localCredentials } from '../../local/table.js';

const upstream = process.env.TEST_DYNAMODB_ENDPOINT!;
const tableName = `conflicts-${randomUUID()}`;
let direct: DynamoDBClient;

/** A client that never retries, so every answer of the proxy reaches the test. */
function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint, region: process.env.AWS_REGION ?? 'us-east-1', maxAttempts: 1, credentials: localCredentials(),
  });
}

const key = (id: string) => ({ pk: { S: `ITEM#${id}` }, sk: { S: 'ITEM' } });
const increment = (id: string): TransactWriteItem => ({
  Update: { TableName: tableName, Key: key(id), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
});
const put = (id: string): TransactWriteItem => ({ Put: { TableName: tableName, Item: { ...key(id), n: { N: '0' } } } });

async function count(id: string): Promise<number> {
  const { Item } = await direct.send(new GetItemCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }));
  return Number(Item?.n?.N ?? 0);
}

async function settled<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  return {
    succeeded: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the proxy has received `count` transactions (the first one is then being held). */
async function received(proxy: ConflictProxy, count = 1): Promise<void> {
  while (proxy.stats().transactions < count) await sleep(2);
}

/** A proxy and a client through it, for one test. */
async function withProxy(holdMs: number, run: (client: DynamoDBClient, proxy: ConflictProxy) => Promise<void>): Promise<void> {
  const proxy = await startConflictProxy({ upstream, holdMs });
  const client = clientFor(proxy.endpoint);
  try {
    await run(client, proxy);
  } finally {
    client.destroy();
    await proxy.close();
  }
}

before(async () => {
  direct = localClient(upstream);
  await createTable(direct, tableName, { stream: false });
});
after(async () => {
  await deleteTable(direct, tableName);
  direct.destroy();
});

describe('transactions on one item', () => {
  it('cancels the second of two overlapping transactions, with TransactionConflict at the contended item', async () => {
    await withProxy(500, async (client, proxy) => {
      const first = client.send(new TransactWriteItemsCommand({ TransactItems: [increment('a')] }));
      await received(proxy);
      const second = client.send(new TransactWriteItemsCommand({ TransactItems: [put('b'), increment('a'), put('c')] }))
        .then(() => null, (e: unknown) => e);
      await first;
      const error = await second;
      assert.ok(error instanceof TransactionCanceledException, `TransactionCanceledException, got ${String(error)}`);
      assert.equal(error.name, 'TransactionCanceledException');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.deepEqual(error.CancellationReasons, [
        { Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' },
      ]);
      assert.match(error.message, /^Transaction cancelled, please refer cancellation reasons for specific reasons \[None, TransactionConflict, None\]$/);
      assert.equal(await count('a'), 1, 'only the first transaction was applied');
      const { Item } = await direct.send(new GetItemCommand({ TableName: tableName, Key: key('b') }));
      assert.equal(Item, undefined, 'nothing of the cancelled transaction was written');
      assert.deepEqual(proxy.stats(), { transactions: 2, forwarded: 1, cancelled: 1, singleWritesRefused: 0 });
    });
  });

  it('lets transactions on different items run together', async () => {
    await withProxy(100, async (client, proxy) => {
      const { succeeded } = await settled([
        client.send(new TransactWriteItemsCommand({ TransactItems: [increment('d1'), increment('d2')] })),
        client.send(new TransactWriteItemsCommand({ TransactItems: [increment('d3'), increment('d4')] })),
      ]);
      assert.equal(succeeded, 2);
      assert.equal(proxy.stats().cancelled, 0);
    });
  });

  it('holds a transaction that fails its condition just as long, and it conflicts meanwhile', async () => {
    await withProxy(500, async (client, proxy) => {
      const failing = client.send(new TransactWriteItemsCommand({
        TransactItems: [{ ...increment('e'), Update: { ...increment('e').Update!, ConditionExpression: 'attribute_exists(nothing)' } }],
      })).catch((e: unknown) => e);
      await received(proxy);
      const during = await client.send(new TransactWriteItemsCommand({ TransactItems: [increment('e')] })).catch((e: unknown) => e);
      assert.ok(during instanceof TransactionCanceledException);
      assert.deepEqual(during.CancellationReasons?.map((r) => r.Code), ['TransactionConflict']);
      const failed = await failing;
      assert.ok(failed instanceof TransactionCanceledException);
      assert.deepEqual(failed.CancellationReasons?.map((r) => r.Code), ['ConditionalCheckFailed'], 'the upstream answer, passed on');
    });
  });

  it('lets about one of 20 concurrent transactions on one item through per hold window, where DynamoDB Local takes all 20', async () => {
    // A window far longer than it takes to send 20 requests, so they all meet in one (or, on a busy machine, two).
    await withProxy(300, async (client) => {
      const { succeeded, errors } = await settled(Array.from({ length: 20 }, () =>
        client.send(new TransactWriteItemsCommand({ TransactItems: [increment('hot')] }))));
      assert.ok(succeeded >= 1 && succeeded <= 2, `${succeeded} of 20 succeeded`);
      assert.ok(errors.every((e) => e instanceof TransactionCanceledException && e.CancellationReasons?.[0]?.Code === 'TransactionConflict'));
      assert.equal(await count('hot'), succeeded);
    });
    const { succeeded } = await settled(Array.from({ length: 20 }, () =>
      direct.send(new TransactWriteItemsCommand({ TransactItems: [increment('hot-direct')] }))));
    assert.equal(succeeded, 20, 'DynamoDB Local alone applies them one after another');
    assert.equal(await count('hot-direct'), 20);
  });
});

describe('single writes and reads', () => {
  it('refuses a PutItem or BatchWriteItem on an item under a transaction, and accepts it afterwards', async () => {
    await withProxy(500, async (client, proxy) => {
      const transaction = client.send(new TransactWriteItemsCommand({ TransactItems: [increment('f')] }));
      await received(proxy);
      const putDuring = await client.send(new PutItemCommand({ TableName: tableName, Item: { ...key('f'), n: { N: '7' } } })).catch((e: unknown) => e);
      assert.ok(putDuring instanceof TransactionConflictException, `TransactionConflictException, got ${String(putDuring)}`);
      assert.equal(putDuring.message, 'Transaction is ongoing for the item');
      const batchDuring = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: [
        { PutRequest: { Item: { ...key('g'), n: { N: '1' } } } }, { DeleteRequest: { Key: key('f') } },
      ] } })).catch((e: unknown) => e);
      assert.ok(batchDuring instanceof TransactionConflictException, 'the whole batch is refused');
      await transaction;
      assert.equal(await count('f'), 1);
      assert.equal(await count('g'), 0, 'nothing of the refused batch was written');
      await client.send(new PutItemCommand({ TableName: tableName, Item: { ...key('f'), n: { N: '7' } } }));
      assert.equal(await count('f'), 7);
      assert.equal(proxy.stats().singleWritesRefused, 2);
      proxy.reset();
      assert.deepEqual(proxy.stats(), { transactions: 0, forwarded: 0, cancelled: 0, singleWritesRefused: 0 });
    });
  });

  it('lets concurrent single writes to one item all through (the last writer wins)', async () => {
    await withProxy(15, async (client) => {
      const { succeeded } = await settled(Array.from({ length: 10 }, (_, i) =>
        client.send(new PutItemCommand({ TableName: tableName, Item: { ...key('h'), n: { N: String(i) } } }))));
      assert.equal(succeeded, 10);
    });
  });

  it('serves reads of an item under a transaction at once, with the state before it', async () => {
    await withProxy(1000, async (client, proxy) => {
      await direct.send(new PutItemCommand({ TableName: tableName, Item: { ...key('r'), n: { N: '1' } } }));
      let committed = false;
      const transaction = client.send(new TransactWriteItemsCommand({ TransactItems: [increment('r')] })).then(() => { committed = true; });
      await received(proxy);
      const [got, queried, scanned] = await Promise.all([
        client.send(new GetItemCommand({ TableName: tableName, Key: key('r'), ConsistentRead: true })),
        client.send(new QueryCommand({
          TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': key('r').pk },
        })),
        client.send(new ScanCommand({ TableName: tableName, Limit: 5 })),
      ]);
      assert.equal(committed, false, 'the reads did not wait for the transaction');
      assert.equal(got.Item?.n?.N, '1');
      assert.equal(queried.Items?.[0]?.n?.N, '1');
      assert.ok((scanned.Items?.length ?? 0) > 0);
      await transaction;
      assert.equal(await count('r'), 2);
    });
  });
});

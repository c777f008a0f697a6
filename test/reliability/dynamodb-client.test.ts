// The DynamoDB client's failure behaviour, against a scripted fake DynamoDB endpoint: explicit timeouts
// that really end a hung call, bounded retries with backoff for throttling and transient errors, and no
// retry of a failed condition.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { GetItemCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  clientSettingsFromEnv, createDynamoDbClient, db, defaultClientSettings, type DynamoDbClientSettings,
} from '../../functions/data/client.js';

/** What the fake endpoint does with the n-th attempt (0-based). */
type Script = (attempt: number) => { status: number; error?: string; body?: unknown } | 'hang' | 'stall-body';

interface FakeDynamoDb {
  endpoint: string;
  attempts: number;
  close(): Promise<void>;
}

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function fakeDynamoDb(script: Script): Promise<FakeDynamoDb> {
  const fake = { endpoint: '', attempts: 0, close: async () => undefined };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const step = script(fake.attempts++);
      if (step === 'hang') return; // accepts, reads, never answers
      if (step === 'stall-body') {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.write('{"Item":'); // headers and a little body, then silence
        return;
      }
      const body = step.error
        ? { __type: `com.amazonaws.dynamodb.v20120810#${step.error}`, message: `scripted ${step.error}`, ...(step.body as object) }
        : step.body ?? {};
      const text = JSON.stringify(body);
      response.writeHead(step.status, {
        'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text),
        ...(step.error ? { 'x-amzn-errortype': step.error } : {}),
      });
      response.end(text);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function clientFor(endpoint: string, overrides: Partial<DynamoDbClientSettings> = {}): DynamoDBClient {
  return createDynamoDbClient(
    { ...defaultClientSettings, endpoint, ...overrides },
    { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  );
}

const getItem = new GetItemCommand({ TableName: 'fake', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });
const transaction = new TransactWriteItemsCommand({
  TransactItems: [{ Put: { TableName: 'fake', Item: { pk: { S: 'a' }, sk: { S: 'b' } }, ConditionExpression: 'attribute_not_exists(pk)' } }],
});

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result?: T; error?: any }> {
  const start = performance.now();
  try {
    const result = await run();
    return { ms: performance.now() - start, result };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

describe('DynamoDB client settings', () => {
  it('has explicit timeouts and a bounded number of attempts, overridable from the environment', async () => {
    assert.deepEqual(clientSettingsFromEnv({}), { endpoint: undefined, ...defaultClientSettings });
    assert.deepEqual(defaultClientSettings, { maxAttempts: 3, connectionTimeoutMs: 1000, requestTimeoutMs: 2000, callTimeoutMs: 4000 });
    const custom = clientSettingsFromEnv({
      DYNAMODB_ENDPOINT: 'http://x:1', DYNAMODB_MAX_ATTEMPTS: '5', DYNAMODB_CONNECT_TIMEOUT_MS: '200',
      DYNAMODB_REQUEST_TIMEOUT_MS: '300', DYNAMODB_CALL_TIMEOUT_MS: '900',
    });
    assert.deepEqual(custom, { endpoint: 'http://x:1', maxAttempts: 5, connectionTimeoutMs: 200, requestTimeoutMs: 300, callTimeoutMs: 900 });
    assert.throws(() => clientSettingsFromEnv({ DYNAMODB_REQUEST_TIMEOUT_MS: 'soon' }), /positive number/);
    assert.throws(() => clientSettingsFromEnv({ DYNAMODB_MAX_ATTEMPTS: '0' }), /positive number/);
    // A whole call, retries included, fits well inside a 10 s Lambda timeout.
    assert.ok(defaultClientSettings.callTimeoutMs <= 5000);
  });

  it('is what the handlers use: the shared client runs standard retries and the call deadline', async () => {
    assert.equal(await db.config.maxAttempts(), clientSettingsFromEnv().maxAttempts);
    assert.equal(((await db.config.retryStrategy()) as { mode?: string }).mode, 'standard');
    const stack = db.middlewareStack.identify().join('\n');
    assert.match(stack, /callDeadlineStart/);
    assert.match(stack, /callDeadlineAttempt/);
    assert.ok(stack.indexOf('retryMiddleware') < stack.indexOf('callDeadlineAttempt'), 'the deadline holds each attempt, inside the retry loop');
  });
});

describe('DynamoDB client retries', { concurrency: true }, () => {
  for (const error of ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']) {
    it(`retries ${error} with backoff and succeeds when it clears`, async () => {
      const fake = await fakeDynamoDb((n) => (n < 2 ? { status: 400, error } : { status: 200, body: { Item: { pk: { S: 'a' } } } }));
      const client = clientFor(fake.endpoint);
      const output = await client.send(getItem);
      assert.deepEqual(output.Item, { pk: { S: 'a' } });
      assert.equal(fake.attempts, 3);
      assert.equal(output.$metadata.attempts, 3);
      client.destroy();
    });
  }

  it('stops after maxAttempts when throttling persists, having backed off between attempts', async () => {
    const fake = await fakeDynamoDb(() => ({ status: 400, error: 'ProvisionedThroughputExceededException' }));
    const client = clientFor(fake.endpoint);
    const { error, ms } = await timed(() => client.send(getItem));
    assert.equal(error?.name, 'ProvisionedThroughputExceededException');
    assert.equal(fake.attempts, defaultClientSettings.maxAttempts);
    assert.ok(error.$metadata.totalRetryDelay > 0, 'backoff between attempts');
    assert.ok(ms < defaultClientSettings.callTimeoutMs + 500, `${ms} ms`);
    client.destroy();
  });

  for (const [status, error] of [[500, 'InternalServerError'], [503, 'ServiceUnavailable']] as const) {
    it(`retries a transient ${status} ${error}`, async () => {
      const fake = await fakeDynamoDb((n) => (n < 2 ? { status, error } : { status: 200, body: {} }));
      const client = clientFor(fake.endpoint);
      await client.send(getItem);
      assert.equal(fake.attempts, 3);
      client.destroy();
    });
  }

  for (const [command, error, extra] of [
    [getItem, 'ConditionalCheckFailedException', {}],
    [transaction, 'TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }],
    [getItem, 'ValidationException', {}],
    [getItem, 'ResourceNotFoundException', {}],
  ] as const) {
    it(`never retries ${error}`, async () => {
      const fake = await fakeDynamoDb(() => ({ status: 400, error, body: extra }));
      const client = clientFor(fake.endpoint);
      const { error: thrown } = await timed(() => client.send(command as typeof getItem));
      assert.equal(thrown?.name, error);
      assert.equal(fake.attempts, 1);
      client.destroy();
    });
  }
});

describe('DynamoDB client timeouts', { concurrency: true }, () => {
  it('ends a call to a DynamoDB that accepts and never answers within the call budget', async () => {
    const fake = await fakeDynamoDb(() => 'hang');
    const client = clientFor(fake.endpoint);
    const { error, ms } = await timed(() => client.send(getItem));
    assert.ok(error, 'the call fails');
    assert.match(error.name, /TimeoutError|DynamoDbDeadlineError/);
    assert.ok(fake.attempts >= 2, `retried after the first attempt timed out (${fake.attempts} attempts)`);
    assert.ok(ms >= defaultClientSettings.requestTimeoutMs - 100, `${ms} ms`);
    // The budget ended it, not the attempts running out: every attempt that hangs takes requestTimeout, and
    // maxAttempts of them take longer than the budget.
    assert.ok(defaultClientSettings.maxAttempts * defaultClientSettings.requestTimeoutMs > defaultClientSettings.callTimeoutMs);
    assert.ok(fake.attempts < defaultClientSettings.maxAttempts, `${fake.attempts} attempts: the budget ended the call`);
    client.destroy();
  });

  it('times out one attempt after requestTimeout and retries it', async () => {
    const fake = await fakeDynamoDb((n) => (n === 0 ? 'hang' : { status: 200, body: {} }));
    const client = clientFor(fake.endpoint, { requestTimeoutMs: 300 });
    const { error, ms } = await timed(() => client.send(getItem));
    assert.equal(error, undefined);
    assert.equal(fake.attempts, 2, 'the hung attempt timed out, the retry answered');
    assert.ok(ms >= 250, `${ms} ms`);
    client.destroy();
  });

  it('ends a response whose body stalls', async () => {
    const fake = await fakeDynamoDb(() => 'stall-body');
    const client = clientFor(fake.endpoint, { requestTimeoutMs: 300, callTimeoutMs: 2000 });
    const { error } = await timed(() => client.send(getItem));
    assert.ok(error, 'the call fails (a stalled body that were never ended would hang the test)');
    client.destroy();
  });

  it('fails fast, after its bounded retries, when nothing listens on the port', async () => {
    const fake = await fakeDynamoDb(() => ({ status: 200, body: {} }));
    const closed = servers.pop()!;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = clientFor(fake.endpoint);
    const { error } = await timed(() => client.send(getItem));
    assert.equal(error?.code, 'ECONNREFUSED');
    assert.equal(error.$metadata?.attempts, defaultClientSettings.maxAttempts);
    client.destroy();
  });
});

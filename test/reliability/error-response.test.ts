// The generic error mapping: failed conditions and cancelled transactions are 409 with a code naming what
// failed, an unavailable or throttling DynamoDB is 503 with Retry-After, and nothing internal leaks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ConditionalCheckFailedException, InternalServerError, ProvisionedThroughputExceededException, TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError, IdempotencyPersistenceLayerError, IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { randomUUID } from 'node:crypto';
import { PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../../functions/domain/errors.js';
import { createTable, deleteTable, localClient } from '../../local/table.js';
import { errorResponse } from '../../functions/http/error-response.js';
import { logger } from '../../functions/observability/logger.js';
import { errorBody } from '../../functions/schemas/common.js';

logger.setLogLevel('SILENT'); // hundreds of deliberate errors below

const meta = { $metadata: {} };
const cancelled = (reasons: Array<{ Code?: string; Item?: Record<string, unknown> }>) =>
  new TransactionCanceledException({ message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [...]', ...meta, CancellationReasons: reasons as never });

function answer(error: unknown) {
  const response = errorResponse(error);
  const body = JSON.parse(response.body);
  errorBody.parse(body);
  return { status: response.statusCode, code: body.error.code as string, body, headers: response.headers ?? {} };
}

describe('failed conditions', () => {
  it('maps a cancelled transaction to 409 naming the item whose condition failed', () => {
    const result = answer(cancelled([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Item: { pk: { S: 'LISTING#l-1' }, sk: { S: 'LISTING' }, price: { N: '5' } } },
    ]));
    assert.equal(result.status, 409);
    assert.equal(result.code, 'LISTING_CONDITION_FAILED');
    assert.deepEqual(result.body.error.details, { failedConditions: [{ action: 1, entity: 'listing' }] });
    assert.doesNotMatch(JSON.stringify(result.body), /l-1|price/, 'nothing of the item itself is sent');
  });

  it('says which actions failed when it cannot tell the item', () => {
    const result = answer(cancelled([{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
    assert.equal(result.status, 409);
    assert.equal(result.code, 'CONDITION_FAILED');
    assert.deepEqual(result.body.error.details, { failedConditions: [{ action: 0 }, { action: 2 }] });
  });

  it('maps a transaction conflict to 409 TRANSACTION_CONFLICT and throttled items to 503', () => {
    assert.equal(answer(cancelled([{ Code: 'None' }, { Code: 'TransactionConflict' }])).code, 'TRANSACTION_CONFLICT');
    assert.equal(answer(new TransactionConflictException({ message: 'x', ...meta })).status, 409);
    const throttled = answer(cancelled([{ Code: 'ThrottlingError' }, { Code: 'None' }]));
    assert.equal(throttled.status, 503);
    assert.equal(throttled.code, 'DATABASE_BUSY');
    assert.equal(throttled.headers['retry-after'], '1');
  });

  it('maps a single-item ConditionalCheckFailedException to 409, with the item kind when returned', () => {
    assert.equal(answer(new ConditionalCheckFailedException({ message: 'The conditional request failed', ...meta })).code, 'CONDITION_FAILED');
    const withItem = answer(new ConditionalCheckFailedException({ message: 'x', ...meta, Item: { pk: { S: 'USER#u-1' }, sk: { S: 'ACCOUNT' } } }));
    assert.equal(withItem.status, 409);
    assert.equal(withItem.code, 'USER_CONDITION_FAILED');
  });

  it('keeps the data layer\'s own conflict codes', () => {
    const result = answer(new ConflictError('INSUFFICIENT_FUNDS', 'The balance does not cover this amount'));
    assert.deepEqual([result.status, result.code], [409, 'INSUFFICIENT_FUNDS']);
  });

  it('never answers 500 for any cancellation reasons or condition failure (property)', () => {
    const reason = fc.record({
      Code: fc.option(fc.constantFrom('None', 'ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError',
        'ProvisionedThroughputExceeded', 'ValidationError', 'ItemCollectionSizeLimitExceeded', 'RequestLimitExceeded'), { nil: undefined }),
      Item: fc.option(fc.dictionary(fc.string(), fc.anything()), { nil: undefined }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(reason, { maxLength: 100 }), fc.boolean(), (reasons, single) => {
      const error = single
        ? new ConditionalCheckFailedException({ message: 'x', ...meta, Item: reasons[0]?.Item as never })
        : cancelled(reasons as never);
      const result = answer(error);
      assert.ok(result.status === 409 || result.status === 503, `${result.status} ${result.code}`);
      assert.match(result.code, /^[A-Z][A-Z_]*$/);
    }), { numRuns: 500 });
  });
});

describe('failed conditions from a real DynamoDB (Local)', () => {
  it('maps the cancellation DynamoDB sends to 409 naming the item, and a plain conditional failure to 409', async (t) => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
    assert.ok(endpoint, 'run through test/run.ts, which starts DynamoDB Local');
    const client = localClient(endpoint);
    const table = `errors-${randomUUID()}`;
    await createTable(client, table);
    t.after(async () => { await deleteTable(client, table); client.destroy(); });
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'LISTING#l-1' }, sk: { S: 'LISTING' }, status: { S: 'sold' } } }));
    const transaction = client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: 'USER#u-1' }, sk: { S: 'ACCOUNT' }, balance: { N: '5' } } } },
        {
          Update: {
            TableName: table, Key: { pk: { S: 'LISTING#l-1' }, sk: { S: 'LISTING' } }, UpdateExpression: 'SET #s = :sold',
            ConditionExpression: '#s = :active', ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':sold': { S: 'sold' }, ':active': { S: 'active' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ],
    }));
    const cancelled = await transaction.then(() => null, (error: unknown) => error);
    const result = answer(cancelled);
    assert.deepEqual([result.status, result.code], [409, 'LISTING_CONDITION_FAILED']);
    assert.deepEqual(result.body.error.details, { failedConditions: [{ action: 1, entity: 'listing' }] });

    const single = await client.send(new UpdateItemCommand({
      TableName: table, Key: { pk: { S: 'LISTING#l-1' }, sk: { S: 'LISTING' } }, UpdateExpression: 'SET #s = :x',
      ConditionExpression: 'attribute_not_exists(pk)', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':x': { S: 'x' } },
    })).then(() => null, (error: unknown) => error);
    assert.deepEqual(Object.values(answer(single)).slice(0, 2), [409, 'CONDITION_FAILED']);
  });
});

describe('an unavailable database', () => {
  const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
  for (const [label, error] of [
    ['refused connection', network('ECONNREFUSED')],
    ['reset connection', network('ECONNRESET')],
    ['timeout', Object.assign(new Error('request timed out'), { name: 'TimeoutError' })],
    ['call deadline', Object.assign(new Error('no answer within budget'), { name: 'DynamoDbDeadlineError' })],
    ['DynamoDB 500', new InternalServerError({ message: 'x', $metadata: { httpStatusCode: 500 } })],
    ['idempotency store down', new IdempotencyPersistenceLayerError('Failed to save in progress record', { cause: network('ECONNREFUSED') })],
  ] as const) {
    it(`answers 503 DATABASE_UNAVAILABLE with Retry-After for a ${label}`, () => {
      const result = answer(error);
      assert.deepEqual([result.status, result.code], [503, 'DATABASE_UNAVAILABLE']);
      assert.equal(result.headers['retry-after'], '1');
    });
  }

  it('answers 503 DATABASE_BUSY when DynamoDB throttles past the retries', () => {
    const result = answer(new ProvisionedThroughputExceededException({ message: 'x', ...meta }));
    assert.deepEqual([result.status, result.code], [503, 'DATABASE_BUSY']);
  });
});

describe('idempotency outcomes', () => {
  it('maps a request still in progress to 409 and a reused key to 422', () => {
    assert.deepEqual(Object.values(answer(new IdempotencyAlreadyInProgressError('in progress'))).slice(0, 2), [409, 'IDEMPOTENCY_IN_PROGRESS']);
    assert.deepEqual(Object.values(answer(new IdempotencyValidationError('mismatch'))).slice(0, 2), [422, 'IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('anything else', () => {
  it('is a 500 INTERNAL in the error shape that leaks no message, name or stack (property)', () => {
    const thrown = fc.oneof(
      fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true }),
      fc.record({ name: fc.string(), message: fc.string({ minLength: 12 }) }).map(({ name, message }) => Object.assign(new Error(message), { name: `X${name}` })),
    );
    fc.assert(fc.property(thrown, (value) => {
      const result = answer(value);
      assert.deepEqual([result.status, result.code], [500, 'INTERNAL']);
      assert.deepEqual(Object.keys(result.body.error).sort(), ['code', 'message']);
      if (value instanceof Error) assert.ok(!JSON.stringify(result.body).includes(value.message), 'the message stays in the logs');
      assert.doesNotMatch(JSON.stringify(result.body), /at .+:\d+:\d+/);
    }), { numRuns: 500 });
  });
});

import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamoDbClient } from './client.js';
import { idempotencyTableKeys } from './table-definition.js';

/**
 * Where Powertools keeps a handler's idempotency records: the idempotency table (IDEMPOTENCY_TABLE_NAME, given
 * to the functions whose route says `idempotencyTable: true`). The key is `<keyPrefix>#<hash of the request key>`,
 * a partition of its own, so top-ups spread over the table instead of queueing on one partition key.
 */
export function idempotencyStore(): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? '',
    keyAttr: idempotencyTableKeys.partitionKey,
    expiryAttr: idempotencyTableKeys.ttlAttribute,
    // Our client, so its timeouts and retry budget hold here too (the SDK defaults would wait minutes).
    awsSdkV3Client: dynamoDbClient,
  });
}

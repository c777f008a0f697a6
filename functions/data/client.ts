import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { capacityMeter } from './capacity-meter.js';

/**
 * One DynamoDB client per execution environment, created at init and reused by every invocation.
 * Timeouts are explicit so a sick DynamoDB fails a request fast (503) instead of holding it to the
 * Lambda timeout; the SDK's standard retry mode retries throttling and transient errors with backoff
 * and never retries a failed condition.
 */
const lowLevelClient = new DynamoDBClient({
  ...(process.env.DYNAMODB_ENDPOINT ? { endpoint: process.env.DYNAMODB_ENDPOINT } : {}),
  maxAttempts: Number(process.env.DYNAMODB_MAX_ATTEMPTS ?? 3),
  retryMode: 'standard',
  requestHandler: {
    connectionTimeout: Number(process.env.DYNAMODB_CONNECT_TIMEOUT_MS ?? 1000),
    requestTimeout: Number(process.env.DYNAMODB_REQUEST_TIMEOUT_MS ?? 3000),
  },
});
capacityMeter.attach(lowLevelClient);

export const db = DynamoDBDocumentClient.from(lowLevelClient, {
  marshallOptions: { removeUndefinedValues: true },
});

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}

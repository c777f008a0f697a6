import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tradingErrors } from '../domain/trading-errors.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';

/**
 * Claims a client's Idempotency-Key for one request made of several creates (a batch), whose items are each
 * idempotent but could not otherwise tell another batch under the same key from a retry: the first request
 * writes its fingerprint; the same request again finds it and goes on; any other is refused, 422
 * IDEMPOTENCY_KEY_REUSED, before anything is done. `id` is derived from (user, route, key).
 */
export async function claimRequestKey(id: string, requestHash: string, now: string): Promise<void> {
  try {
    await db.send(new PutCommand({
      TableName: tableName(),
      Item: { ...keys.requestKey(id), entity: 'request-key', requestHash, claimedAt: now },
      ConditionExpression: 'attribute_not_exists(pk) OR requestHash = :requestHash',
      ExpressionAttributeValues: { ':requestHash': requestHash },
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw tradingErrors.idempotencyKeyReused();
    throw error;
  }
}

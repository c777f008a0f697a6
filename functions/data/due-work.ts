import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import { dueBy, indexKeysFor } from './keys.js';
import { queryPage, type Item } from './paged-query.js';

/** Up to `limit` items of a due-work partition (gsi5: open offers, unsettled auctions) due by `now`, soonest first. */
export async function readDue(partition: string, now: string, limit: number): Promise<Item[]> {
  const page = await queryPage({ index: 'gsi5', partition, range: { op: '<=', value: dueBy(now) }, forward: true }, { limit });
  return page.items;
}

/**
 * Moves an item a job failed on back in the due index, to `retryAt`, and records the failure on it
 * (`jobFailures`, `jobError`, `jobFailedAt`). Nothing is written if the item left the index or moved in it
 * meanwhile (settled, expired or cancelled by someone else): it is no longer this job's to retry.
 */
export async function deferDueItem(item: Item, id: string, retryAt: string, error: string, now: string): Promise<void> {
  try {
    await db.send(new UpdateCommand({
      TableName: tableName(),
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: 'SET gsi5sk = :retryKey, jobError = :error, jobFailedAt = :now ADD jobFailures :one',
      ConditionExpression: 'gsi5sk = :seen',
      ExpressionAttributeValues: {
        ':retryKey': indexKeysFor.dueRetry({ retryAt, id }).gsi5sk, ':error': error.slice(0, 1000), ':now': now, ':one': 1, ':seen': item.gsi5sk,
      },
    }));
  } catch (failure) {
    if ((failure as Error).name !== 'ConditionalCheckFailedException') throw failure;
  }
}

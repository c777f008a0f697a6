import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryInterval, StoredBucket } from '../domain/market-history.js';
import { windowsReadFrom } from '../domain/stats-windows.js';
import { db, tableName } from './client.js';
import { keys } from './keys.js';

const bucketNames = { '#t': 't', '#floor': 'floor', '#volume': 'volume', '#sales': 'sales' };

/**
 * The stored buckets of a collection's history from `first` to `last` (both bucket starts), oldest first: one
 * Query (at most 745 items of ~150 bytes, far below the 1 MB a Query returns). Buckets nothing happened in are
 * not stored.
 */
export async function readHistoryBuckets(
  collectionId: string, interval: HistoryInterval, first: string, last: string, options: { consistent?: boolean } = {},
): Promise<StoredBucket[]> {
  const buckets: StoredBucket[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const output = await db.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
      ExpressionAttributeNames: bucketNames, ProjectionExpression: Object.keys(bucketNames).join(', '),
      ExpressionAttributeValues: { ':pk': keys.historyPartition(collectionId, interval), ':first': first, ':last': last },
      ConsistentRead: options.consistent, ExclusiveStartKey: start,
    }));
    buckets.push(...(output.Items ?? []) as StoredBucket[]);
    start = output.LastEvaluatedKey;
  } while (start);
  return buckets;
}

/** What the 1d, 7d and 30d windows and the ones before them are computed from: two Queries in parallel, consistent. */
export async function readWindowBuckets(collectionId: string, now: Date): Promise<Record<HistoryInterval, StoredBucket[]>> {
  const from = windowsReadFrom(now);
  const [hourly, daily] = await Promise.all([
    readHistoryBuckets(collectionId, '1h', from['1h'], '~', { consistent: true }),
    readHistoryBuckets(collectionId, '1d', from['1d'], '~', { consistent: true }),
  ]);
  return { '1h': hourly, '1d': daily };
}

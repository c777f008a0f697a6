import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { distributionChange } from '../domain/holder-distribution.js';
import { bucketStart, historyIntervals, salesByBucket, timedSales } from '../domain/market-history.js';
import type { ActivityFacts } from '../domain/market-stats.js';
import { statsWindows } from '../domain/stats-windows.js';
import { db, tableName } from '../data/client.js';
import { readWindowBuckets } from '../data/history-repository.js';
import { indexKeysFor, keys } from '../data/keys.js';
import { StaleReadError, type GuardedWrite } from '../data/transactions.js';

/**
 * What the stream aggregator keeps beside the collection stats: the history buckets (sales and volume counted
 * in the transaction that counts the sale, the floor recorded whenever it is read) and the holder distribution
 * (moved in the transaction that moves the holder counts). Called from aggregate-market.ts.
 */


const bucketKey = (collectionId: string, interval: string, start: string) => `${collectionId}|${interval}|${start}`;

/**
 * Adds the counted sales to their hourly and daily buckets. A bucket's volume saturates at 2^53 - 1 as the
 * collection's does: the add is conditioned on staying below it; a bucket that would pass it is set to it from
 * then on (`saturated` remembers which, across retries).
 */
export function historySaleWrites(collectionId: string, activities: readonly ActivityFacts[], now: Date, saturated: Set<string>): GuardedWrite[] {
  return salesByBucket(timedSales(activities, now)).map((bucket): GuardedWrite => {
    const key = bucketKey(collectionId, bucket.interval, bucket.start);
    const full = saturated.has(key) || !(bucket.volume <= Number.MAX_SAFE_INTEGER);
    return {
      item: {
        Update: {
          TableName: tableName(), Key: keys.historyBucket(collectionId, bucket.interval, bucket.start),
          UpdateExpression: `SET entity = :entity, collectionId = :collectionId, #interval = :interval, t = :t${full ? ', volume = :max' : ''} ADD sales :sales${full ? '' : ', volume :volume'}`,
          ConditionExpression: full ? undefined : 'attribute_not_exists(volume) OR volume <= :room',
          ExpressionAttributeNames: { '#interval': 'interval' },
          ExpressionAttributeValues: {
            ':entity': 'history', ':collectionId': collectionId, ':interval': bucket.interval, ':t': bucket.start, ':sales': bucket.sales,
            ...(full ? { ':max': Number.MAX_SAFE_INTEGER } : { ':volume': bucket.volume, ':room': Number.MAX_SAFE_INTEGER - bucket.volume }),
          },
        },
      },
      onConditionFailed: () => {
        saturated.add(key);
        return new StaleReadError();
      },
    };
  });
}

/**
 * Moves holders between the distribution's buckets as their counts change (`before`: the counts read, and
 * conditioned on, in the same transaction), and keeps the number of NFTs held. Exact because it lands with the
 * activities' markers: a replayed activity changes neither.
 */
export function distributionWrites(collectionId: string, before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): GuardedWrite[] {
  const change = distributionChange(before, after);
  if (change.holders.size === 0 && change.tokens === 0) return [];
  const fields = [...change.holders.keys()];
  return [{
    item: {
      Update: {
        TableName: tableName(), Key: keys.holderDistribution(collectionId),
        UpdateExpression: `SET entity = :entity, collectionId = :collectionId, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk ADD tokens :tokens${fields.map((field) => `, ${field} :${field}`).join('')}`,
        ExpressionAttributeValues: {
          ':entity': 'holder-distribution', ':collectionId': collectionId, ':tokens': change.tokens,
          ...prefixed(indexKeysFor.holderDistribution(collectionId)),
          ...Object.fromEntries(fields.map((field) => [`:${field}`, change.holders.get(field)])),
        },
      },
    },
  }];
}

function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));
}

/**
 * Records a floor read at `asOf` in the hourly and daily buckets holding `at` (by default: when it was read),
 * unless a floor read later is there already: a bucket's floor is the last one read while it was current.
 */
export async function recordFloor(collectionId: string, floor: number | null, asOf: string, at = asOf): Promise<void> {
  await Promise.all(historyIntervals.map(async (interval) => {
    const t = bucketStart(interval, Date.parse(at));
    for (let attempt = 1; ; attempt++) {
      try {
        await db.send(new UpdateCommand({
          TableName: tableName(), Key: keys.historyBucket(collectionId, interval, t),
          UpdateExpression: 'SET entity = :entity, collectionId = :collectionId, #interval = :interval, t = :t, #floor = :floor, floorAsOf = :asOf',
          ConditionExpression: 'attribute_not_exists(floorAsOf) OR floorAsOf <= :asOf',
          ExpressionAttributeNames: { '#interval': 'interval', '#floor': 'floor' },
          ExpressionAttributeValues: { ':entity': 'history', ':collectionId': collectionId, ':interval': interval, ':t': t, ':floor': floor, ':asOf': asOf },
        }));
        return;
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ConditionalCheckFailedException') return; // a later read is recorded
        // A counting transaction holds the bucket: write after it.
        if (name !== 'TransactionConflictException' || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
      }
    }
  }));
}

/** The 1d, 7d and 30d windows as of now, from the history buckets (read consistently). */
export async function readWindows(collectionId: string, now = new Date()): Promise<{ windows: ReturnType<typeof statsWindows> }> {
  return { windows: statsWindows(now, await readWindowBuckets(collectionId, now)) };
}

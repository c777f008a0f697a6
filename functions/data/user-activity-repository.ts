import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityRole } from '../domain/activity-roles.js';
import type { PublicActivityType } from '../domain/activity-types.js';
import { toActivity, type Activity } from './activity-repository.js';
import { db, tableName } from './client.js';
import { indexPartitions, keys } from './keys.js';
import { mapPage, queryNewestAcross, queryPage, type Item, type Page, type PageRequest } from './paged-query.js';

export type UserActivity = Activity & { role: ActivityRole };

function toUserActivity(item: Item): UserActivity {
  return { ...toActivity(item), role: item.role as ActivityRole };
}

/** DynamoDB's limit on the requests of one BatchWriteItem. */
const maxBatchWrites = 25;

/**
 * Puts participants' copies of activities (functions/usecases/user-activity.ts). Each copy's key is its user
 * and activity, and its content the activity's, so writing one again (a replayed stream record) changes nothing.
 */
export async function putUserActivities(copies: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < copies.length; i += maxBatchWrites) {
    let requests: unknown[] = copies.slice(i, i + maxBatchWrites).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`${requests.length} user activity copies stayed unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * Math.random()));
      const output = await db.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }));
      requests = output.UnprocessedItems?.[tableName()] ?? [];
    }
  }
}

/**
 * The caller's activity, newest first: their partition of copies, or (`types`) each chosen type's gsi1
 * partition read in parallel (one round trip) and merged. `types`: null for every type.
 */
export async function listUserActivity(userId: string, types: readonly PublicActivityType[] | null, page: PageRequest): Promise<Page<UserActivity>> {
  if (types === null) {
    return mapPage(await queryPage({ partition: keys.userActivityPartition(userId), forward: false }, page), toUserActivity);
  }
  if (types.length === 0) return { items: [], nextCursor: null, asOf: new Date().toISOString() };
  const result = await queryNewestAcross({
    index: 'gsi1', partitions: types.map((type) => indexPartitions.userActivityOfType(userId, type)), scope: `user-activity:${userId}:${types.join(',')}`,
  }, page);
  return mapPage(result, toUserActivity);
}

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ActivityFacts } from '../../domain/market-stats.js';
import { storedNumber } from '../../data/stored-numbers.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';
import { metricNames } from '../../observability/metric-names.js';
import { metrics, MetricUnit } from '../../observability/metrics.js';
import { aggregateCollection } from '../../usecases/aggregate-market.js';
import { applyPendingCreditsWhenDue } from '../../usecases/pending-credits.js';
import { copyToParticipants } from '../../usecases/user-activity.js';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

function newImage(record: DynamoDBRecord): Record<string, unknown> {
  return unmarshall((record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>, { wrapNumbers: storedNumber });
}

function groupBy(records: DynamoDBRecord[], keyOf: (image: Record<string, unknown>) => string): Map<string, { records: DynamoDBRecord[]; images: Record<string, unknown>[] }> {
  const groups = new Map<string, { records: DynamoDBRecord[]; images: Record<string, unknown>[] }>();
  for (const record of records) {
    const image = newImage(record);
    const key = keyOf(image);
    const group = groups.get(key) ?? { records: [], images: [] };
    group.records.push(record);
    group.images.push(image);
    groups.set(key, group);
  }
  return groups;
}

/**
 * The table's stream, filtered to new activity and credit items (functions/stream-consumers.ts). Work is
 * batched: one transaction per collection for its activities, and a payee's credits once they are due. A group that
 * fails marks its records failed, and Powertools answers with the partial batch response, so Lambda retries
 * from the first failed record; everything is idempotent, so records retried after success change nothing.
 */
export const handler = instrumented(async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  const now = new Date();
  const failed = new Set<DynamoDBRecord>();
  const kinds = groupBy(event.Records, (image) => image.entity as string);
  const work: Promise<void>[] = [];
  for (const [collectionId, group] of groupBy(kinds.get('activity')?.records ?? [], (image) => image.collectionId as string)) {
    work.push(Promise.all([
      aggregateCollection(collectionId, group.images as unknown as ActivityFacts[], now), copyToParticipants(group.images),
    ]).then(() => undefined, (error: unknown) => {
      logger.error('collection aggregation failed', { collectionId, records: group.records.length, error: error as Error });
      for (const record of group.records) failed.add(record);
    }));
  }
  for (const [userId, group] of groupBy(kinds.get('credit')?.records ?? [], (image) => image.userId as string)) {
    work.push(applyPendingCreditsWhenDue(userId, now).then(() => undefined, (error: unknown) => {
      logger.error('applying credits failed', { userId, records: group.records.length, error: error as Error });
      for (const record of group.records) failed.add(record);
    }));
  }
  await Promise.all(work);
  const oldest = Math.min(...event.Records.map((r) => r.dynamodb?.ApproximateCreationDateTime ?? now.getTime() / 1000));
  const lagMs = Math.max(0, now.getTime() - oldest * 1000);
  metrics.addMetric(metricNames.streamLag, MetricUnit.Milliseconds, lagMs);
  logger.info('stream batch aggregated', { records: event.Records.length, failed: failed.size, lagMs });
  return processPartialResponse(event, async (record: DynamoDBRecord) => {
    if (failed.has(record)) throw new Error('its collection or account could not be updated');
  }, processor, { context });
});

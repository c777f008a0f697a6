import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { feedEventsOf, type StreamChange } from '../../domain/feed-events.js';
import { storedNumber } from '../../data/stored-numbers.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';
import { metricNames } from '../../observability/metric-names.js';
import { metrics, MetricUnit } from '../../observability/metrics.js';
import { publishFeed } from '../../usecases/publish-feed.js';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const imageOf = (image: Record<string, AttributeValue> | undefined) =>
  (image ? unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: storedNumber }) : null);

function changeOf(record: DynamoDBRecord, now: Date): StreamChange {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventName: record.eventName ?? '',
    eventId: record.eventID ?? `${record.dynamodb?.SequenceNumber ?? ''}`,
    at: new Date(created ? created * 1000 : now.getTime()).toISOString(),
    oldImage: imageOf(record.dynamodb?.OldImage as Record<string, AttributeValue> | undefined),
    newImage: imageOf(record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined),
  };
}

/**
 * The live feed's publisher (functions/stream-consumers.ts `publishFeed`): new activity, collection stats and
 * auction changes become sequenced, logged and published events. A record whose channel could not be sequenced
 * or published is reported failed through Powertools' partial batch response (as aggregateMarket), so Lambda
 * retries from it; a retried record keeps its seq.
 */
export const handler = instrumented(async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  const now = new Date();
  const changes = event.Records.map((record) => changeOf(record, now));
  const { published, failures } = await publishFeed(changes, now);
  for (const { channel, error } of failures) logger.error('feed channel not published', { channel, error: error as Error });
  const failedChannels = new Set(failures.map((f) => f.channel));
  const failed = new Set(event.Records.filter((_, index) =>
    feedEventsOf(changes[index]!).some((draft) => draft.channels.some((channel) => failedChannels.has(channel)))));
  metrics.addMetric(metricNames.feedEventsPublished, MetricUnit.Count, published);
  if (failures.length > 0) metrics.addMetric(metricNames.feedPublishFailures, MetricUnit.Count, failures.length);
  return processPartialResponse(event, async (record: DynamoDBRecord) => {
    if (failed.has(record)) throw new Error('its feed channel could not be sequenced or published');
  }, processor, { context });
});

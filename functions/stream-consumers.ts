/**
 * The table's stream consumers: the single source of truth for the CDK stack (event source mappings) and
 * the local stream poller, so both deliver the same records in the same batches with the same retries.
 *
 * Keep this module free of imports: it is read by the stack, the local runtime and bundles.
 */

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

export interface StreamConsumer {
  /** Stable identifier: the function's logical name. */
  id: string;
  /** Handler module under functions/handlers/, without extension; it exports `handler`. */
  handler: string;
  /**
   * Only records that match reach the handler: Lambda event filtering on `eventName` and the new image's
   * `entity` attribute. The local poller applies the same rule.
   */
  filter: { eventNames: readonly StreamEventName[]; entities: readonly string[] };
  /** Most records per invocation. */
  batchSize: number;
  /** How long Lambda gathers records before invoking with a partial batch. */
  maxBatchingWindowSeconds: number;
  /** Retries of a failing batch (after bisecting) before its records go to the on-failure queue. */
  retryAttempts: number;
  /** Split a failing batch in two and retry each half, so one bad record cannot hold back the rest. */
  bisectBatchOnError: boolean;
  /** Concurrent batches per stream shard (records of one partition key stay in order). */
  parallelizationFactor: number;
  timeoutSeconds: number;
  summary: string;
}

export const streamConsumers: readonly StreamConsumer[] = [
  {
    id: 'aggregateMarket',
    handler: 'streams/aggregate-market',
    filter: { eventNames: ['INSERT'], entities: ['activity', 'credit'] },
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 10,
    bisectBatchOnError: true,
    parallelizationFactor: 2,
    timeoutSeconds: 60,
    summary: 'Collection stats, floors, holder counts and presale sales from activity; pending credits rolled into accounts',
  },
  {
    id: 'publishFeed',
    handler: 'streams/publish-feed',
    // Activity gives the trade events; a collection's stats and an auction's end and top bidder change in place.
    filter: { eventNames: ['INSERT', 'MODIFY'], entities: ['activity', 'collection', 'auction'] },
    batchSize: 100,
    // Delivery latency: a subscriber waits for this window, so keep it short (docs/live-feed.md).
    maxBatchingWindowSeconds: 0,
    retryAttempts: 10,
    bisectBatchOnError: true,
    parallelizationFactor: 2,
    timeoutSeconds: 30,
    summary: 'Live feed: sequences new activity, collection stats and auction changes per channel, logs them and publishes to AppSync Events',
  },
];

/** Whether a stream record passes a consumer's filter (what Lambda event filtering does for the stack). */
export function matchesStreamFilter(
  filter: StreamConsumer['filter'],
  record: { eventName?: string; dynamodb?: { NewImage?: Record<string, { S?: string } | undefined> } },
): boolean {
  const entity = record.dynamodb?.NewImage?.entity?.S;
  return filter.eventNames.includes(record.eventName as StreamEventName) && entity !== undefined && filter.entities.includes(entity);
}

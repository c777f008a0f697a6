/**
 * The marketplace's own CloudWatch metrics (EMF, namespace below, dimension `service`): emitted by the
 * functions, charted by the dashboard. Keep this module free of imports: the stack reads it too.
 */
export const metricsNamespace = 'Marketplace';

export const metricNames = {
  /** Sales counted by the stream aggregator (each once), with their volume in minor units. */
  sales: 'Sales',
  salesVolume: 'SalesVolume',
  mints: 'Mints',
  /** 409 answers, with dimension `code` (SOLD_OUT, LISTING_UNAVAILABLE, CONCURRENT_UPDATE, ...). */
  conflicts: 'Conflicts',
  /** A trade read state that moved on before its transaction landed, and ran again. */
  optimisticRetries: 'OptimisticRetries',
  readCacheHits: 'ReadCacheHits',
  readCacheMisses: 'ReadCacheMisses',
  /** Age of the oldest record in a batch the stream aggregator handled. */
  streamLag: 'StreamLagMs',
  /** Due items a scheduled job failed on (and will retry later), with dimension `job` (its id in lib/jobs.ts). */
  jobItemFailures: 'JobItemFailures',
  /** Events the live-feed publisher sequenced and published (one per channel it went to). */
  feedEventsPublished: 'FeedEventsPublished',
  /** Channels of a batch the feed publisher could not sequence or publish (the batch is retried from them). */
  feedPublishFailures: 'FeedPublishFailures',
} as const;

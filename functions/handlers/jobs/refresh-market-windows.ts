import type { Context, ScheduledEvent } from 'aws-lambda';
import { refreshMarketWindows, throwIfCollectionsFailed } from '../../usecases/refresh-market-windows.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';

const job = 'refreshMarketWindows';

/**
 * EventBridge schedule, hourly: every collection's 1d, 7d and 30d windows computed again from its history, and
 * its floor recorded in the current history buckets. A collection that fails leaves the others done; the
 * invocation then fails naming it (to the job's on-failure queue), and the next hour's run covers it again.
 */
export const handler = instrumented(async (_event: ScheduledEvent, context: Context) => {
  const result = await refreshMarketWindows(new Date(), { job, timeLeftMs: () => context.getRemainingTimeInMillis() });
  logger.info('market windows run', { ...result, failed: result.failed.length });
  throwIfCollectionsFailed(job, result);
  return result;
});

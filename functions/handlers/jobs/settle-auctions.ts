import type { Context, ScheduledEvent } from 'aws-lambda';
import { settleDueAuctions } from '../../usecases/auctions.js';
import { throwIfItemsFailed } from '../../usecases/due-work.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';

const config = tradingConfig();
const job = 'settleEndedAuctions';

/**
 * EventBridge schedule: settles every auction that has ended (up to 100 a run, oldest first). When an auction
 * fails, the others are settled all the same and the invocation then fails naming it, so Lambda sends the
 * event and that error to the job's on-failure queue.
 */
export const handler = instrumented(async (_event: ScheduledEvent, context: Context) => {
  const result = await settleDueAuctions(new Date(), config, { job, timeLeftMs: () => context.getRemainingTimeInMillis() });
  logger.info('auction settlement run', result);
  throwIfItemsFailed(job, result);
  return result;
});

import type { Context, ScheduledEvent } from 'aws-lambda';
import { expireDueOffers } from '../../usecases/offers.js';
import { throwIfItemsFailed } from '../../usecases/due-work.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';

const job = 'expireOffers';

/**
 * EventBridge schedule: expires open offers past their expiry and returns their held funds. When an offer
 * fails, the others expire all the same and the invocation then fails naming it, so Lambda sends the event
 * and that error to the job's on-failure queue.
 */
export const handler = instrumented(async (_event: ScheduledEvent, context: Context) => {
  const result = await expireDueOffers(new Date(), { job, timeLeftMs: () => context.getRemainingTimeInMillis() });
  logger.info('offer expiry run', result);
  throwIfItemsFailed(job, result);
  return result;
});

import { expireDueOffers } from '../../usecases/offers.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';

/** EventBridge schedule: expires open offers past their expiry and returns their held funds. */
export const handler = instrumented(async () => {
  const result = await expireDueOffers(new Date());
  logger.info('offer expiry run', result);
  return result;
});

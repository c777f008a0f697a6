import { expireDueOffers } from '../../usecases/offers.js';
import { logger } from '../../http/logger.js';

/** EventBridge schedule: expires open offers past their expiry and returns their held funds. */
export const handler = async () => {
  const result = await expireDueOffers(new Date());
  logger.info('offer expiry run', result);
  return result;
};

import { settleDueAuctions } from '../../usecases/auctions.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { logger } from '../../http/logger.js';

const config = tradingConfig();

/** EventBridge schedule: settles every auction that has ended (up to 100 a run, oldest first). */
export const handler = async () => {
  const result = await settleDueAuctions(new Date(), config);
  logger.info('auction settlement run', result);
  return result;
};

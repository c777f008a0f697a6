import { settleDueAuctions } from '../../usecases/auctions.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { instrumented } from '../../observability/instrumented.js';
import { logger } from '../../observability/logger.js';

const config = tradingConfig();

/** EventBridge schedule: settles every auction that has ended (up to 100 a run, oldest first). */
export const handler = instrumented(async () => {
  const result = await settleDueAuctions(new Date(), config);
  logger.info('auction settlement run', result);
  return result;
});

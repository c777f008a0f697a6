import { settleAuction } from '../../usecases/auctions.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { userHandler } from '../../http/http-handler.js';
import { pathInput, validate } from '../../http/input.js';
import { auctionIdParam } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('auctions/settle-auction', async (event) => {
  const { auctionId } = validate(auctionIdParam, pathInput(event));
  return settleAuction(auctionId, new Date(), config);
});

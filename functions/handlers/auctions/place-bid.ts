import { placeBid } from '../../usecases/auctions.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, pathInput, validate } from '../../http/input.js';
import { auctionIdParam, bidRequest } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('auctions/place-bid', async (event, userId) => {
  const { auctionId } = validate(auctionIdParam, pathInput(event));
  const { amount } = validate(bidRequest, jsonBody(event));
  return placeBid(userId, auctionId, amount, () => new Date(), config);
});

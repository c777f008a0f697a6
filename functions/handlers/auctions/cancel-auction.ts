import { cancelAuction } from '../../usecases/auctions.js';
import { userHandler } from '../../http/http-handler.js';
import { pathInput, validate } from '../../http/input.js';
import { auctionIdParam } from '../../schemas/trading.js';

export const handler = userHandler('auctions/cancel-auction', async (event, userId) => {
  const { auctionId } = validate(auctionIdParam, pathInput(event));
  return cancelAuction(userId, auctionId, () => new Date());
});

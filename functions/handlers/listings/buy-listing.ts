import { buyListing } from '../../usecases/listings.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { userHandler } from '../../http/http-handler.js';
import { pathInput, validate } from '../../http/input.js';
import { listingIdParam } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('listings/buy-listing', async (event, userId) => {
  const { listingId } = validate(listingIdParam, pathInput(event));
  return buyListing(userId, listingId, new Date(), config);
});

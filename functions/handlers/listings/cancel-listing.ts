import { cancelListing } from '../../usecases/listings.js';
import { userHandler } from '../../http/http-handler.js';
import { pathInput, validate } from '../../http/input.js';
import { listingIdParam } from '../../schemas/trading.js';

export const handler = userHandler('listings/cancel-listing', async (event, userId) => {
  const { listingId } = validate(listingIdParam, pathInput(event));
  return cancelListing(userId, listingId, new Date());
});

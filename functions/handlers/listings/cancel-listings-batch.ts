import { cancelListings } from '../../usecases/bulk-listings.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { batchDeadline, itemResults } from '../../http/item-results.js';
import { cancelListingsRequest } from '../../schemas/bulk-trading.js';

/** 200 with a result per listing, in request order: one refused (NOT_SELLER, LISTING_UNAVAILABLE) leaves the others done. */
export const handler = userHandler('listings/cancel-listings-batch', async (event, userId, context) => {
  const { listingIds } = validate(cancelListingsRequest, jsonBody(event));
  const settled = await cancelListings(userId, listingIds, new Date(), batchDeadline(context));
  return { results: itemResults('listingId', listingIds, settled, ({ status, cancelledAt }) => ({ status, cancelledAt })) };
});

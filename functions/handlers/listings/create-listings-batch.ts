import { createListings } from '../../usecases/bulk-listings.js';
import { itemIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { itemResults } from '../../http/item-results.js';
import { createListingsRequest } from '../../schemas/bulk-trading.js';

/** 200 with a result per item, in request order: one refused item (409, 403, ...) leaves the others done. */
export const handler = userHandler('listings/create-listings-batch', async (event, userId) => {
  const { items } = validate(createListingsRequest, jsonBody(event));
  const settled = await createListings(userId, items, (item) => itemIdentity(event, userId, 'lst', item.nftId, item), new Date());
  return { results: itemResults('nftId', items.map((i) => i.nftId), settled, (listing) => ({ status: 'created', listing })) };
});

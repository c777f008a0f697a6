import { createListings } from '../../usecases/bulk-listings.js';
import { createdIdentity, itemIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { batchDeadline, itemResults } from '../../http/item-results.js';
import { createListingsRequest } from '../../schemas/bulk-trading.js';

/** 200 with a result per item, in request order: one refused item (409, 403, ...) leaves the others done. */
export const handler = userHandler('listings/create-listings-batch', async (event, userId, context) => {
  const { items } = validate(createListingsRequest, jsonBody(event));
  const identity = (item: { nftId: string; price: number }) => itemIdentity(event, userId, 'lst', item.nftId, item);
  const batch = createdIdentity(event, userId, 'lstb', items);
  const settled = await createListings(userId, items, identity, batch, new Date(), batchDeadline(context));
  return { results: itemResults('nftId', items.map((i) => i.nftId), settled, (listing) => ({ status: 'created', listing })) };
});

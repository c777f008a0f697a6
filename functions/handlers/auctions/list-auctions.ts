import { listAuctions } from '../../data/window-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { auctionFilters } from '../../schemas/lists.js';

export const handler = publicHandler('auctions/list-auctions', async (event) => {
  const filters = validate(auctionFilters, requestInput(event, { integers: ['limit'] }));
  return listAuctions(filters.status, filters.collectionId, new Date().toISOString(), filters);
});

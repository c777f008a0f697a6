import { listActiveListings } from '../../data/market-repository.js';
import { planListingQuery } from '../../domain/market.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { listingFilters } from '../../schemas/market.js';

export const handler = publicHandler('market/list-listings', async (event) => {
  const filters = validate(listingFilters, requestInput(event, { integers: ['minPrice', 'maxPrice', 'limit'] }));
  return listActiveListings(planListingQuery(filters), filters);
});

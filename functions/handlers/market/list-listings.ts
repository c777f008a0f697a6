import { listActiveListings } from '../../data/market-repository.js';
import { listTraitListings } from '../../data/trait-listings.js';
import { planListingQuery } from '../../domain/market.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { listingFilters } from '../../schemas/market.js';

export const handler = publicHandler('market/list-listings', async (event) => {
  const filters = validate(listingFilters, requestInput(event, { integers: ['minPrice', 'maxPrice', 'limit'] }));
  if (filters.attributes && filters.collectionId) {
    const query = {
      collectionId: filters.collectionId, attributes: filters.attributes, ascending: filters.sort === 'price_asc',
      price: { min: filters.minPrice ?? null, max: filters.maxPrice ?? null },
    };
    return listTraitListings(query, filters);
  }
  return listActiveListings(planListingQuery(filters), filters);
});

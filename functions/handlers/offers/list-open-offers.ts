import { bestOpenOffers } from '../../data/offer-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { openOffersQuery } from '../../schemas/lists.js';

export const handler = publicHandler('offers/list-open-offers', async (event) => {
  const query = validate(openOffersQuery, queryInput(event, { integers: ['limit'] }));
  return bestOpenOffers({ nftId: query.nftId ?? null, collectionId: query.collectionId, trait: query.trait ?? null }, new Date().toISOString(), query);
});

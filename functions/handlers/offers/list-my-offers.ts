import { listOffers } from '../../data/offer-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { myOffersQuery } from '../../schemas/lists.js';

export const handler = userHandler('offers/list-my-offers', async (event, userId) => {
  const query = validate(myOffersQuery, queryInput(event, { integers: ['limit'] }));
  return listOffers(userId, query.role, query.status, new Date().toISOString(), query);
});

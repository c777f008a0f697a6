import { listOffersMade, listOffersReceived } from '../../data/offer-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { myOffersQuery } from '../../schemas/lists.js';

export const handler = userHandler('offers/list-my-offers', async (event, userId) => {
  const query = validate(myOffersQuery, queryInput(event, { integers: ['limit'] }));
  const list = query.role === 'made' ? listOffersMade : listOffersReceived;
  return list(userId, query.status, new Date().toISOString(), query);
});

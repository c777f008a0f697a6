import { listCollections } from '../../data/market-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { collectionsQuery } from '../../schemas/market.js';

export const handler = publicHandler('market/list-collections', async (event) => {
  const page = validate(collectionsQuery, queryInput(event, { integers: ['limit'] }));
  return listCollections(page);
});

import { collectionHolders } from '../../data/holders-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { pathInput, queryInput, validate } from '../../http/input.js';
import { collectionIdParam, holdersQuery } from '../../schemas/collection-market.js';

export const handler = publicHandler('market/list-holders', async (event) => {
  const { collectionId } = validate(collectionIdParam, pathInput(event));
  const query = validate(holdersQuery, queryInput(event, { integers: ['limit'] }));
  return collectionHolders(collectionId, query.limit, query);
});

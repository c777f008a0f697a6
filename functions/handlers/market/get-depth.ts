import { marketDepth } from '../../data/market-depth-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { pathInput, queryInput, validate } from '../../http/input.js';
import { collectionIdParam, depthQuery } from '../../schemas/collection-market.js';

export const handler = publicHandler('market/get-depth', async (event) => {
  const { collectionId } = validate(collectionIdParam, pathInput(event));
  const query = validate(depthQuery, queryInput(event, { integers: ['levels'] }));
  return marketDepth(collectionId, query.side, query.levels, query);
});

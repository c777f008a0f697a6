import { publicHandler } from '../../http/http-handler.js';
import { pathInput, queryInput, validate } from '../../http/input.js';
import { collectionIdParam, historyQuery } from '../../schemas/collection-market.js';
import { collectionHistory } from '../../usecases/collection-history.js';

export const handler = publicHandler('market/get-history', async (event) => {
  const { collectionId } = validate(collectionIdParam, pathInput(event));
  const query = validate(historyQuery, queryInput(event));
  return collectionHistory(collectionId, query, new Date());
});

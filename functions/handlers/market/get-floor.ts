import { getFloors } from '../../data/market-repository.js';
import { floorsInRequestOrder } from '../../domain/market.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { floorRequest } from '../../schemas/market.js';

export const handler = publicHandler('market/get-floor', async (event) => {
  const { collectionIds } = validate(floorRequest, requestInput(event, { lists: ['collectionIds'] }));
  return { floors: floorsInRequestOrder(collectionIds, await getFloors(collectionIds)) };
});

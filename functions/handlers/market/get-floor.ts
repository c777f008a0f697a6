import { getFloors } from '../../data/market-repository.js';
import { floorsInRequestOrder } from '../../domain/market.js';
import { publicHandler } from '../../http/http-handler.js';
import { requestInput, validate } from '../../http/input.js';
import { floorRequest } from '../../schemas/market.js';

export const handler = publicHandler('market/get-floor', async (event) => {
  const request = validate(floorRequest, requestInput(event, { lists: ['collectionIds'] }));
  const { asOf, floors } = await getFloors(request.collectionIds, request);
  return { asOf, floors: floorsInRequestOrder(request.collectionIds, floors) };
});

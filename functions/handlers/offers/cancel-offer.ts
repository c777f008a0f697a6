import { cancelOffer } from '../../usecases/offers.js';
import { userHandler } from '../../http/http-handler.js';
import { pathInput, validate } from '../../http/input.js';
import { offerIdParam } from '../../schemas/trading.js';

export const handler = userHandler('offers/cancel-offer', async (event, userId) => {
  const { offerId } = validate(offerIdParam, pathInput(event));
  return cancelOffer(userId, offerId, new Date());
});

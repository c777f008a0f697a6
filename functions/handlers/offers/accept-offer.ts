import { acceptOffer } from '../../usecases/offers.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, pathInput, validate } from '../../http/input.js';
import { acceptOfferRequest, offerIdParam } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('offers/accept-offer', async (event, userId) => {
  const { offerId } = validate(offerIdParam, pathInput(event));
  const { nftId } = validate(acceptOfferRequest, jsonBody(event));
  return acceptOffer(userId, offerId, nftId, () => new Date(), config);
});

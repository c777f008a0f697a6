import { createOffer } from '../../usecases/offers.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { createOfferRequest } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('offers/create-offer', async (event, userId) => {
  const request = validate(createOfferRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'off', request);
  return created(await createOffer(userId, request, id, requestHash, new Date(), config));
});

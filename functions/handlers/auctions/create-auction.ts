import { createAuction } from '../../usecases/auctions.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { createAuctionRequest } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('auctions/create-auction', async (event, userId) => {
  const request = validate(createAuctionRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'auc', request);
  return created(await createAuction(userId, request, id, requestHash, new Date(), config));
});

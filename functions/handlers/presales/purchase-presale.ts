import { purchasePresale } from '../../usecases/presales.js';
import { tradingConfig } from '../../domain/trading-config.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, pathInput, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { presaleIdParam, purchaseRequest } from '../../schemas/trading.js';

const config = tradingConfig();

export const handler = userHandler('presales/purchase-presale', async (event, userId) => {
  const { presaleId } = validate(presaleIdParam, pathInput(event));
  const { quantity } = validate(purchaseRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'pur', { quantity });
  return created(await purchasePresale(userId, presaleId, quantity, id, requestHash, () => new Date(), config));
});

import { createPresale } from '../../usecases/presales.js';
import { assertCreator } from '../../domain/trading-rules.js';
import { callerGroups } from '../../http/caller.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { createPresaleRequest } from '../../schemas/trading.js';

export const handler = userHandler('presales/create-presale', async (event, userId) => {
  assertCreator(callerGroups(event));
  const request = validate(createPresaleRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'pre', request);
  return created(await createPresale(userId, request, id, requestHash, new Date()));
});

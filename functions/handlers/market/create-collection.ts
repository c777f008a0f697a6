import { createCollection } from '../../usecases/collections.js';
import { assertCreator } from '../../domain/trading-rules.js';
import { callerGroups } from '../../http/caller.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { createCollectionRequest } from '../../schemas/trading.js';

export const handler = userHandler('market/create-collection', async (event, userId) => {
  assertCreator(callerGroups(event));
  const request = validate(createCollectionRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'col', request);
  return created(await createCollection(userId, request, id, requestHash, new Date()));
});

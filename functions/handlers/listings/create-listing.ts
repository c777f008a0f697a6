import { createListing } from '../../usecases/listings.js';
import { createdIdentity } from '../../http/created-identity.js';
import { userHandler } from '../../http/http-handler.js';
import { jsonBody, validate } from '../../http/input.js';
import { created } from '../../http/responses.js';
import { createListingRequest } from '../../schemas/trading.js';

export const handler = userHandler('listings/create-listing', async (event, userId) => {
  const request = validate(createListingRequest, jsonBody(event));
  const { id, requestHash } = createdIdentity(event, userId, 'lst', request);
  return created(await createListing(userId, request, id, requestHash, new Date()));
});

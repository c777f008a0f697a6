import { listTopups } from '../../data/account-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { pageQuery } from '../../schemas/lists.js';

export const handler = userHandler('topups/list-my-topups', async (event, userId) => {
  const page = validate(pageQuery, queryInput(event, { integers: ['limit'] }));
  return listTopups(userId, page);
});

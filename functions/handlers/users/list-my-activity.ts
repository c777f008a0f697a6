import { typeSelection } from '../../domain/activity-types.js';
import { listUserActivity } from '../../data/user-activity-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { myActivityQuery } from '../../schemas/trading.js';

export const handler = userHandler('users/list-my-activity', async (event, userId) => {
  const query = validate(myActivityQuery, queryInput(event, { integers: ['limit'], lists: ['types'] }));
  return listUserActivity(userId, typeSelection(query.types), query);
});

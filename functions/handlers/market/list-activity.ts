import { typeSelection } from '../../domain/activity-types.js';
import { listActivity } from '../../data/activity-repository.js';
import { publicHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { activityQuery } from '../../schemas/trading.js';

export const handler = publicHandler('market/list-activity', async (event) => {
  const query = validate(activityQuery, queryInput(event, { integers: ['limit'], lists: ['types'] }));
  return listActivity({ ...query, types: typeSelection(query.types) }, query);
});

import { listWithdrawals } from '../../data/payment-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { pageQuery } from '../../schemas/lists.js';

export const handler = userHandler('withdrawals/list-my-withdrawals', async (event, userId) => {
  const page = validate(pageQuery, queryInput(event, { integers: ['limit'] }));
  return listWithdrawals(userId, page);
});

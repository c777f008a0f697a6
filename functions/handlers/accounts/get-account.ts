import { findAccount } from '../../data/account-repository.js';
import { emptyAccount } from '../../domain/accounts.js';
import { userHandler } from '../../http/http-handler.js';

export const handler = userHandler('accounts/get-account', async (_event, userId) => {
  return (await findAccount(userId)) ?? emptyAccount(userId);
});

import { listOwnedNfts } from '../../data/nft-repository.js';
import { userHandler } from '../../http/http-handler.js';
import { queryInput, validate } from '../../http/input.js';
import { myNftsQuery } from '../../schemas/lists.js';

export const handler = userHandler('nfts/list-my-nfts', async (event, userId) => {
  const query = validate(myNftsQuery, queryInput(event, { integers: ['limit'] }));
  return listOwnedNfts(userId, query.collectionId, query);
});

import { listCollectionTraits } from '../../data/trait-repository.js';
import { groupByKey } from '../../domain/traits.js';
import { publicHandler } from '../../http/http-handler.js';
import { pathInput, queryInput, validate } from '../../http/input.js';
import { collectionTraitsQuery } from '../../schemas/lists.js';
import { collectionIdParam } from '../../schemas/trading.js';

/** One Query (the collection's `TRAIT#` items); an unknown collection has no traits. */
export const handler = publicHandler('market/get-collection-traits', async (event) => {
  const { collectionId } = validate(collectionIdParam, pathInput(event));
  const query = validate(collectionTraitsQuery, queryInput(event));
  const { asOf, traits } = await listCollectionTraits(collectionId, query);
  return { collectionId, asOf, traits: groupByKey(traits.map(({ floorListingId: _listing, ...figures }) => figures)) };
});

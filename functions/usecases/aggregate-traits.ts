import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ActivityFacts } from '../domain/market-stats.js';
import { traitCountChanges, traitsToRefresh, type Attribute } from '../domain/traits.js';
import { db, tableName } from '../data/client.js';
import { keys } from '../data/keys.js';
import { writeNewerRead } from '../data/newer-read.js';
import { bestOpenOffers } from '../data/offer-repository.js';
import type { GuardedWrite } from '../data/transactions.js';

/**
 * A collection's trait counts, in the aggregator's counting transaction (`countOnce`): one update per trait value
 * the activities change, so they are counted exactly when the activities' markers are written. The update makes
 * the trait's item if the collection's trait table did not.
 */
export function traitCountWrites(collectionId: string, activities: readonly ActivityFacts[], at: string): GuardedWrite[] {
  return [...traitCountChanges(activities).values()].map((change) => ({
    item: {
      Update: {
        TableName: tableName(), Key: keys.trait(collectionId, change),
        UpdateExpression: 'SET entity = :entity, collectionId = :collectionId, traitKey = :key, traitValue = :value, statsAsOf = :at '
          + 'ADD tokenCount :tokens, listedCount :listed',
        ExpressionAttributeValues: {
          ':entity': 'trait', ':collectionId': collectionId, ':key': change.key, ':value': change.value, ':at': at,
          ':tokens': change.tokenCount, ':listed': change.listedCount,
        },
      },
    },
  }));
}

/**
 * After counting: a trait's floor is read again when its listings came or went (its price partition, strongly
 * consistent), and its top offer when one of its trait offers was made or closed (its offer book, an index, so
 * like the collection's top offer it can miss an offer made a moment before until the trait's next offer event).
 * Each is written unless a later read already wrote its own.
 */
export async function refreshTraits(collectionId: string, activities: readonly ActivityFacts[]): Promise<void> {
  const { floors, topOffers } = traitsToRefresh(activities);
  // Each trait value has an item of its own, so they are read and written in parallel.
  await Promise.all([
    ...floors.map((trait) => refreshTraitFloor(collectionId, trait)),
    ...topOffers.map((trait) => refreshTraitTopOffer(collectionId, trait)),
  ]);
}

async function refreshTraitFloor(collectionId: string, trait: Attribute): Promise<void> {
  await writeNewerRead(keys.trait(collectionId, trait), 'floorAsOf', async () => {
    const output = await db.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk', ProjectionExpression: 'price, listingId',
      ExpressionAttributeValues: { ':pk': keys.traitListingsPartition(collectionId, trait) }, ConsistentRead: true, Limit: 1,
    }));
    const cheapest = output.Items?.[0];
    return { floorPrice: cheapest?.price ?? null, floorListingId: cheapest?.listingId ?? null };
  });
}

async function refreshTraitTopOffer(collectionId: string, trait: Attribute): Promise<void> {
  await writeNewerRead(keys.trait(collectionId, trait), 'topOfferAsOf', async (readAt) => {
    const best = await bestOpenOffers({ nftId: null, collectionId, trait }, readAt, { limit: 1 });
    const top = best.items[0];
    return { topOfferAmount: top?.amount ?? null, topOfferId: top?.offerId ?? null };
  });
}

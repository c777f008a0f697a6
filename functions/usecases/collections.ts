import type { Collection } from '../domain/market.js';
import { allTimeWindow, quietWindows } from '../domain/stats-windows.js';
import type { TraitTable } from '../domain/traits.js';
import { tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { keys } from '../data/keys.js';
import { toCollection } from '../data/market-repository.js';
import { transact, withOptimisticRetry } from '../data/transactions.js';
import { createdBefore } from './created-before.js';

export async function createCollection(
  creator: string, request: { name: string; image: string; royaltyBps: number; traits?: TraitTable['traits'] | undefined },
  collectionId: string, requestHash: string | null, now: Date,
): Promise<Collection> {
  return withOptimisticRetry(async () => {
    const earlier = await createdBefore(keys.collection(collectionId), requestHash, toCollection);
    if (earlier) return earlier;
    const collection: Collection = {
      collectionId, name: request.name, image: request.image, creator, royaltyBps: request.royaltyBps,
      stats: { floorPrice: null, listedCount: 0, volume: 0, sales: 0, owners: 0, topOffer: null, statsAsOf: null, floorAsOf: null, topOfferAsOf: null,
        windows: { ...quietWindows(), all: allTimeWindow(0, 0) }, windowsAsOf: null,
      },
    };
    await transact([{
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...items.collection({ ...collection, createdAt: now.toISOString(), floorListingId: null }), requestHash,
            ...(request.traits ? { traitTable: { traits: request.traits } } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    // Every value of the trait table has its figures from the start (0 tokens), so it can take trait offers at once.
    ...(request.traits ?? []).flatMap(({ key, values }) => values.map(({ value }) => ({
      item: { Put: { TableName: tableName(), Item: items.trait({ collectionId, key, value }), ConditionExpression: 'attribute_not_exists(pk)' } },
    })))]);
    return collection;
  });
}

import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  changesOfferBook, changesStats, holderCounts, nftsThatChangedHands, statsChange, type ActivityFacts,
} from '../domain/market-stats.js';
import { metricNames } from '../observability/metric-names.js';
import { metrics, MetricUnit } from '../observability/metrics.js';
import { db, tableName } from '../data/client.js';
import { items } from '../data/items.js';
import { indexKeysFor, keys } from '../data/keys.js';
import { bestOpenOffers, openOffersOnNft } from '../data/offer-repository.js';
import { readItems, readNft } from '../data/trade-reads.js';
import { StaleReadError, transact, withOptimisticRetry, type GuardedWrite } from '../data/transactions.js';
import { writeNewerRead } from '../data/newer-read.js';
import { historyAndDistributionItems } from '../domain/market-history.js';
import { traitCountChanges } from '../domain/traits.js';
import { distributionWrites, historySaleWrites, readWindows, recordFloor } from './aggregate-history.js';
import { refreshTraits, traitCountWrites } from './aggregate-traits.js';

/** DynamoDB's limit on the items of one transaction. */
const maxTransactionItems = 100;
/** Markers outlive the stream's 24-hour retention, so no replay can find its marker gone. */
const markerLifetimeSeconds = 3 * 24 * 3600;

const keyOf = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;

/**
 * Adds one collection's activities to its stats (listedCount, volume, sales, owners), holder counts and
 * presale `sold`, then reads its floor again if the market changed. Each activity counts exactly once: its
 * marker is written in the transaction that counts it, and an activity whose marker exists is skipped, so a
 * replayed or duplicated stream record changes nothing.
 */
export async function aggregateCollection(collectionId: string, activities: readonly ActivityFacts[], now: Date): Promise<void> {
  const unique = [...new Map(activities.map((a) => [a.activityId, a])).values()];
  const counted = unique.filter(changesStats);
  for (const chunk of transactionChunks(counted, now)) {
    const volume = { saturated: false, saturatedBuckets: new Set<string>() };
    await withOptimisticRetry(() => countOnce(collectionId, chunk, now, volume), 10);
  }
  if (statsChange(counted).listingsChanged) await refreshFloor(collectionId);
  if (statsChange(counted).sales > 0) await writeNewerRead(keys.collection(collectionId), 'windowsAsOf', () => readWindows(collectionId));
  if (unique.some(changesOfferBook)) await refreshTopOffer(collectionId);
  await refreshTraits(collectionId, unique);
  for (const nftId of nftsThatChangedHands(unique)) await offersFollowOwner(nftId);
}

/**
 * The collection's all-time volume only grows, and the same money can buy and resell an NFT forever, so it
 * could pass 2^53 - 1 (after 9,007 sales at the highest price). Adding to it is conditioned on staying at or
 * below that; once it would not, it is set to 2^53 - 1 and stays there (read: "at least").
 */
function volumeChange(added: number, saturated: boolean): { set: string; add: string; condition: string; values: Record<string, unknown> } {
  return saturated || !(added <= Number.MAX_SAFE_INTEGER)
    ? { set: ', volume = :maxVolume', add: '', condition: '', values: { ':maxVolume': Number.MAX_SAFE_INTEGER } }
    : {
      set: '', add: ', volume :volume', condition: ' AND (attribute_not_exists(volume) OR volume <= :volumeRoom)',
      values: { ':volume': added, ':volumeRoom': Number.MAX_SAFE_INTEGER - added },
    };
}

/**
 * As many activities per transaction as fit: a marker each, the holders they touch, the collection and the
 * presales they sold from. Fewer, fuller transactions mean fewer writes to the collection and presale items.
 */
function transactionChunks(activities: readonly ActivityFacts[], now: Date): ActivityFacts[][] {
  const chunks: ActivityFacts[][] = [];
  let chunk: ActivityFacts[] = [];
  const itemsOf = (list: ActivityFacts[]) => {
    const change = statsChange(list);
    return list.length + change.holders.size + 1 + change.presaleSold.size + historyAndDistributionItems(list, now)
      + traitCountChanges(list).size;
  };
  for (const activity of activities) {
    if (chunk.length > 0 && itemsOf([...chunk, activity]) > maxTransactionItems) {
      chunks.push(chunk);
      chunk = [];
    }
    chunk.push(activity);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

async function countOnce(
  collectionId: string, activities: readonly ActivityFacts[], now: Date, volumeState: { saturated: boolean; saturatedBuckets: Set<string> },
): Promise<void> {
  const users = [...statsChange(activities).holders.keys()];
  const found = await readItems([
    ...activities.map((a) => keys.aggregated(a.activityId)),
    ...users.map((user) => keys.holder(collectionId, user)),
  ]);
  const fresh = activities.filter((a) => !found.has(keyOf(keys.aggregated(a.activityId))));
  if (fresh.length === 0) return;
  const change = statsChange(fresh);
  const before = new Map([...change.holders.keys()].map((user) => [user, (found.get(keyOf(keys.holder(collectionId, user)))?.count as number) ?? 0]));
  const { after, ownersDelta } = holderCounts(before, change.holders);
  const at = now.toISOString();
  const ttl = Math.floor(now.getTime() / 1000) + markerLifetimeSeconds;
  const volume = volumeChange(change.volume, volumeState.saturated);
  await transact([
    ...fresh.map((a): GuardedWrite => ({
      item: {
        Put: {
          TableName: tableName(), Item: { ...keys.aggregated(a.activityId), entity: 'aggregated', collectionId, ttl },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    })),
    ...[...after].map(([user, count]): GuardedWrite => {
      const seen = before.get(user)!;
      return {
        item: {
          Put: {
            TableName: tableName(), Item: items.holder({ collectionId, userId: user, count }),
            ConditionExpression: seen === 0 ? 'attribute_not_exists(#count) OR #count = :seen' : '#count = :seen',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':seen': seen },
          },
        },
      };
    }),
    {
      item: {
        Update: {
          TableName: tableName(), Key: keys.collection(collectionId),
          UpdateExpression: `SET statsAsOf = :at${volume.set} ADD listedCount :listed, sales :sales, owners :owners${volume.add}`,
          ConditionExpression: `attribute_exists(pk)${volume.condition}`,
          ExpressionAttributeValues: { ':at': at, ':listed': change.listedCount, ':sales': change.sales, ':owners': ownersDelta, ...volume.values },
        },
      },
      // While adding, the volume near its ceiling fails this too: read again and saturate.
      onConditionFailed: volumeState.saturated ? () => new Error(`collection ${collectionId} does not exist`) : () => {
        volumeState.saturated = true;
        return new StaleReadError();
      },
    },
    ...[...change.presaleSold].map(([presaleId, sold]): GuardedWrite => ({
      item: {
        Update: {
          TableName: tableName(), Key: keys.presale(presaleId), UpdateExpression: 'ADD sold :sold',
          ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':sold': sold },
        },
      },
      onConditionFailed: () => new Error(`presale ${presaleId} does not exist`),
    })),
    ...historySaleWrites(collectionId, fresh, now, volumeState.saturatedBuckets),
    ...distributionWrites(collectionId, before, after),
    ...traitCountWrites(collectionId, fresh, at),
  ]);
  // Counted once: a replay finds the markers and returns above.
  metrics.addMetric(metricNames.sales, MetricUnit.Count, change.sales);
  metrics.addMetric(metricNames.salesVolume, MetricUnit.NoUnit, change.volume);
  metrics.addMetric(metricNames.mints, MetricUnit.Count, change.mints);
}

/**
 * The floor is the cheapest price entry, read strongly consistent when the market changed. A slower
 * aggregator never overwrites a floor read after its own.
 */
async function refreshFloor(collectionId: string): Promise<void> {
  let read: { floor: number | null; at: string } | undefined;
  await writeNewerRead(keys.collection(collectionId), 'floorAsOf', async () => {
    const at = new Date().toISOString();
    const output = await db.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.floorPartition(collectionId) }, ConsistentRead: true, Limit: 1,
    }));
    const cheapest = output.Items?.[0];
    read = { floor: cheapest?.price ?? null, at };
    return { floorPrice: cheapest?.price ?? null, floorListingId: cheapest?.listingId ?? null };
  });
  if (read) await recordFloor(collectionId, read.floor, read.at);
}

/**
 * The best open collection offer, read again whenever one is made or closed. The offer book is an index, so
 * this read can miss an offer made a moment before; the next offer event of the collection corrects it.
 */
async function refreshTopOffer(collectionId: string): Promise<void> {
  // Unexpired as of the read's own instant, which the item records (topOfferAsOf), not as of the batch's start.
  await writeNewerRead(keys.collection(collectionId), 'topOfferAsOf', async (readAt) => {
    const best = await bestOpenOffers({ nftId: null, collectionId }, readAt, { limit: 1 });
    const top = best.items[0];
    return { topOfferAmount: top?.amount ?? null, topOfferId: top?.offerId ?? null };
  });
}

/**
 * An NFT changed hands: its open offers are now received by its new owner. The owner is read consistently,
 * not taken from the activity, so records handled out of order still end at the current owner.
 */
async function offersFollowOwner(nftId: string): Promise<void> {
  const nft = await readNft(nftId);
  if (!nft) return;
  for (const offer of await openOffersOnNft(nftId)) {
    if (offer.recipient === nft.owner) continue;
    try {
      await db.send(new UpdateCommand({
        TableName: tableName(), Key: keys.offer(offer.offerId),
        UpdateExpression: 'SET recipient = :owner, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':owner': nft.owner, ':open': 'open', ...prefixed(indexKeysFor.offerRecipient({ ...offer, recipient: nft.owner })) },
      }));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error; // closed meanwhile: it stays with its recipient
    }
  }
}

function prefixed(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));
}

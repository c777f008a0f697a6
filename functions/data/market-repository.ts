import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Collection, Floor, Listing, ListingQueryPlan } from '../domain/market.js';
import { allTimeWindow, quietWindows, type WindowFigures, type WindowName } from '../domain/stats-windows.js';
import { db, tableName } from './client.js';
import { indexPartitions, keys, priceKey } from './keys.js';
import { cachedFirstPage, cachedRead, type Freshness } from './read-cache.js';
import { mapPage, queryPage, type Item, type Page, type PageRequest, type QuerySpec } from './paged-query.js';

export function toListing(item: Item): Listing {
  return {
    listingId: item.listingId as string,
    nftId: item.nftId as string,
    collectionId: item.collectionId as string,
    seller: item.seller as string,
    price: item.price as number,
    listedAt: item.listedAt as string,
    name: item.name as string,
    image: item.image as string,
    attributes: (item.attributes as Listing['attributes'] | undefined) ?? [],
  };
}

/** What toCollection reads: a list of collections leaves out the rest (the trait table minting draws from). */
const collectionAttributes = [
  'collectionId', 'name', 'image', 'creator', 'royaltyBps', 'floorPrice', 'listedCount', 'volume', 'sales', 'owners',
  'topOfferId', 'topOfferAmount', 'statsAsOf', 'floorAsOf', 'topOfferAsOf', 'windows', 'windowsAsOf',
] as const;

export function toCollection(item: Item): Collection {
  return {
    collectionId: item.collectionId as string,
    name: item.name as string,
    image: item.image as string,
    creator: item.creator as string,
    royaltyBps: (item.royaltyBps as number) ?? 0,
    stats: {
      floorPrice: (item.floorPrice as number | null) ?? null,
      listedCount: (item.listedCount as number) ?? 0,
      volume: (item.volume as number) ?? 0,
      sales: (item.sales as number) ?? 0,
      owners: (item.owners as number) ?? 0,
      topOffer: typeof item.topOfferId === 'string' ? { offerId: item.topOfferId, amount: item.topOfferAmount as number } : null,
      statsAsOf: (item.statsAsOf as string | undefined) ?? null,
      floorAsOf: (item.floorAsOf as string | undefined) ?? null,
      topOfferAsOf: (item.topOfferAsOf as string | undefined) ?? null,
      windows: {
        ...((item.windows as Record<WindowName, WindowFigures> | undefined) ?? quietWindows()),
        all: allTimeWindow((item.volume as number) ?? 0, (item.sales as number) ?? 0),
      },
      windowsAsOf: (item.windowsAsOf as string | undefined) ?? null,
    },
  };
}

/**
 * Active listings live in four sparse index orderings: (market | collection) x (listedAt | price).
 * A price range on a price ordering is a key condition; on the listedAt ordering it is a filter.
 */
export function listingQuerySpec(plan: ListingQueryPlan): QuerySpec {
  const byPrice = plan.orderBy === 'price';
  const scoped = plan.collectionId !== null;
  const index = scoped ? (byPrice ? 'gsi4' : 'gsi3') : byPrice ? 'gsi2' : 'gsi1';
  const partition = indexPartitions.listings(plan.collectionId);
  const { min, max } = plan.price;
  const spec: QuerySpec = { index, partition, forward: plan.ascending, scope: JSON.stringify(plan.price) };
  if (byPrice && (min !== null || max !== null)) {
    spec.range = { op: 'between', low: priceKey(min ?? 0), high: `${priceKey(max ?? Number.MAX_SAFE_INTEGER)}#~` };
  } else if (!byPrice && (min !== null || max !== null)) {
    spec.filter = {
      expression: '#price BETWEEN :minPrice AND :maxPrice',
      names: { '#price': 'price' },
      values: { ':minPrice': min ?? 0, ':maxPrice': max ?? Number.MAX_SAFE_INTEGER },
    };
  }
  return spec;
}

export async function listActiveListings(plan: ListingQueryPlan, page: PageRequest & Freshness): Promise<Page<Listing>> {
  const read = async () => mapPage(await queryPage(listingQuerySpec(plan), page), toListing);
  return cachedFirstPage(`listings ${JSON.stringify(plan)} ${page.limit}`, page, read);
}

/**
 * One BatchGetItem: each collection's item carries its floor, so a floor costs one item read.
 * `asOf` is when they were read; each floor's `floorAsOf` is when the stream aggregator set it.
 */
export async function getFloors(collectionIds: string[], request: Freshness = {}): Promise<{ asOf: string; floors: Map<string, Floor> }> {
  const unique = [...new Set(collectionIds)].sort();
  return cachedRead(`floors ${unique.join(',')}`, () => readFloors(unique), request);
}

async function readFloors(unique: string[]): Promise<{ asOf: string; floors: Map<string, Floor> }> {
  const asOf = new Date().toISOString();
  const floors = new Map<string, Floor>();
  let requestKeys: Record<string, unknown>[] | undefined = unique.map((id) => keys.collection(id));
  for (let attempt = 0; requestKeys && requestKeys.length > 0 && attempt < 5; attempt++) {
    const output: BatchGetCommandOutput = await db.send(new BatchGetCommand({
      RequestItems: {
        [tableName()]: {
          Keys: requestKeys,
          ProjectionExpression: 'collectionId, floorPrice, floorListingId, floorAsOf',
        },
      },
    }));
    for (const item of output.Responses?.[tableName()] ?? []) {
      floors.set(item.collectionId as string, {
        collectionId: item.collectionId as string,
        floorPrice: (item.floorPrice as number | null) ?? null,
        listingId: (item.floorListingId as string | null) ?? null,
        floorAsOf: (item.floorAsOf as string | undefined) ?? null,
      });
    }
    requestKeys = output.UnprocessedKeys?.[tableName()]?.Keys;
  }
  return { asOf, floors };
}

export async function listCollections(page: PageRequest & Freshness): Promise<Page<Collection>> {
  const read = async () =>
    mapPage(await queryPage({ index: 'gsi1', partition: indexPartitions.collections, forward: true, attributes: collectionAttributes }, page), toCollection);
  return cachedFirstPage(`collections ${page.limit}`, page, read);
}

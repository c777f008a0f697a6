import type { StatsWindows } from './stats-windows.js';
import type { Attribute } from './traits.js';

export interface Listing {
  listingId: string;
  nftId: string;
  collectionId: string;
  seller: string;
  price: number;
  listedAt: string;
  name: string;
  image: string;
  /** The NFT's traits, copied when it was listed. */
  attributes: Attribute[];
}

export interface CollectionStats {
  floorPrice: number | null;
  listedCount: number;
  volume: number;
  sales: number;
  owners: number;
  /** The best open collection offer (updated by the aggregator on each offer event of the collection). */
  topOffer: { offerId: string; amount: number } | null;
  /**
   * When the stream aggregator last updated these figures (null: never since the collection was made).
   * They trail trades by the stream's lag, which an alarm keeps under a minute and is about a second.
   */
  statsAsOf: string | null;
  /** When the aggregator last set `floorPrice` (it refreshes the floor apart from the other figures). */
  floorAsOf: string | null;
  /** When the aggregator last read `topOffer` from the offer book. */
  topOfferAsOf: string | null;
  /** Volume and sales of the last day, 7 and 30 days and all time, each against the window before. */
  windows: StatsWindows;
  /** When the 1d, 7d and 30d windows were last computed from the history (after a sale, and hourly). */
  windowsAsOf: string | null;
}

export interface Collection {
  collectionId: string;
  name: string;
  image: string;
  creator: string;
  royaltyBps: number;
  stats: CollectionStats;
}

export interface Floor {
  collectionId: string;
  floorPrice: number | null;
  listingId: string | null;
  /**
   * When the stream aggregator set this floor from the price-ordered listings (it trails them by the stream's
   * lag). Not the answer's `asOf`, which says when the floor was read from the collection item.
   */
  floorAsOf: string | null;
}

export type ListingSort = 'price_asc' | 'price_desc' | 'newest';

export interface ListingQueryPlan {
  /** One collection's listings, or the whole market's. */
  collectionId: string | null;
  orderBy: 'price' | 'listedAt';
  ascending: boolean;
  /** Inclusive bounds in minor units. */
  price: { min: number | null; max: number | null };
}

/** Which ordered set of active listings answers a filter, and in which direction to read it. */
export function planListingQuery(filters: {
  collectionId?: string | undefined; minPrice?: number | undefined; maxPrice?: number | undefined; sort: ListingSort;
}): ListingQueryPlan {
  return {
    collectionId: filters.collectionId ?? null,
    orderBy: filters.sort === 'newest' ? 'listedAt' : 'price',
    ascending: filters.sort === 'price_asc',
    price: { min: filters.minPrice ?? null, max: filters.maxPrice ?? null },
  };
}

/** Floors in the order asked for; a collection with nothing listed (or unknown) has no floor. */
export function floorsInRequestOrder(collectionIds: string[], known: Map<string, Floor>): Floor[] {
  return [...new Set(collectionIds)].map(
    (collectionId) => known.get(collectionId) ?? { collectionId, floorPrice: null, listingId: null, floorAsOf: null },
  );
}

import type { Attribute } from './traits.js';

/**
 * What trading activity does to a collection's stats: plain arithmetic over activity records, so the
 * stream aggregator's effect is tested without DynamoDB. Trades write only their own items and one activity
 * each; the aggregator turns activities into the shared figures, never in a trade's transaction.
 */
/** `cancellation` takes a listing off the market; `auction-cancellation` closes an auction, which never was on it. */
export type ActivityKind =
  | 'listing' | 'cancellation' | 'sale' | 'bid' | 'mint' | 'auction' | 'auction-cancellation' | 'settlement'
  | 'offer' | 'offer-cancellation' | 'offer-expiry';

/** Kinds that change a collection's counted stats; only these are counted (and marked) by the aggregator. */
const countedKinds: ReadonlySet<ActivityKind> = new Set(['listing', 'cancellation', 'sale', 'mint']);
const offerKinds: ReadonlySet<ActivityKind> = new Set(['offer', 'offer-cancellation', 'offer-expiry']);

export const changesStats = (a: ActivityFacts) => countedKinds.has(a.kind);

/**
 * A collection offer was made or closed, or an offer accepted: the collection's best offer must be read again.
 * (A sale's activity does not say whether its offer was on the collection or on the NFT, so every such sale counts.)
 */
export const changesOfferBook = (a: ActivityFacts) => (offerKinds.has(a.kind) && a.nftId === null) || (a.kind === 'sale' && a.via === 'offer');

/** NFTs that changed hands: their open offers now go to the new owner. */
export function nftsThatChangedHands(activities: readonly ActivityFacts[]): string[] {
  return [...new Set(activities.flatMap((a) => (a.kind === 'sale' && a.nftId !== null ? [a.nftId] : [])))];
}

export interface ActivityFacts {
  activityId: string;
  kind: ActivityKind;
  collectionId: string;
  /** null for a collection offer, which is about no one NFT. */
  nftId: string | null;
  /** The buyer of a sale or a mint, the maker of an offer; the seller of a listing or cancellation. */
  actor: string;
  /** The seller of a sale; the owner an NFT offer was made to. */
  counterparty: string | null;
  price: number | null;
  /** What a sale closed: a listing leaves the market, an offer or auction never was in it. */
  via?: 'listing' | 'offer' | 'auction' | null;
  /** The presale a mint sold from. */
  presaleId?: string | null;
  /** When it happened (the activity item's `at`): the history bucket a sale is counted in. */
  at?: string;
  /** The NFT's traits, on a mint, a listing, a cancellation and a sale through a listing (functions/domain/traits.ts). */
  attributes?: Attribute[] | null;
  /** The trait a trait offer is limited to, on its offer events. */
  trait?: Attribute | null;
}

export interface StatsChange {
  listedCount: number;
  volume: number;
  sales: number;
  mints: number;
  /** Change in how many NFTs of the collection each user holds. */
  holders: Map<string, number>;
  /** Units sold per presale. */
  presaleSold: Map<string, number>;
  /** Something entered or left the market: the floor must be read again. */
  listingsChanged: boolean;
}

const add = (map: Map<string, number>, key: string, delta: number) => map.set(key, (map.get(key) ?? 0) + delta);

/** The sum of the activities' effects (they all belong to one collection). */
export function statsChange(activities: readonly ActivityFacts[]): StatsChange {
  const change: StatsChange = { listedCount: 0, volume: 0, sales: 0, mints: 0, holders: new Map(), presaleSold: new Map(), listingsChanged: false };
  for (const a of activities) {
    if (a.kind === 'listing' || a.kind === 'cancellation') {
      change.listedCount += a.kind === 'listing' ? 1 : -1;
      change.listingsChanged = true;
    } else if (a.kind === 'sale') {
      change.volume += a.price ?? 0;
      change.sales += 1;
      if (a.counterparty) add(change.holders, a.counterparty, -1);
      add(change.holders, a.actor, 1);
      if (a.via === 'listing') { change.listedCount -= 1; change.listingsChanged = true; }
    } else if (a.kind === 'mint') {
      change.mints += 1;
      add(change.holders, a.actor, 1);
      if (a.presaleId) add(change.presaleSold, a.presaleId, 1);
    }
  }
  for (const [user, delta] of change.holders) if (delta === 0) change.holders.delete(user);
  return change;
}

/** Holders' new counts and the change in the number of distinct owners. */
export function holderCounts(before: ReadonlyMap<string, number>, deltas: ReadonlyMap<string, number>): { after: Map<string, number>; ownersDelta: number } {
  const after = new Map<string, number>();
  let ownersDelta = 0;
  for (const [user, delta] of deltas) {
    const seen = before.get(user) ?? 0;
    const next = seen + delta;
    if (next < 0) throw new Error(`holder ${user} would hold ${next}`);
    after.set(user, next);
    ownersDelta += (seen === 0 && next > 0 ? 1 : 0) - (seen > 0 && next === 0 ? 1 : 0);
  }
  return { after, ownersDelta };
}

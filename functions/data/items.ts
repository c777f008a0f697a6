import type { Collection, Listing } from '../domain/market.js';
import type { Offer } from '../domain/offers.js';
import type { Auction, OwnedNft, Presale } from '../domain/catalog.js';
import type { ActivityFacts } from '../domain/market-stats.js';
import { participants } from '../domain/activity-roles.js';
import { publicTypeOf } from '../domain/activity-types.js';
import type { ShardState } from '../domain/presale-shards.js';
import type { DistributionField } from '../domain/holder-distribution.js';
import type { HistoryInterval } from '../domain/market-history.js';
import type { Attribute } from '../domain/traits.js';
import type { TraitFigures } from './trait-repository.js';
import { indexKeysFor, keys } from './keys.js';

/**
 * Entity -> stored item, with every key and index key it needs. The only place items are shaped,
 * so seeding, trading and reads agree on what is stored.
 */
export const items = {
  account: (a: { userId: string; balance: number; held: number; updatedAt: string }) => ({
    ...keys.account(a.userId), entity: 'account', ...a,
  }),
  topup: (t: { userId: string; topupId: string; amount: number; createdAt: string }) => ({
    ...keys.topup(t.userId, t.createdAt, t.topupId), entity: 'topup', status: 'succeeded', ...t,
  }),
  /** A top-up paid through the payment provider: pending until its payment's webhook says otherwise. */
  paidTopup: (t: { userId: string; topupId: string; amount: number; createdAt: string; paymentId: string }) => ({
    ...keys.topup(t.userId, t.createdAt, t.topupId), entity: 'topup', status: 'pending', ...t,
  }),
  withdrawal: (w: { userId: string; withdrawalId: string; amount: number; createdAt: string }) => ({
    ...keys.withdrawal(w.userId, w.createdAt, w.withdrawalId), entity: 'withdrawal', status: 'requested', ...w,
  }),
  ledgerEntry: (e: {
    userId: string; entryId: string; at: string; kind: string; balanceDelta: number; heldDelta: number; reference: string;
  }) => ({ ...keys.ledgerEntry(e.userId, e.at, e.entryId), entity: 'ledger', ...e }),
  /** A credit to an account that the stream aggregator (or the payee's next debit) adds to it exactly once. */
  credit: (c: {
    userId: string; creditId: string; at: string; kind: string; reference: string; balanceDelta: number; heldDelta: number;
  }) => ({ ...keys.credit(c.userId, c.creditId), entity: 'credit', ...c }),
  collection: (c: Collection & { createdAt: string; floorListingId: string | null }) => {
    const { stats: { statsAsOf, floorAsOf, topOfferAsOf, topOffer, windows: { all: _allTime, ...windows }, windowsAsOf, ...figures }, ...rest } = c;
    return {
      ...keys.collection(c.collectionId), ...indexKeysFor.collection(c), entity: 'collection', ...rest, ...figures,
      ...(windowsAsOf ? { windows, windowsAsOf } : {}),
      ...(topOffer ? { topOfferId: topOffer.offerId, topOfferAmount: topOffer.amount } : {}),
      ...(statsAsOf ? { statsAsOf } : {}), ...(floorAsOf ? { floorAsOf } : {}), ...(topOfferAsOf ? { topOfferAsOf } : {}),
    };
  },
  holder: (h: { collectionId: string; userId: string; count: number }) => ({
    ...keys.holder(h.collectionId, h.userId), ...(h.count > 0 ? { ...indexKeysFor.holding(h), ...indexKeysFor.holderRank(h) } : {}), entity: 'holder', ...h,
  }),
  /** Holders per bucket of NFTs held, and NFTs held in all (`tokens`); in the holder index above every count. */
  holderDistribution: (d: { collectionId: string; holders: ReadonlyMap<DistributionField, number>; tokens: number }) => ({
    ...keys.holderDistribution(d.collectionId), ...indexKeysFor.holderDistribution(d.collectionId), entity: 'holder-distribution',
    collectionId: d.collectionId, tokens: d.tokens, ...Object.fromEntries(d.holders),
  }),
  /** `seededSales`/`seededVolume`: what the demo seed put there (no sale activity stands behind it). */
  historyBucket: (b: {
    collectionId: string; interval: HistoryInterval; t: string; sales: number; volume: number; floor: number | null; floorAsOf: string;
    seededSales?: number; seededVolume?: number;
  }) => ({ ...keys.historyBucket(b.collectionId, b.interval, b.t), entity: 'history', ...b }),
  /** One purchase of a sweep (keys.sweepSlot); `requestHash` fingerprints the sweep's request. */
  sweepSlot: (s: { userId: string; sweepId: string; slot: number; requestHash: string; listingId: string; nftId: string; price: number; boughtAt: string }) => ({
    ...keys.sweepSlot(s.userId, s.sweepId, s.slot), entity: 'sweep-slot', ...s,
  }),
  priceEntry: (l: { collectionId: string; price: number; listingId: string }) => ({
    ...keys.priceEntry(l), entity: 'price-entry', listingId: l.listingId, price: l.price,
  }),
  /** A copy of the active listing in one of its trait's price partitions (the trait filter returns these). */
  traitPriceEntry: (l: Listing, trait: Attribute) => ({
    ...keys.traitPriceEntry(l, trait), entity: 'trait-price-entry', ...l,
  }),
  /** One trait value of a collection; its counts and floor are the stream aggregator's. */
  trait: (t: { collectionId: string } & Attribute & Partial<TraitFigures>) => ({
    ...keys.trait(t.collectionId, t), entity: 'trait', collectionId: t.collectionId, traitKey: t.key, traitValue: t.value,
    tokenCount: t.tokenCount ?? 0, listedCount: t.listedCount ?? 0, floorPrice: t.floorPrice ?? null, floorListingId: t.floorListingId ?? null,
    ...(t.topOffer ? { topOfferId: t.topOffer.offerId, topOfferAmount: t.topOffer.amount } : {}),
    ...(t.statsAsOf ? { statsAsOf: t.statsAsOf } : {}), ...(t.floorAsOf ? { floorAsOf: t.floorAsOf } : {}), ...(t.topOfferAsOf ? { topOfferAsOf: t.topOfferAsOf } : {}),
  }),
  nft: (n: OwnedNft & { owner: string; mintedAt: string }) => ({
    ...keys.nft(n.nftId), ...indexKeysFor.nftOwner(n), entity: 'nft', ...n,
  }),
  activeListing: (l: Listing) => ({
    ...keys.listing(l.listingId), ...indexKeysFor.activeListing(l), entity: 'listing', status: 'active', ...l,
  }),
  offer: (o: Offer) => ({
    ...keys.offer(o.offerId), ...indexKeysFor.offer(o), ...(o.status === 'open' ? indexKeysFor.openOffer(o) : {}), entity: 'offer', ...o,
  }),
  auction: (a: Omit<Auction, 'status'> & { highestBidder: string | null; settledAt: string | null; minIncrementBps: number }) => ({
    ...keys.auction(a.auctionId), ...indexKeysFor.auction(a), ...(a.settledAt ? {} : indexKeysFor.unsettledAuction(a)),
    entity: 'auction', ...a,
  }),
  activity: (a: Omit<ActivityFacts, 'counterparty' | 'price'> & {
    at: string; reference: string; counterparty?: string | null | undefined; price?: number | null | undefined;
  }) => ({
    ...keys.activity(a, a.at, a.activityId), ...indexKeysFor.activity({ ...a, type: publicTypeOf(a.kind) }),
    entity: 'activity', ...a, counterparty: a.counterparty ?? null, price: a.price ?? null,
  }),
  /** An activity's copies, one in the feed of each user it concerns (functions/domain/activity-roles.ts). */
  userActivities: (a: Pick<ActivityFacts, 'activityId' | 'kind' | 'nftId' | 'collectionId' | 'actor' | 'counterparty' | 'price'> & {
    at: string; reference: string;
  }) => {
    const { activityId, kind, nftId, collectionId, actor, counterparty, price, reference, at } = a;
    const type = publicTypeOf(kind);
    return participants(a).map(({ userId, role }) => ({
      ...keys.userActivity(userId, at, activityId), ...indexKeysFor.userActivity({ userId, type, at, activityId }),
      entity: 'user-activity', activityId, kind, nftId, collectionId, actor, counterparty, price, reference, at, userId, role,
    }));
  },
  /** `shards`: how many shard counters hold its supply. */
  presale: (p: Omit<Presale, 'status'> & { creator: string; allowlist?: string[]; shards: number }) => ({
    ...keys.presale(p.presaleId), ...indexKeysFor.presale(p), entity: 'presale', ...p,
  }),
  presaleShard: (s: { presaleId: string } & ShardState) => ({
    ...keys.presaleShard(s.presaleId, s.shard), entity: 'presale-shard', ...s,
  }),
};

import type { Collection, Listing } from '../domain/market.js';
import type { Offer } from '../domain/offers.js';
import type { Auction, OwnedNft, Presale } from '../domain/catalog.js';
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
    ...keys.topup(t.userId, t.createdAt, t.topupId), entity: 'topup', status: 'completed', ...t,
  }),
  ledgerEntry: (e: {
    userId: string; entryId: string; at: string; kind: string; balanceDelta: number; heldDelta: number; reference: string;
  }) => ({ ...keys.ledgerEntry(e.userId, e.at, e.entryId), entity: 'ledger', ...e }),
  collection: (c: Collection & { createdAt: string; floorListingId: string | null }) => {
    const { stats, ...rest } = c;
    return { ...keys.collection(c.collectionId), ...indexKeysFor.collection(c), entity: 'collection', version: 0, ...rest, ...stats };
  },
  holder: (h: { collectionId: string; userId: string; count: number }) => ({
    ...keys.holder(h.collectionId, h.userId), entity: 'holder', count: h.count,
  }),
  priceEntry: (l: { collectionId: string; price: number; listingId: string }) => ({
    ...keys.priceEntry(l), entity: 'price-entry', listingId: l.listingId, price: l.price,
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
  activity: (a: {
    activityId: string; at: string; kind: string; nftId: string; collectionId: string; actor: string;
    counterparty?: string | null | undefined; price?: number | null | undefined; reference: string;
  }) => ({
    ...keys.activity(a.nftId, a.at, a.activityId), ...indexKeysFor.activity(a),
    entity: 'activity', ...a, counterparty: a.counterparty ?? null, price: a.price ?? null,
  }),
  presale: (p: Omit<Presale, 'status'> & { creator: string; allowlist?: string[] }) => ({
    ...keys.presale(p.presaleId), ...indexKeysFor.presale(p), entity: 'presale', ...p,
  }),
};

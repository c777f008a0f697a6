/**
 * Key builders: every partition and sort key the marketplace writes or reads is built here.
 * IDs are validated by the request schemas to never contain '#', so keys cannot collide.
 */

/** Money as a sort key: zero-padded so string order equals numeric order (up to 2^53). */
export function priceKey(minorUnits: number): string {
  return String(minorUnits).padStart(16, '0');
}

/**
 * A trait key or value inside a key: free display text may hold '#', so it is percent-encoded ('#' is %23),
 * and no two traits share a key.
 */
const traitPart = (t: { key: string; value: string }) => `${encodeURIComponent(t.key)}#${encodeURIComponent(t.value)}`;
const traitListingsPartition = (collectionId: string, trait: { key: string; value: string }) => `TRAIT_LISTINGS#${collectionId}#${traitPart(trait)}`;

export const keys = {
  account: (userId: string) => ({ pk: `USER#${userId}`, sk: 'ACCOUNT' }),
  /**
   * A credit not yet added to the account (seller proceeds, royalty, fee, a released hold). Its sort key sits
   * between `ACCOUNT` and every other item of the user, so one Query reads the account and what is pending.
   */
  credit: (userId: string, creditId: string) => ({ pk: `USER#${userId}`, sk: `CREDIT#${creditId}` }),
  creditPrefix: 'CREDIT#',
  /** The sort-key range of the account and its pending credits. */
  accountWithCredits: { from: 'ACCOUNT', to: 'CREDIT#~' },
  topup: (userId: string, createdAt: string, topupId: string) => ({ pk: `USER#${userId}`, sk: `TOPUP#${createdAt}#${topupId}` }),
  topupPrefix: 'TOPUP#',
  /** A top-up id is credited at most once: this marker's condition refuses a second. */
  topupMarker: (userId: string, topupId: string) => ({ pk: `USER#${userId}`, sk: `TOPUP_ID#${topupId}` }),
  ledgerEntry: (userId: string, at: string, entryId: string) => ({ pk: `USER#${userId}`, sk: `LEDGER#${at}#${entryId}` }),
  /** A provider payment (PaymentIntent id) -> its top-up: the webhook finds a top-up with one GetItem. */
  payment: (paymentId: string) => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' }),
  withdrawal: (userId: string, createdAt: string, withdrawalId: string) => ({ pk: `USER#${userId}`, sk: `WITHDRAWAL#${createdAt}#${withdrawalId}` }),
  withdrawalPrefix: 'WITHDRAWAL#',
  /** A withdrawal id is requested at most once: this marker's condition refuses a second. */
  withdrawalMarker: (userId: string, withdrawalId: string) => ({ pk: `USER#${userId}`, sk: `WITHDRAWAL_ID#${withdrawalId}` }),

  collection: (collectionId: string) => ({ pk: `COLLECTION#${collectionId}`, sk: 'COLLECTION' }),
  nft: (nftId: string) => ({ pk: `NFT#${nftId}`, sk: 'NFT' }),
  listing: (listingId: string) => ({ pk: `LISTING#${listingId}`, sk: 'LISTING' }),
  offer: (offerId: string) => ({ pk: `OFFER#${offerId}`, sk: 'OFFER' }),
  auction: (auctionId: string) => ({ pk: `AUCTION#${auctionId}`, sk: 'AUCTION' }),
  presale: (presaleId: string) => ({ pk: `PRESALE#${presaleId}`, sk: 'PRESALE' }),
  /** How many NFTs of a collection a user holds: drives the collection's `owners` stat. */
  holder: (collectionId: string, userId: string) => ({ pk: `COLLECTION#${collectionId}`, sk: `HOLDER#${userId}` }),
  /** Active listings of a collection by price, in the base table so the floor can be read consistently. */
  priceEntry: (l: { collectionId: string; price: number; listingId: string }) => ({
    pk: `FLOOR#${l.collectionId}`, sk: `${priceKey(l.price)}#${l.listingId}`,
  }),
  floorPartition: (collectionId: string) => `FLOOR#${collectionId}`,
  /** Active listings with one trait value, by price, each carrying the listing (a copy): the trait filter reads these. */
  traitPriceEntry: (l: { collectionId: string; price: number; listingId: string }, trait: { key: string; value: string }) => ({
    pk: traitListingsPartition(l.collectionId, trait), sk: `${priceKey(l.price)}#${l.listingId}`,
  }),
  traitListingsPartition,
  /** One trait value's figures (tokenCount, listedCount, floor, topOffer), under its collection. */
  trait: (collectionId: string, trait: { key: string; value: string }) => ({ pk: `COLLECTION#${collectionId}`, sk: `TRAIT#${traitPart(trait)}` }),
  traitPrefix: 'TRAIT#',
  /** How much of its supply one shard of a presale has sold: each in its own partition, so a drop spreads out. */
  presaleShard: (presaleId: string, shard: number) => ({ pk: `PRESALE_SHARD#${presaleId}#${shard}`, sk: 'SHARD' }),
  /** In the buyer's partition, so a drop's purchases never share one. */
  walletPurchases: (presaleId: string, userId: string) => ({ pk: `USER#${userId}`, sk: `PRESALE_WALLET#${presaleId}` }),
  purchase: (userId: string, purchaseId: string) => ({ pk: `USER#${userId}`, sk: `PURCHASE#${purchaseId}` }),
  bid: (auctionId: string, at: string, bidder: string) => ({ pk: `AUCTION#${auctionId}`, sk: `BID#${at}#${bidder}` }),
  /** In the NFT's partition; a collection offer, about no one NFT, has its history in the offer's. */
  activity: (subject: { nftId: string | null; reference: string }, at: string, activityId: string) => ({
    pk: subject.nftId === null ? `OFFER#${subject.reference}` : `NFT#${subject.nftId}`, sk: `ACTIVITY#${at}#${activityId}`,
  }),
  activityPrefix: 'ACTIVITY#',
  /**
   * A participant's copy of an activity (the stream aggregator writes it), in a partition of its own: not under
   * `USER#<userId>`, whose `ACCOUNT`..`CREDIT#~` range the account read takes whole.
   */
  userActivity: (userId: string, at: string, activityId: string) => ({ pk: keys.userActivityPartition(userId), sk: `${at}#${activityId}` }),
  userActivityPartition: (userId: string) => `USER_ACTIVITY#${userId}`,
  /**
   * A sweep's purchases, in the buyer's own partition per (user, Idempotency-Key): slot n is written in the
   * transaction of the sweep's n-th buy, on condition it is new, so a sweep never buys more than its maxItems.
   */
  sweep: (userId: string, sweepId: string) => `SWEEP#${userId}#${sweepId}`,
  sweepSlot: (userId: string, sweepId: string, slot: number) => ({ pk: `SWEEP#${userId}#${sweepId}`, sk: `SLOT#${String(slot).padStart(3, '0')}` }),
  /** A request of several creates under an Idempotency-Key (a batch): its fingerprint, so another request under the key is refused. */
  requestKey: (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' }),
  /** The stream aggregator counted this activity: a replayed or duplicated record finds it and is skipped. */
  aggregated: (activityId: string) => ({ pk: `AGGREGATED#${activityId}`, sk: 'AGGREGATED' }),
  /** How many holders hold 1, 2-3, 4-10, ... NFTs of the collection (the aggregator's, beside the holder counts). */
  holderDistribution: (collectionId: string) => ({ pk: `COLLECTION#${collectionId}`, sk: 'HOLDER_DISTRIBUTION' }),
  /** One interval bucket of a collection's history (sales, volume, floor); its sort key is the bucket's start. */
  historyBucket: (collectionId: string, interval: string, start: string) => ({ pk: keys.historyPartition(collectionId, interval), sk: start }),
  historyPartition: (collectionId: string, interval: string) => `HISTORY#${collectionId}#${interval}`,
  /** A live-feed channel's counter: the last seq the feed publisher gave (docs/live-feed.md). */
  feedCounter: (channel: string) => ({ pk: `FEED#${channel}`, sk: 'SEQ' }),
  /** A channel's log, in seq order: what a client that reconnects reads since its last seq. */
  feedEntry: (channel: string, seq: number) => ({ pk: `FEED#${channel}`, sk: `E#${String(seq).padStart(12, '0')}` }),
  /** Which seq a source (activity, stream record) got in a channel: a replayed record is found here. */
  feedSource: (channel: string, sourceId: string) => ({ pk: `FEED#${channel}`, sk: `SRC#${sourceId}` }),
  /** The sort-key range of a channel's log entries (E#… sorts below SEQ and SRC#…). */
  feedEntriesEnd: 'E#~',
};

/** Index partitions: what the list queries read, and what `indexKeysFor` writes. */
export const indexPartitions = {
  collections: 'COLLECTIONS',
  owner: (userId: string) => `OWNER#${userId}`,
  /** The whole market's active listings, or one collection's. */
  listings: (collectionId: string | null) => (collectionId === null ? 'LISTINGS' : `LISTINGS#${collectionId}`),
  offersBy: (userId: string) => `OFFERS_BY#${userId}`,
  offersTo: (userId: string) => `OFFERS_TO#${userId}`,
  /** Collection offers, newest first: every holder of the collection has received them. */
  offersToHolders: (collectionId: string) => `OFFERS_TO_HOLDERS#${collectionId}`,
  /** Open offers, best first: on one NFT, or on a whole collection (collection offers only). */
  offerBook: (target: { nftId: string | null; collectionId: string; trait?: { key: string; value: string } | null }) =>
    (target.nftId !== null ? indexPartitions.nftOfferBook(target.nftId)
      : target.trait ? `OFFER_BOOK#TRAIT#${target.collectionId}#${traitPart(target.trait)}` : `OFFER_BOOK#COLLECTION#${target.collectionId}`),
  nftOfferBook: (nftId: string) => `OFFER_BOOK#NFT#${nftId}`,
  /** The collections a user holds NFTs of (holder items with a count above zero). */
  holdings: (userId: string) => `HOLDINGS#${userId}`,
  /** A collection's holders by how many they hold, and (sorted above every count) its holder distribution. */
  holders: (collectionId: string) => `HOLDERS#${collectionId}`,
  openOffers: 'OPEN_OFFERS',
  auctions: (collectionId: string | null) => (collectionId === null ? 'AUCTIONS' : `AUCTIONS#${collectionId}`),
  unsettledAuctions: 'UNSETTLED_AUCTIONS',
  presales: 'PRESALES',
  /** The whole market's activity, or one collection's. */
  activity: (collectionId: string | null) => (collectionId === null ? 'ACTIVITY' : `ACTIVITY#${collectionId}`),
  /** The whole market's activity of one public type (functions/domain/activity-types.ts), or one collection's. */
  activityOfType: (type: string, collectionId: string | null) =>
    (collectionId === null ? `ACTIVITY_TYPE#${type}` : `ACTIVITY_TYPE#${type}#${collectionId}`),
  /** A user's own activity of one public type. */
  userActivityOfType: (userId: string, type: string) => `USER_ACTIVITY#${userId}#${type}`,
};

/** A sort key of the due-work index (gsi5): when the item is due, then its id. */
const dueKey = (dueAt: string, id: string) => `${dueAt}#${id}`;

/** The gsi5 range of whatever is due at `now` (ids sort below `~`). */
export const dueBy = (now: string) => `${now}#~`;

/** Index keys per entity (see docs/data-model.md). Sparse: only active listings carry listing index keys. */
export const indexKeysFor = {
  collection: (c: { collectionId: string; name: string }) => ({
    gsi1pk: indexPartitions.collections, gsi1sk: `${c.name.toLowerCase()}#${c.collectionId}`,
  }),
  nftOwner: (n: { owner: string; collectionId: string; nftId: string }) => ({
    gsi1pk: indexPartitions.owner(n.owner), gsi1sk: `${n.collectionId}#${n.nftId}`,
  }),
  activeListing: (l: { collectionId: string; listingId: string; listedAt: string; price: number }) => ({
    gsi1pk: indexPartitions.listings(null), gsi1sk: `${l.listedAt}#${l.listingId}`,
    gsi2pk: indexPartitions.listings(null), gsi2sk: `${priceKey(l.price)}#${l.listingId}`,
    gsi3pk: indexPartitions.listings(l.collectionId), gsi3sk: `${l.listedAt}#${l.listingId}`,
    gsi4pk: indexPartitions.listings(l.collectionId), gsi4sk: `${priceKey(l.price)}#${l.listingId}`,
  }),
  offer: (o: { buyer: string; recipient: string | null; collectionId: string; createdAt: string; offerId: string }) => ({
    gsi1pk: indexPartitions.offersBy(o.buyer), gsi1sk: `${o.createdAt}#${o.offerId}`,
    ...indexKeysFor.offerRecipient(o),
  }),
  /**
   * Who has received an offer: an NFT offer's recipient is the NFT's current owner (the stream aggregator moves
   * it when the NFT changes hands); a collection offer goes to every holder until one accepts it.
   */
  offerRecipient: (o: { recipient: string | null; collectionId: string; createdAt: string; offerId: string }) => ({
    gsi2pk: o.recipient === null ? indexPartitions.offersToHolders(o.collectionId) : indexPartitions.offersTo(o.recipient),
    gsi2sk: `${o.createdAt}#${o.offerId}`,
  }),
  /**
   * Sparse: only open offers. By expiry, so the sweep finds the ones to release; and in the offer book, best
   * first: highest amount, then earliest (price-time priority).
   */
  openOffer: (o: {
    expiresAt: string; offerId: string; amount: number; createdAt: string; nftId: string | null; collectionId: string; trait?: { key: string; value: string } | null;
  }) => ({
    gsi5pk: indexPartitions.openOffers, gsi5sk: dueKey(o.expiresAt, o.offerId),
    gsi3pk: indexPartitions.offerBook(o), gsi3sk: `${priceKey(Number.MAX_SAFE_INTEGER - o.amount)}#${o.createdAt}#${o.offerId}`,
  }),
  /** Only while the user holds at least one NFT of the collection. */
  holding: (h: { collectionId: string; userId: string }) => ({ gsi1pk: indexPartitions.holdings(h.userId), gsi1sk: h.collectionId }),
  /** Only while the user holds at least one: the collection's top holders are one Query, descending. */
  holderRank: (h: { collectionId: string; userId: string; count: number }) => ({
    gsi2pk: indexPartitions.holders(h.collectionId), gsi2sk: `${priceKey(h.count)}#${h.userId}`,
  }),
  /** Above every holder's count (digits sort below `~`), so a descending Query of the holders returns it first. */
  holderDistribution: (collectionId: string) => ({ gsi2pk: indexPartitions.holders(collectionId), gsi2sk: '~distribution' }),
  /** Sparse: only unsettled auctions, by end (as extended), so the settlement job finds the ones due. */
  unsettledAuction: (a: { endsAt: string; auctionId: string }) => ({ gsi5pk: indexPartitions.unsettledAuctions, gsi5sk: dueKey(a.endsAt, a.auctionId) }),
  /** A due item a job failed on waits in the due index until `retryAt`, behind everything due before then. */
  dueRetry: (d: { retryAt: string; id: string }) => ({ gsi5sk: dueKey(d.retryAt, d.id) }),
  /** `type`: the public type of its kind; gsi3/gsi4 serve the `types` filter, one partition per type. */
  activity: (a: { collectionId: string; at: string; activityId: string; type: string }) => ({
    gsi1pk: indexPartitions.activity(a.collectionId), gsi1sk: `${a.at}#${a.activityId}`,
    gsi2pk: indexPartitions.activity(null), gsi2sk: `${a.at}#${a.activityId}`,
    gsi3pk: indexPartitions.activityOfType(a.type, a.collectionId), gsi3sk: `${a.at}#${a.activityId}`,
    gsi4pk: indexPartitions.activityOfType(a.type, null), gsi4sk: `${a.at}#${a.activityId}`,
  }),
  userActivity: (a: { userId: string; type: string; at: string; activityId: string }) => ({
    gsi1pk: indexPartitions.userActivityOfType(a.userId, a.type), gsi1sk: `${a.at}#${a.activityId}`,
  }),
  /** By scheduled end, which never moves, so paging a list never meets an auction twice (anti-sniping moves only endsAt). */
  auction: (a: { collectionId: string; auctionId: string; startsAt: string; scheduledEndsAt: string }) => ({
    gsi1pk: indexPartitions.auctions(null), gsi1sk: `${a.scheduledEndsAt}#${a.auctionId}`,
    gsi2pk: indexPartitions.auctions(null), gsi2sk: `${a.startsAt}#${a.auctionId}`,
    gsi3pk: indexPartitions.auctions(a.collectionId), gsi3sk: `${a.scheduledEndsAt}#${a.auctionId}`,
    gsi4pk: indexPartitions.auctions(a.collectionId), gsi4sk: `${a.startsAt}#${a.auctionId}`,
  }),
  presale: (p: { presaleId: string; startsAt: string; endsAt: string }) => ({
    gsi1pk: indexPartitions.presales, gsi1sk: `${p.endsAt}#${p.presaleId}`,
    gsi2pk: indexPartitions.presales, gsi2sk: `${p.startsAt}#${p.presaleId}`,
  }),
};

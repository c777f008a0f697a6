/**
 * Key builders: every partition and sort key the marketplace writes or reads is built here.
 * IDs are validated by the request schemas to never contain '#', so keys cannot collide.
 */

/** Money as a sort key: zero-padded so string order equals numeric order (up to 2^53). */
export function priceKey(minorUnits: number): string {
  return String(minorUnits).padStart(16, '0');
}

export const keys = {
  account: (userId: string) => ({ pk: `USER#${userId}`, sk: 'ACCOUNT' }),
  topup: (userId: string, createdAt: string, topupId: string) => ({ pk: `USER#${userId}`, sk: `TOPUP#${createdAt}#${topupId}` }),
  topupPrefix: 'TOPUP#',
  ledgerEntry: (userId: string, at: string, entryId: string) => ({ pk: `USER#${userId}`, sk: `LEDGER#${at}#${entryId}` }),

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
  walletPurchases: (presaleId: string, userId: string) => ({ pk: `PRESALE#${presaleId}`, sk: `WALLET#${userId}` }),
  bid: (auctionId: string, at: string, bidder: string) => ({ pk: `AUCTION#${auctionId}`, sk: `BID#${at}#${bidder}` }),
  activity: (nftId: string, at: string, activityId: string) => ({ pk: `NFT#${nftId}`, sk: `ACTIVITY#${at}#${activityId}` }),
  activityPrefix: 'ACTIVITY#',
};

/** Index keys per entity (see docs/data-model.md). Sparse: only active listings carry listing index keys. */
export const indexKeysFor = {
  collection: (c: { collectionId: string; name: string }) => ({
    gsi1pk: 'COLLECTIONS', gsi1sk: `${c.name.toLowerCase()}#${c.collectionId}`,
  }),
  nftOwner: (n: { owner: string; collectionId: string; nftId: string }) => ({
    gsi1pk: `OWNER#${n.owner}`, gsi1sk: `${n.collectionId}#${n.nftId}`,
  }),
  activeListing: (l: { collectionId: string; listingId: string; listedAt: string; price: number }) => ({
    gsi1pk: 'LISTINGS', gsi1sk: `${l.listedAt}#${l.listingId}`,
    gsi2pk: 'LISTINGS', gsi2sk: `${priceKey(l.price)}#${l.listingId}`,
    gsi3pk: `LISTINGS#${l.collectionId}`, gsi3sk: `${l.listedAt}#${l.listingId}`,
    gsi4pk: `LISTINGS#${l.collectionId}`, gsi4sk: `${priceKey(l.price)}#${l.listingId}`,
  }),
  offer: (o: { buyer: string; recipient: string | null; createdAt: string; offerId: string }) => ({
    gsi1pk: `OFFERS_BY#${o.buyer}`, gsi1sk: `${o.createdAt}#${o.offerId}`,
    ...(o.recipient ? { gsi2pk: `OFFERS_TO#${o.recipient}`, gsi2sk: `${o.createdAt}#${o.offerId}` } : {}),
  }),
  /** Sparse: only open offers, by expiry, so the sweep finds the ones to release. */
  openOffer: (o: { expiresAt: string; offerId: string }) => ({ gsi5pk: 'OPEN_OFFERS', gsi5sk: `${o.expiresAt}#${o.offerId}` }),
  /** Sparse: only unsettled auctions, by end, so the settlement job finds the ones due. */
  unsettledAuction: (a: { endsAt: string; auctionId: string }) => ({ gsi5pk: 'UNSETTLED_AUCTIONS', gsi5sk: `${a.endsAt}#${a.auctionId}` }),
  activity: (a: { collectionId: string; at: string; activityId: string }) => ({
    gsi1pk: `ACTIVITY#${a.collectionId}`, gsi1sk: `${a.at}#${a.activityId}`,
    gsi2pk: 'ACTIVITY', gsi2sk: `${a.at}#${a.activityId}`,
  }),
  auction: (a: { collectionId: string; auctionId: string; startsAt: string; endsAt: string }) => ({
    gsi1pk: 'AUCTIONS', gsi1sk: `${a.endsAt}#${a.auctionId}`,
    gsi2pk: 'AUCTIONS', gsi2sk: `${a.startsAt}#${a.auctionId}`,
    gsi3pk: `AUCTIONS#${a.collectionId}`, gsi3sk: `${a.endsAt}#${a.auctionId}`,
    gsi4pk: `AUCTIONS#${a.collectionId}`, gsi4sk: `${a.startsAt}#${a.auctionId}`,
  }),
  presale: (p: { presaleId: string; startsAt: string; endsAt: string }) => ({
    gsi1pk: 'PRESALES', gsi1sk: `${p.endsAt}#${p.presaleId}`,
    gsi2pk: 'PRESALES', gsi2sk: `${p.startsAt}#${p.presaleId}`,
  }),
};

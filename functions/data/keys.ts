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

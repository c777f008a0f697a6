/**
 * A request body per operation that takes one, as the README's calls send them: the OpenAPI document's examples.
 * test/unit/openapi-lint.test.ts holds each to its schema. Instants are examples of the shape; the window rules
 * (an offer's 90 days, an auction's 30) are checked against the clock when a request arrives.
 */
export const requestExamples: Record<string, unknown> = {
  listMarketListings: { collectionId: 'col-3', sort: 'price_asc', minPrice: 1000, limit: 5 },
  postMarketFloor: { collectionIds: ['col-1', 'col-2'] },
  listAuctions: { status: 'live', limit: 5 },
  listPresales: { status: 'upcoming' },
  createTopup: { amount: 250000 },
  createWithdrawal: { amount: 1000 },
  createListing: { nftId: 'nft-1', price: 120000 },
  sweepCollection: { collectionId: 'col-1', maxItems: 5, maxPricePerItem: 200000, attributes: { Background: ['Red', 'Blue'] } },
  createListingsBatch: { items: [{ nftId: 'nft-1', price: 120000 }, { nftId: 'nft-2', price: 125000 }] },
  cancelListingsBatch: { listingIds: ['lst-1', 'lst-2'] },
  createCollection: {
    name: 'Night Owls', image: 'https://example.org/owls.png', royaltyBps: 500,
    traits: [{ key: 'Eyes', values: [{ value: 'Laser', weight: 1 }, { value: 'Sleepy', weight: 9 }] }],
  },
  createOffer: { nftId: 'nft-42', amount: 5000, expiresAt: '2027-01-15T00:00:00Z' },
  acceptOffer: { nftId: 'nft-7' },
  createAuction: { nftId: 'nft-1', reservePrice: 10000, endsAt: '2027-01-10T18:00:00Z' },
  placeBid: { amount: 500000 },
  createPresale: {
    collectionId: 'col-1', price: 25000, supply: 500, perWalletLimit: 3, startsAt: '2027-01-05T12:00:00Z', endsAt: '2027-01-06T12:00:00Z',
  },
  purchasePresale: { quantity: 1 },
};

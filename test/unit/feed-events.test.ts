// What the live feed says about each change in the table (functions/domain/feed-events.ts), without DynamoDB.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feedEventsOf, type StreamChange } from '../../functions/domain/feed-events.js';

const at = '2026-01-01T00:00:00.000Z';
const activity = (fields: Record<string, unknown>): StreamChange => ({
  eventName: 'INSERT', eventId: 'rec-1', at, oldImage: null,
  newImage: { entity: 'activity', activityId: 'act-1', collectionId: 'col-1', nftId: 'nft-1', actor: 'buyer', counterparty: null, price: 500, at, ...fields },
});
const modify = (entity: string, before: Record<string, unknown>, after: Record<string, unknown>): StreamChange => ({
  eventName: 'MODIFY', eventId: 'rec-9', at, oldImage: { entity, ...before }, newImage: { entity, ...after },
});
const summary = (change: StreamChange) => feedEventsOf(change).map((e) => `${e.type} → ${e.channels.join(' ')}`);

describe('feed events', () => {
  it('a sale through a listing: public on the market and its collection, privately to the seller', () => {
    const events = feedEventsOf(activity({ kind: 'sale', via: 'listing', counterparty: 'seller', reference: 'lst-1' }));
    assert.deepEqual(events.map((e) => `${e.type} → ${e.channels.join(' ')}`), [
      'sale → /market/all /market/collections/col-1',
      'sale.sold → /users/seller',
    ]);
    assert.equal(events[0]!.data.listingId, 'lst-1');
    assert.equal(events[0]!.data.nftId, 'nft-1');
    assert.equal(new Set(events.map((e) => e.sourceId)).size, events.length, 'each event its own source id');
  });

  it('a sale through an offer is also offer.accepted, to the market and to the offer\'s maker', () => {
    const events = feedEventsOf(activity({ kind: 'sale', via: 'offer', counterparty: 'seller', reference: 'off-1' }));
    assert.deepEqual(events.map((e) => `${e.type} → ${e.channels.join(' ')}`), [
      'sale → /market/all /market/collections/col-1',
      'offer.accepted → /market/all /market/collections/col-1',
      'sale.sold → /users/seller',
      'offer.accepted → /users/buyer',
    ]);
    assert.ok(events.every((e) => e.data.offerId === 'off-1'));
  });

  it('each activity kind has its public type, named by the id a client looks for', () => {
    const cases: [string, string, string][] = [
      ['listing', 'listing.created', 'listingId'], ['cancellation', 'listing.cancelled', 'listingId'], ['bid', 'bid.placed', 'auctionId'],
      ['mint', 'mint', 'purchaseId'], ['auction', 'auction.created', 'auctionId'], ['auction-cancellation', 'auction.cancelled', 'auctionId'],
      ['settlement', 'auction.settled', 'auctionId'], ['offer-cancellation', 'offer.cancelled', 'offerId'], ['offer-expiry', 'offer.expired', 'offerId'],
    ];
    for (const [kind, type, field] of cases) {
      const [event, ...rest] = feedEventsOf(activity({ kind, reference: 'ref-1' }));
      assert.equal(event?.type, type, kind);
      assert.equal(event?.data[field], 'ref-1', kind);
      assert.deepEqual(rest, [], `${kind} is public only`);
    }
  });

  it('an offer on an NFT tells its owner; a collection offer (no recipient) is public only', () => {
    assert.deepEqual(summary(activity({ kind: 'offer', counterparty: 'owner', reference: 'off-2' })),
      ['offer.created → /market/all /market/collections/col-1', 'offer.received → /users/owner']);
    assert.deepEqual(summary(activity({ kind: 'offer', nftId: null, reference: 'off-3' })), ['offer.created → /market/all /market/collections/col-1']);
  });

  it('collection.updated names exactly the figures that changed', () => {
    const before = { collectionId: 'col-1', floorPrice: 100, listedCount: 3, volume: 1000, sales: 2, topOfferId: 'o1', topOfferAmount: 50 };
    const [event] = feedEventsOf(modify('collection', before, { ...before, floorPrice: 120, listedCount: 2, sales: 3 }));
    assert.deepEqual(event?.data.changed, ['floorPrice', 'listedCount']);
    assert.equal(event?.data.floorPrice, 120);
    assert.deepEqual(event?.data.topOffer, { offerId: 'o1', amount: 50 });
    assert.deepEqual(feedEventsOf(modify('collection', before, { ...before, topOfferId: 'o2' }))[0]?.data.changed, ['topOffer']);
    assert.deepEqual(feedEventsOf(modify('collection', before, { ...before, sales: 9, statsAsOf: at })), [], 'nothing a subscriber follows');
  });

  it('an auction whose end moved is extended; its previous top bidder is told they were outbid', () => {
    const before = { auctionId: 'auc-1', collectionId: 'col-1', nftId: 'nft-1', endsAt: '2026-01-01T00:05:00.000Z', highestBidder: 'alice', highestBid: 100 };
    const events = feedEventsOf(modify('auction', before, { ...before, endsAt: '2026-01-01T00:10:00.000Z', highestBidder: 'bob', highestBid: 150 }));
    assert.deepEqual(events.map((e) => `${e.type} → ${e.channels.join(' ')}`), [
      'auction.extended → /market/all /market/collections/col-1', 'bid.outbid → /users/alice',
    ]);
    assert.equal(events[1]!.data.yourBid, 100);
    assert.deepEqual(feedEventsOf(modify('auction', { ...before, highestBidder: null }, { ...before, highestBidder: 'bob' })), [], 'a first bid outbids no one');
    assert.deepEqual(feedEventsOf(modify('auction', before, { ...before, settledAt: at })), [], 'settling is told by its activity');
  });

  it('the same record always gives the same source ids (a replay is found in the log)', () => {
    const change = activity({ kind: 'sale', via: 'auction', counterparty: 'seller', reference: 'auc-1' });
    assert.deepEqual(feedEventsOf(change).map((e) => e.sourceId), feedEventsOf(change).map((e) => e.sourceId));
    assert.deepEqual(feedEventsOf(change).map((e) => e.type), ['sale', 'auction.settled', 'sale.sold']);
  });

  it('other items and removals give nothing', () => {
    assert.deepEqual(feedEventsOf({ eventName: 'INSERT', eventId: 'r', at, oldImage: null, newImage: { entity: 'nft' } }), []);
    assert.deepEqual(feedEventsOf({ eventName: 'REMOVE', eventId: 'r', at, oldImage: { entity: 'activity' }, newImage: null }), []);
  });
});

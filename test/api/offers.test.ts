import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

process.env.ANTI_SNIPING_SECONDS = '1';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace();
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

interface OfferBody { offerId: string; buyer: string; recipient: string | null; nftId: string | null; amount: number; status: string }

async function received(userId: string, status?: string): Promise<OfferBody[]> {
  const query = `role=received&limit=2${status ? `&status=${status}` : ''}`;
  const { items } = await collectAllPages<OfferBody>(
    async (cursor) => fx.call(userId, 'GET', `/offers/my?${query}${cursor ? `&cursor=${cursor}` : ''}`), (o) => o.offerId,
  );
  return items;
}
const ids = (offers: OfferBody[]) => offers.map((o) => o.offerId).sort();

async function offer(buyer: string, target: { nftId?: string; collectionId?: string }, amount: number): Promise<OfferBody> {
  await fx.topUp(buyer, amount);
  return fx.expectStatus(await fx.call(buyer, 'POST', '/offers', { ...target, amount, expiresAt: inFuture(3_600_000) }), 201);
}

async function offerBook(collectionId: string, nftId?: string): Promise<OfferBody[]> {
  const { items } = await collectAllPages<OfferBody>(
    async (cursor) => market.call('GET', `/offers?collectionId=${collectionId}${nftId ? `&nftId=${nftId}` : ''}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
    (o) => o.offerId,
  );
  return items;
}

/** The collection's top offer as of the stream settled (`minAsOf`: read after that, not from a cache). */
async function topOffer(collectionId: string): Promise<{ offerId: string; amount: number } | null> {
  const settledAt = await market.settle();
  const { items } = await collectAllPages<{ collectionId: string; stats: { topOffer: { offerId: string; amount: number } | null } }>(
    async (cursor) => market.call('GET', `/market/collections?limit=100&minAsOf=${settledAt}${cursor ? `&cursor=${cursor}` : ''}`), (c) => c.collectionId,
  );
  const found = items.find((c) => c.collectionId === collectionId);
  assert.ok(found, `collection ${collectionId} listed`);
  return found.stats.topOffer;
}

describe('offers on an NFT follow its current owner', () => {
  it('through a buy: the buyer receives the open offer, the seller no longer does', async () => {
    const { presaleId, collectionId } = await fx.freshCollection();
    const nftId = await fx.mint(presaleId, 'follow-seller');
    const made = await offer('follow-bidder', { nftId }, 50);
    assert.deepEqual(ids(await received('follow-seller', 'open')), [made.offerId]);

    const listing = fx.expectStatus(await fx.call('follow-seller', 'POST', '/market/listings', { nftId, price: 300 }), 201);
    await fx.topUp('follow-buyer', 300);
    fx.expectStatus(await fx.call('follow-buyer', 'POST', `/market/listings/${listing.listingId}/buy`), 200);
    await market.settle();

    assert.deepEqual(ids(await received('follow-buyer', 'open')), [made.offerId]);
    assert.equal((await received('follow-buyer', 'open'))[0]!.recipient, 'follow-buyer');
    assert.deepEqual(ids(await received('follow-seller')), [], 'the seller no longer sees it, under any status');
    assert.deepEqual(ids(await offerBook(collectionId, nftId)), [made.offerId]);

    fx.expectStatus(await fx.call('follow-buyer', 'POST', `/offers/${made.offerId}/accept`, {}), 200);
    assert.deepEqual(ids(await received('follow-buyer', 'accepted')), [made.offerId]);
    assert.deepEqual(ids(await received('follow-seller', 'accepted')), []);
  });

  it('through an accepted offer: the other offers on the NFT go to the new owner', async () => {
    const { presaleId } = await fx.freshCollection();
    const nftId = await fx.mint(presaleId, 'accept-seller');
    const low = await offer('accept-low', { nftId }, 40);
    const high = await offer('accept-high', { nftId }, 60);
    fx.expectStatus(await fx.call('accept-seller', 'POST', `/offers/${high.offerId}/accept`, {}), 200);
    await market.settle();

    assert.deepEqual(ids(await received('accept-high', 'open')), [low.offerId]);
    assert.deepEqual(ids(await received('accept-seller')), [high.offerId], 'the seller keeps only the offer it accepted');
    assert.equal((await fx.call('accept-seller', 'POST', `/offers/${low.offerId}/accept`, {})).body.error.code, 'NOT_OWNER');
    fx.expectStatus(await fx.call('accept-high', 'POST', `/offers/${low.offerId}/accept`, {}), 200);
  });

  it('through a settled auction: the winner receives the open offers', async () => {
    const { presaleId } = await fx.freshCollection();
    const nftId = await fx.mint(presaleId, 'auction-seller');
    const made = await offer('auction-offerer', { nftId }, 30);
    const auction = fx.expectStatus(await fx.call('auction-seller', 'POST', '/auctions/create', {
      nftId, reservePrice: 100, endsAt: inFuture(3_000), minIncrementBps: 1_000,
    }), 201);
    await fx.topUp('auction-winner', 100);
    fx.expectStatus(await fx.call('auction-winner', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 100 }), 200);
    for (let tries = 0; tries < 40; tries++) {
      const settle = await fx.call('auction-winner', 'POST', `/auctions/${auction.auctionId}/settle`);
      if (settle.status === 200) break;
      assert.equal(settle.body.error.code, 'AUCTION_NOT_ENDED');
      await sleep(250);
    }
    await market.settle();
    assert.deepEqual(ids(await received('auction-winner', 'open')), [made.offerId]);
    assert.deepEqual(ids(await received('auction-seller')), []);
  });
});

describe('collection offers', () => {
  it('reach every holder while open, are listed best first, and set the collection topOffer', async () => {
    const { presaleId, collectionId } = await fx.freshCollection();
    const nftA = await fx.mint(presaleId, 'holder-a');
    await fx.mint(presaleId, 'holder-b');
    await fx.mint(presaleId, 'coll-bidder-1'); // a holder who also bids sees the others' offers, not its own
    const low = await offer('coll-bidder-1', { collectionId }, 70);
    const best = await offer('coll-bidder-2', { collectionId }, 90);
    const tie = await offer('coll-bidder-3', { collectionId }, 90);
    const onNft = await offer('coll-bidder-3', { nftId: nftA }, 500);
    await market.settle();

    assert.deepEqual((await offerBook(collectionId)).map((o) => o.offerId), [best.offerId, tie.offerId, low.offerId], 'highest first, then earliest');
    assert.deepEqual((await offerBook(collectionId, nftA)).map((o) => o.offerId), [onNft.offerId]);
    assert.deepEqual(await topOffer(collectionId), { offerId: best.offerId, amount: 90 });
    assert.deepEqual(ids(await received('holder-a', 'open')), ids([low, best, tie, onNft]));
    assert.deepEqual(ids(await received('holder-b')), ids([low, best, tie]));
    assert.deepEqual(ids(await received('coll-bidder-1', 'open')), ids([best, tie]));
    assert.deepEqual(ids(await received('not-a-holder')), []);
    const newestFirst = await received('holder-a');
    assert.deepEqual(newestFirst.map((o) => o.offerId), [onNft, tie, best, low].map((o) => o.offerId));

    fx.expectStatus(await fx.call('holder-b', 'POST', `/offers/${best.offerId}/accept`, { nftId: (await ownedIn('holder-b', collectionId))[0] }), 200);
    await market.settle();
    assert.deepEqual((await offerBook(collectionId)).map((o) => o.offerId), [tie.offerId, low.offerId]);
    assert.deepEqual(await topOffer(collectionId), { offerId: tie.offerId, amount: 90 });
    const accepted = await received('holder-b', 'accepted');
    assert.deepEqual(accepted.map((o) => [o.offerId, o.recipient]), [[best.offerId, 'holder-b']]);
    assert.deepEqual(ids(await received('holder-b', 'open')), [], 'sold its only NFT: no longer a holder');
    assert.deepEqual(ids(await received('holder-a')), ids([low, tie, onNft]));
    assert.deepEqual(ids(await received('coll-bidder-2', 'open')), ids([low, tie]), 'the buyer now holds one');

    fx.expectStatus(await fx.call('coll-bidder-3', 'DELETE', `/offers/${tie.offerId}`), 200);
    await market.settle();
    assert.deepEqual((await offerBook(collectionId)).map((o) => o.offerId), [low.offerId]);
    assert.deepEqual(await topOffer(collectionId), { offerId: low.offerId, amount: 70 });
    assert.deepEqual(ids(await received('holder-a', 'cancelled')), [], 'a cancelled collection offer leaves the holders');
  });

  it('bind the received cursor to its user and status', async () => {
    const { presaleId, collectionId } = await fx.freshCollection();
    await fx.mint(presaleId, 'cursor-holder');
    await offer('cursor-bidder', { collectionId }, 10);
    await offer('cursor-bidder', { collectionId }, 11);
    await market.settle();
    const first = fx.expectStatus(await fx.call('cursor-holder', 'GET', '/offers/my?role=received&limit=1'), 200);
    assert.equal(typeof first.nextCursor, 'string');
    const other = await fx.call('cursor-stranger', 'GET', `/offers/my?role=received&limit=1&cursor=${first.nextCursor}`);
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'INVALID_CURSOR');
    const otherStatus = await fx.call('cursor-holder', 'GET', `/offers/my?role=received&status=open&limit=1&cursor=${first.nextCursor}`);
    assert.equal(otherStatus.body.error.code, 'INVALID_CURSOR');
  });
});

async function ownedIn(userId: string, collectionId: string): Promise<string[]> {
  const owned = fx.expectStatus(await fx.call(userId, 'GET', `/nft/my?collectionId=${collectionId}`), 200);
  return owned.items.map((n: { nftId: string }) => n.nftId);
}

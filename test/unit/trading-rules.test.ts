import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bpsOf, isPlatformAccount, saleDeltas, splitSale } from '../../functions/domain/money.js';
import {
  acceptBid, assertAuctionWindow, assertCanAccept, assertCanCancel, assertCanPurchase, assertCanSell, assertCanSettle, maxAuctionDays,
  maxAuctionOvertimeMinutes, minimumNextBid, type AuctionState, type PresaleState,
} from '../../functions/domain/trading-rules.js';
import { DomainError } from '../../functions/domain/errors.js';

const failure = (fn: () => unknown): DomainError | null => {
  try {
    fn();
  } catch (error) {
    return error as DomainError;
  }
  return null;
};
const code = (fn: () => unknown) => failure(fn)?.code ?? 'OK';

describe('money', () => {
  it('splits a price into fee, royalty and proceeds that add up, rounding for the seller', () => {
    assert.deepEqual(splitSale(10_000, 250, 500), { fee: 250, royalty: 500, proceeds: 9_250 });
    assert.deepEqual(splitSale(99, 250, 500), { fee: 2, royalty: 4, proceeds: 93 });
    const huge = Number.MAX_SAFE_INTEGER;
    const split = splitSale(huge, 250, 1_000);
    assert.equal(split.fee + split.royalty + split.proceeds, huge);
    assert.equal(bpsOf(huge, 10_000), huge);
  });

  it('merges deltas when the creator is also the seller, and pays from held funds for offers', () => {
    const { deltas } = saleDeltas({ price: 1_000, buyer: 'b', seller: 's', creator: 's', feeBps: 100, royaltyBps: 200, paidFrom: 'held' });
    const platform = [...deltas.keys()].find(isPlatformAccount)!;
    assert.match(platform, /^~platform-\d+$/);
    assert.deepEqual(Object.fromEntries(deltas), {
      b: { balance: 0, held: -1_000 }, s: { balance: 990, held: 0 }, [platform]: { balance: 10, held: 0 },
    });
    const total = [...deltas.values()].reduce((sum, d) => sum + d.balance + d.held, 0);
    assert.equal(total, 0, 'a sale creates and destroys no money');
  });
});

describe('selling rules', () => {
  const nft = { nftId: 'n', collectionId: 'c', owner: 'alice', listingId: null, auctionId: null };
  it('lets only the owner sell an NFT that is in no listing or auction', () => {
    assert.equal(code(() => assertCanSell(nft, 'alice')), 'OK');
    assert.equal(code(() => assertCanSell(nft, 'bob')), 'NOT_OWNER');
    assert.equal(code(() => assertCanSell({ ...nft, listingId: 'l' }, 'alice')), 'NFT_UNAVAILABLE');
    assert.equal(code(() => assertCanSell(null, 'alice')), 'NFT_NOT_FOUND');
  });

  it('accepts an offer only by the owner, while open, unexpired and unlisted', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const offer = { offerId: 'o', buyer: 'bob', nftId: 'n', collectionId: 'c', amount: 5, status: 'open', expiresAt: '2026-02-01T00:00:00.000Z' };
    assert.equal(code(() => assertCanAccept(offer, nft, 'alice', now)), 'OK');
    assert.equal(code(() => assertCanAccept(offer, nft, 'carol', now)), 'NOT_OWNER');
    assert.equal(code(() => assertCanAccept({ ...offer, expiresAt: '2025-12-31T00:00:00.000Z' }, nft, 'alice', now)), 'OFFER_NOT_OPEN');
    assert.equal(code(() => assertCanAccept({ ...offer, status: 'cancelled' }, nft, 'alice', now)), 'OFFER_NOT_OPEN');
    assert.equal(code(() => assertCanAccept({ ...offer, nftId: null, collectionId: 'other' }, nft, 'alice', now)), 'WRONG_COLLECTION');
    assert.equal(code(() => assertCanAccept(offer, { ...nft, auctionId: 'a' }, 'alice', now)), 'NFT_UNAVAILABLE');
  });
});

describe('auction rules', () => {
  const auction: AuctionState = {
    auctionId: 'a', seller: 'alice', reservePrice: 1_000, highestBid: null, highestBidder: null, minIncrementBps: 500,
    startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2026-01-01T01:00:00.000Z', scheduledEndsAt: '2026-01-01T01:00:00.000Z',
    settledAt: null, cancelledAt: null,
  };
  it('asks for the reserve first, then the top bid plus the increment (at least 1)', () => {
    assert.equal(minimumNextBid(auction), 1_000);
    assert.equal(minimumNextBid({ ...auction, highestBid: 2_000 }), 2_100);
    assert.equal(minimumNextBid({ ...auction, highestBid: 10, minIncrementBps: 1 }), 11);
  });

  it('extends the end when a bid lands inside the anti-sniping window, and only then', () => {
    const early = acceptBid(auction, 'bob', 1_000, new Date('2026-01-01T00:10:00Z'), 300);
    assert.equal(early.endsAt, auction.endsAt);
    const late = acceptBid(auction, 'bob', 1_000, new Date('2026-01-01T00:58:00Z'), 300);
    assert.equal(late.endsAt, '2026-01-01T01:03:00.000Z');
  });

  it(`extends at most ${maxAuctionOvertimeMinutes} minutes past the scheduled end in all, so every auction ends`, () => {
    const cap = new Date(Date.parse(auction.scheduledEndsAt) + maxAuctionOvertimeMinutes * 60_000).toISOString();
    const overtime = { ...auction, endsAt: new Date(Date.parse(cap) - 60_000).toISOString() };
    assert.equal(acceptBid(overtime, 'bob', 1_000, new Date(Date.parse(cap) - 120_000), 300).endsAt, cap);
    assert.equal(acceptBid({ ...overtime, endsAt: cap }, 'bob', 1_000, new Date(Date.parse(cap) - 1), 300).endsAt, cap);
    assert.equal(acceptBid(auction, 'bob', 1_000, new Date('2026-01-01T00:59:00Z'), 86_400).endsAt, cap);
  });

  it(`allows at most ${maxAuctionDays} days from start to scheduled end, with a 400 like the other window rules`, () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const start = '2026-01-02T00:00:00.000Z';
    const days = (n: number) => new Date(Date.parse(start) + n * 86_400_000).toISOString();
    assert.equal(code(() => assertAuctionWindow(start, days(maxAuctionDays), now)), 'OK');
    const tooLong = failure(() => assertAuctionWindow(start, new Date(Date.parse(days(maxAuctionDays)) + 1).toISOString(), now));
    assert.deepEqual([tooLong?.status, tooLong?.code, tooLong?.details], [
      400, 'VALIDATION_FAILED', [{ path: 'endsAt', message: `must be within ${maxAuctionDays} days of startsAt` }],
    ]);
    assert.equal(code(() => assertAuctionWindow(start, start, now)), 'VALIDATION_FAILED');
  });

  it('lets only the seller cancel, before the first bid and the end; a cancelled auction takes no bid and no settlement', () => {
    const live = new Date('2026-01-01T00:30:00Z');
    assert.equal(code(() => assertCanCancel(auction, 'alice', live)), 'OK');
    assert.equal(code(() => assertCanCancel(auction, 'bob', live)), 'NOT_SELLER');
    assert.equal(code(() => assertCanCancel(null, 'alice', live)), 'AUCTION_NOT_FOUND');
    assert.equal(code(() => assertCanCancel({ ...auction, highestBid: 1_000, highestBidder: 'bob' }, 'alice', live)), 'AUCTION_HAS_BIDS');
    assert.equal(code(() => assertCanCancel(auction, 'alice', new Date(auction.endsAt))), 'AUCTION_ENDED');
    assert.equal(code(() => assertCanCancel({ ...auction, settledAt: auction.endsAt }, 'alice', live)), 'AUCTION_SETTLED');
    const cancelled = { ...auction, settledAt: live.toISOString(), cancelledAt: live.toISOString() };
    assert.equal(assertCanCancel(cancelled, 'alice', new Date('2026-01-02T00:00:00Z')), cancelled, 'a retry by the seller passes');
    assert.equal(code(() => assertCanCancel(cancelled, 'bob', live)), 'NOT_SELLER');
    assert.equal(code(() => acceptBid(cancelled, 'bob', 1_000, live, 300)), 'AUCTION_CANCELLED');
    assert.equal(code(() => assertCanSettle(cancelled, new Date('2026-01-02T00:00:00Z'))), 'AUCTION_CANCELLED');
  });

  it('refuses bids outside the window, by the seller, by the top bidder, or too low', () => {
    const live = new Date('2026-01-01T00:30:00Z');
    assert.equal(code(() => acceptBid(auction, 'bob', 1_000, new Date('2026-01-01T01:00:00Z'), 300)), 'AUCTION_NOT_LIVE');
    assert.equal(code(() => acceptBid(auction, 'alice', 1_000, live, 300)), 'OWN_AUCTION');
    assert.equal(code(() => acceptBid({ ...auction, highestBid: 1_000, highestBidder: 'bob' }, 'bob', 5_000, live, 300)), 'ALREADY_HIGHEST_BIDDER');
    assert.equal(code(() => acceptBid(auction, 'bob', 999, live, 300)), 'BID_TOO_LOW');
  });
});

describe('presale rules', () => {
  const presale: PresaleState = {
    presaleId: 'p', collectionId: 'c', creator: 'alice', price: 10, supply: 5, sold: 3, perWalletLimit: 2,
    startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2026-01-02T00:00:00.000Z', allowlist: null,
  };
  const during = new Date('2026-01-01T12:00:00Z');
  it('enforces the window, the allowlist, the wallet limit and the supply', () => {
    assert.equal(code(() => assertCanPurchase(presale, 'bob', 2, 0, during)), 'OK');
    assert.equal(code(() => assertCanPurchase(presale, 'bob', 1, 0, new Date('2026-01-02T00:00:00Z'))), 'PRESALE_NOT_LIVE');
    assert.equal(code(() => assertCanPurchase({ ...presale, allowlist: ['carol'] }, 'bob', 1, 0, during)), 'NOT_ALLOWLISTED');
    assert.equal(code(() => assertCanPurchase(presale, 'bob', 1, 2, during)), 'WALLET_LIMIT');
    assert.equal(code(() => assertCanPurchase({ ...presale, sold: 4 }, 'bob', 2, 0, during)), 'SOLD_OUT');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floorsInRequestOrder, planListingQuery } from '../../functions/domain/market.js';
import { effectiveOfferStatus } from '../../functions/domain/offers.js';
import { planWindowQuery, windowStatus } from '../../functions/domain/time-windows.js';
import { priceKey } from '../../functions/data/keys.js';
import { createRateLimiter } from '../../local/rate-limiter.js';

describe('market rules', () => {
  it('plans listing queries from filters', () => {
    assert.deepEqual(planListingQuery({ sort: 'newest' }), {
      collectionId: null, orderBy: 'listedAt', ascending: false, price: { min: null, max: null },
    });
    assert.deepEqual(planListingQuery({ sort: 'price_desc', collectionId: 'c', minPrice: 5 }), {
      collectionId: 'c', orderBy: 'price', ascending: false, price: { min: 5, max: null },
    });
  });

  it('orders floors as asked, once per collection, null when unknown', () => {
    const known = new Map([['b', { collectionId: 'b', floorPrice: 7, listingId: 'l', floorAsOf: '2026-01-01T00:00:00.000Z' }]]);
    assert.deepEqual(floorsInRequestOrder(['b', 'a', 'b'], known), [
      { collectionId: 'b', floorPrice: 7, listingId: 'l', floorAsOf: '2026-01-01T00:00:00.000Z' }, { collectionId: 'a', floorPrice: null, listingId: null, floorAsOf: null },
    ]);
  });

  it('pads prices so string order is numeric order up to 2^53', () => {
    const prices = [0, 9, 10, 99_999, 1_000_000, Number.MAX_SAFE_INTEGER];
    const keys = prices.map(priceKey);
    assert.deepEqual([...keys].sort(), keys);
    assert.ok(keys.every((k) => k.length === 16));
  });
});

describe('time windows', () => {
  const window = { startsAt: '2026-01-02T00:00:00.000Z', endsAt: '2026-01-03T00:00:00.000Z' };
  it('is upcoming before start, live until end, ended from end', () => {
    assert.equal(windowStatus(window, '2026-01-01T23:59:59.999Z'), 'upcoming');
    assert.equal(windowStatus(window, window.startsAt), 'live');
    assert.equal(windowStatus(window, window.endsAt), 'ended');
  });
  it('orders live by soonest end, upcoming by soonest start, ended by latest end', () => {
    assert.equal(planWindowQuery('live').orderBy, 'endsAt');
    assert.equal(planWindowQuery('upcoming').orderBy, 'startsAt');
    assert.equal(planWindowQuery('ended').ascending, false);
  });
});

describe('offers', () => {
  it('reports an open offer past its expiry as expired', () => {
    assert.equal(effectiveOfferStatus({ status: 'open', expiresAt: '2026-01-01T00:00:00.000Z' }, '2026-01-02T00:00:00.000Z'), 'expired');
    assert.equal(effectiveOfferStatus({ status: 'open', expiresAt: '2026-01-03T00:00:00.000Z' }, '2026-01-02T00:00:00.000Z'), 'open');
    assert.equal(effectiveOfferStatus({ status: 'accepted', expiresAt: '2026-01-01T00:00:00.000Z' }, '2026-01-02T00:00:00.000Z'), 'accepted');
  });
});

describe('the local rate limiter', () => {
  it('allows a burst, then the steady rate, and says when to retry', () => {
    let clock = 0;
    const limiter = createRateLimiter({
      'public-read': { rateLimit: 10, burstLimit: 5 },
      'user-read': { rateLimit: 1, burstLimit: 1 },
      'user-write': { rateLimit: 1, burstLimit: 1 },
      'user-bulk': { rateLimit: 1, burstLimit: 1 },
    }, () => clock);
    const burst = Array.from({ length: 6 }, () => limiter.take('public-read').allowed);
    assert.deepEqual(burst, [true, true, true, true, true, false]);
    clock += 100; // one token at 10/s
    assert.equal(limiter.take('public-read').allowed, true);
    assert.equal(limiter.take('public-read').allowed, false);
    assert.equal(limiter.take('user-read').allowed, true, 'classes have separate buckets');
    assert.equal(limiter.take('user-read').retryAfterSeconds, 1);
  });
});

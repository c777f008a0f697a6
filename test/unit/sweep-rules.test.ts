import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { affordable, shuffled, skipReason } from '../../functions/domain/sweep.js';

const listing = (over: Partial<{ status: string; seller: string; price: number }> = {}) => ({ status: 'active', seller: 'seller', price: 100, ...over });

describe('sweep rules', () => {
  it('says why a listing read just before its buy is passed over, or null to buy it', () => {
    assert.equal(skipReason(listing(), 'buyer', 100), null);
    assert.equal(skipReason(listing({ status: 'sold' }), 'buyer', 100), 'SOLD');
    assert.equal(skipReason(listing({ status: 'cancelled' }), 'buyer', 100), 'CANCELLED');
    assert.equal(skipReason(listing({ status: 'odd' }), 'buyer', 100), 'UNAVAILABLE');
    assert.equal(skipReason(listing({ seller: 'buyer' }), 'buyer', 100), 'OWN_LISTING');
    assert.equal(skipReason(listing({ price: 101 }), 'buyer', 100), 'PRICE_ABOVE_MAX');
  });

  it('goes for what cheapest-first buying would get: the longest cheapest prefix the balance covers, at most `need`', () => {
    const c = (price: number, i: number) => ({ listingId: `l-${i}`, price });
    const candidates = [100, 200, 300, 400].map(c);
    assert.deepEqual(affordable(candidates, 10, 600).map((x) => x.price), [100, 200, 300]);
    assert.deepEqual(affordable(candidates, 2, 10_000).map((x) => x.price), [100, 200]);
    assert.deepEqual(affordable(candidates, 10, 99), []);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 60 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 30_000 }),
      (prices, need, balance) => {
        const sorted = [...prices].sort((a, b) => a - b).map(c);
        const chosen = affordable(sorted, need, balance);
        const total = chosen.reduce((s, x) => s + x.price, 0);
        assert.ok(chosen.length <= need && total <= balance);
        assert.deepEqual(chosen, sorted.slice(0, chosen.length));
        const next = sorted[chosen.length];
        if (chosen.length < need && next) assert.ok(total + next.price > balance, 'stops only at need or at the balance');
      }));
  });

  it('shuffles without losing or repeating anything', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer()), (items) => {
      assert.deepEqual([...shuffled(items)].sort((a, b) => a - b), [...items].sort((a, b) => a - b));
    }));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { participants } from '../../functions/domain/activity-roles.js';
import { kindsOf, publicActivityTypes, publicTypeOf, typeSelection } from '../../functions/domain/activity-types.js';
import type { ActivityKind } from '../../functions/domain/market-stats.js';
import * as responses from '../../functions/schemas/responses.js';

/** Every stored kind, as the response schema documents them. */
const storedKinds = responses.activity.shape.kind.options as ActivityKind[];

describe('public activity types', () => {
  it('map the stored kinds as documented', () => {
    assert.deepEqual(Object.fromEntries(storedKinds.map((kind) => [kind, publicTypeOf(kind)])), {
      listing: 'listing', auction: 'listing', sale: 'sale', bid: 'bid', mint: 'mint', offer: 'offer',
      cancellation: 'cancel', 'auction-cancellation': 'cancel', settlement: 'cancel', 'offer-cancellation': 'cancel', 'offer-expiry': 'cancel',
    });
    assert.deepEqual(kindsOf(['transfer']), [], 'no write moves an NFT but a sale or a mint yet');
  });

  it('give every stored kind exactly one type, so types split the feed', () => {
    const all = kindsOf(publicActivityTypes);
    assert.deepEqual([...all].sort(), [...storedKinds].sort());
    for (const kind of storedKinds) assert.ok(kindsOf([publicTypeOf(kind)]).includes(kind), kind);
    assert.throws(() => publicTypeOf('swap'), /no public type/);
  });

  it('reduce a filter to the types that hold items, once each in a fixed order; every type is no filter', () => {
    assert.equal(typeSelection(undefined), null);
    assert.deepEqual(typeSelection(['mint', 'sale', 'mint']), ['sale', 'mint']);
    assert.deepEqual(typeSelection(['transfer']), []);
    assert.deepEqual(typeSelection(['transfer', 'bid']), ['bid']);
    assert.equal(typeSelection([...publicActivityTypes]), null);
    assert.equal(typeSelection(publicActivityTypes.filter((t) => t !== 'transfer')), null);
    assert.deepEqual(typeSelection(publicActivityTypes.filter((t) => t !== 'bid')), ['sale', 'listing', 'cancel', 'mint', 'offer']);
  });
});

describe('whose activity an activity is', () => {
  const of = (kind: ActivityKind, counterparty: string | null = null) => participants({ kind, actor: 'a', counterparty });
  it('names the buyer and seller of a sale, the maker and recipient of an NFT offer', () => {
    assert.deepEqual(of('sale', 'b'), [{ userId: 'a', role: 'buyer' }, { userId: 'b', role: 'seller' }]);
    for (const kind of ['offer', 'offer-cancellation', 'offer-expiry'] as const) {
      assert.deepEqual(of(kind, 'b'), [{ userId: 'a', role: 'offer-maker' }, { userId: 'b', role: 'offer-recipient' }], kind);
    }
    assert.deepEqual(of('offer'), [{ userId: 'a', role: 'offer-maker' }], 'a collection offer has no one recipient');
  });

  it('names the seller of listings and auctions, the bidder, the minter; each user once', () => {
    for (const kind of ['listing', 'cancellation', 'auction', 'auction-cancellation', 'settlement'] as const) {
      assert.deepEqual(of(kind), [{ userId: 'a', role: 'seller' }], kind);
    }
    assert.deepEqual(of('bid'), [{ userId: 'a', role: 'bidder' }]);
    assert.deepEqual(of('mint'), [{ userId: 'a', role: 'minter' }]);
    assert.deepEqual(of('sale', 'a'), [{ userId: 'a', role: 'buyer' }]);
    assert.deepEqual(of('listing', 'b'), [{ userId: 'a', role: 'seller' }], 'only kinds with a counterparty role name one');
  });
});

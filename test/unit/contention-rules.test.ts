import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../functions/domain/errors.js';
import { changesOfferBook, changesStats, holderCounts, nftsThatChangedHands, statsChange, type ActivityFacts } from '../../functions/domain/market-stats.js';
import { pickShards, presaleShardCount, shardSupply, type ShardState } from '../../functions/domain/presale-shards.js';

describe('presale shards', () => {
  it('split any supply into shards that add up to it exactly', () => {
    for (const [supply, perWallet] of [[1, 1], [7, 2], [49, 1], [50, 20], [51, 1], [1_500, 1], [99_999, 20]] as const) {
      const count = presaleShardCount(supply, perWallet);
      const parts = Array.from({ length: count }, (_, k) => shardSupply(supply, count, k));
      assert.equal(parts.reduce((a, b) => a + b, 0), supply, `supply ${supply}`);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
      assert.ok(parts.every((p) => p >= 1));
      if (count > 1) assert.ok(Math.min(...parts) >= 2 * perWallet, 'a shard holds two wallets\' worth');
    }
    assert.equal(presaleShardCount(3, 1), 1);
    assert.equal(presaleShardCount(1_500, 1), 50);
    assert.equal(presaleShardCount(200, 20), 5);
  });

  it('take from one shard that can fill the purchase, never one that cannot', () => {
    const shards: ShardState[] = [{ shard: 0, supply: 5, sold: 5 }, { shard: 1, supply: 5, sold: 4 }, { shard: 2, supply: 5, sold: 2 }];
    for (const r of [0, 0.5, 0.99]) {
      assert.deepEqual(pickShards(shards, 2, () => r), [{ shard: 2, quantity: 2, maxSoldBefore: 3 }]);
    }
  });

  it('spread random picks over the shards with supply left', () => {
    const shards: ShardState[] = Array.from({ length: 10 }, (_, shard) => ({ shard, supply: 10, sold: 0 }));
    const picked = new Set(Array.from({ length: 10 }, (_, i) => pickShards(shards, 1, () => i / 10)[0]!.shard));
    assert.equal(picked.size, 10);
  });

  it('fill the last units from several shards, so none is stranded', () => {
    const shards: ShardState[] = [{ shard: 0, supply: 5, sold: 4 }, { shard: 1, supply: 5, sold: 5 }, { shard: 2, supply: 5, sold: 4 }];
    const takes = pickShards(shards, 2, () => 0);
    assert.deepEqual(takes.map((t) => [t.shard, t.quantity, t.maxSoldBefore]), [[0, 1, 4], [2, 1, 4]]);
  });

  it('answer SOLD_OUT only when all shards together cannot fill it', () => {
    const shards: ShardState[] = [{ shard: 0, supply: 5, sold: 4 }, { shard: 1, supply: 5, sold: 5 }];
    assert.throws(() => pickShards(shards, 2), (e: unknown) => e instanceof DomainError && e.code === 'SOLD_OUT');
    assert.equal(pickShards(shards, 1).length, 1);
  });
});

const activity = (a: Partial<ActivityFacts> & Pick<ActivityFacts, 'kind'>): ActivityFacts => ({
  activityId: Math.random().toString(36), collectionId: 'c', nftId: 'n', actor: 'u', counterparty: null, price: null, ...a,
});

describe('market stats from activity', () => {
  it('count listings in and out of the market, and sales by what they closed', () => {
    const change = statsChange([
      activity({ kind: 'listing', price: 10 }),
      activity({ kind: 'listing', price: 20 }),
      activity({ kind: 'cancellation', price: 10 }),
      activity({ kind: 'sale', via: 'listing', actor: 'b', counterparty: 's', price: 20 }),
      activity({ kind: 'sale', via: 'offer', actor: 'b', counterparty: 't', price: 7 }),
      activity({ kind: 'bid', price: 100 }),
    ]);
    assert.equal(change.listedCount, 0);
    assert.equal(change.volume, 27);
    assert.equal(change.sales, 2);
    assert.deepEqual([...change.holders].sort(), [['b', 2], ['s', -1], ['t', -1]]);
    assert.equal(change.listingsChanged, true);
  });

  it('count mints per presale and leave the market alone', () => {
    const change = statsChange([
      activity({ kind: 'mint', actor: 'a', presaleId: 'p1' }), activity({ kind: 'mint', actor: 'a', presaleId: 'p1' }),
      activity({ kind: 'mint', actor: 'b', presaleId: 'p2' }),
    ]);
    assert.deepEqual([...change.presaleSold], [['p1', 2], ['p2', 1]]);
    assert.deepEqual([...change.holders], [['a', 2], ['b', 1]]);
    assert.equal(change.listingsChanged, false);
  });

  it('drop a holder whose gains and losses cancel out', () => {
    const change = statsChange([
      activity({ kind: 'sale', via: 'auction', actor: 'a', counterparty: 'b' }),
      activity({ kind: 'sale', via: 'auction', actor: 'b', counterparty: 'a' }),
    ]);
    assert.equal(change.holders.size, 0);
  });

  it('count owners who appear and disappear', () => {
    const { after, ownersDelta } = holderCounts(new Map([['a', 1], ['b', 3]]), new Map([['a', -1], ['b', -1], ['c', 2]]));
    assert.deepEqual([...after], [['a', 0], ['b', 2], ['c', 2]]);
    assert.equal(ownersDelta, 0);
    assert.equal(holderCounts(new Map(), new Map([['x', 1]])).ownersDelta, 1);
    assert.throws(() => holderCounts(new Map([['a', 0]]), new Map([['a', -1]])));
  });
});

describe('what offer activity asks of the aggregator', () => {
  it('counts only listings, cancellations, sales and mints; offers change no counted figure', () => {
    const kinds = ['listing', 'cancellation', 'sale', 'mint', 'bid', 'auction', 'auction-cancellation', 'settlement', 'offer', 'offer-cancellation', 'offer-expiry'] as const;
    assert.deepEqual(kinds.filter((kind) => changesStats(activity({ kind }))), ['listing', 'cancellation', 'sale', 'mint']);
    assert.deepEqual(statsChange([activity({ kind: 'offer', price: 500 })]).volume, 0);
  });

  it('reads the top offer again when a collection offer is made, closed or accepted, and only then', () => {
    assert.ok(changesOfferBook(activity({ kind: 'offer', nftId: null })));
    assert.ok(changesOfferBook(activity({ kind: 'offer-cancellation', nftId: null })));
    assert.ok(changesOfferBook(activity({ kind: 'offer-expiry', nftId: null })));
    // An offer on one NFT is not in the collection's offer book: stats.topOffer cannot change.
    assert.ok(!changesOfferBook(activity({ kind: 'offer', nftId: 'nft-1' })));
    assert.ok(!changesOfferBook(activity({ kind: 'offer-cancellation', nftId: 'nft-1' })));
    assert.ok(changesOfferBook(activity({ kind: 'sale', via: 'offer' })));
    assert.ok(!changesOfferBook(activity({ kind: 'sale', via: 'listing' })));
    assert.ok(!changesOfferBook(activity({ kind: 'listing' })));
  });

  it('moves offers for each NFT that changed hands, once, whatever the way it was sold', () => {
    const sales = [
      activity({ kind: 'sale', via: 'listing', nftId: 'n-1' }), activity({ kind: 'sale', via: 'offer', nftId: 'n-2' }),
      activity({ kind: 'sale', via: 'auction', nftId: 'n-1' }), activity({ kind: 'listing', nftId: 'n-3' }),
      activity({ kind: 'offer', nftId: null }),
    ];
    assert.deepEqual(nftsThatChangedHands(sales).sort(), ['n-1', 'n-2']);
  });
});

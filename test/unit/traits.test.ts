import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityFacts } from '../../functions/domain/market-stats.js';
import {
  assignAttributes, drivingKey, groupByKey, hasTrait, matchesTraits, traitCountChanges, traitsToRefresh, type TraitTable,
} from '../../functions/domain/traits.js';
import { keys } from '../../functions/data/keys.js';

const red = { key: 'Background', value: 'Red' };
const laser = { key: 'Eyes', value: 'Laser' };
const hat = { key: 'Hat', value: 'Cap #1' };

describe('trait filter rules', () => {
  it('matches any value of a key (OR) and every key named (AND)', () => {
    const nft = [red, laser];
    assert.equal(matchesTraits(nft, { Background: ['Red', 'Blue'] }), true);
    assert.equal(matchesTraits(nft, { Background: ['Blue'] }), false);
    assert.equal(matchesTraits(nft, { Background: ['Blue', 'Red'], Eyes: ['Laser'] }), true);
    assert.equal(matchesTraits(nft, { Background: ['Red'], Eyes: ['Plain'] }), false);
    assert.equal(matchesTraits(nft, { Background: ['Red'], Hat: ['Cap #1'] }), false, 'a key the NFT lacks never matches');
    assert.equal(matchesTraits([], { Eyes: ['Laser'] }), false);
  });

  it('reads the key with fewest values asked, the same one for the same filter', () => {
    assert.equal(drivingKey({ Background: ['Red', 'Blue'], Eyes: ['Laser'] }), 'Eyes');
    assert.equal(drivingKey({ Eyes: ['a', 'b'], Background: ['c', 'd'] }), 'Background');
    assert.equal(drivingKey({ Background: ['c', 'd'], Eyes: ['a', 'b'] }), 'Background');
  });

  it('keeps trait keys and values apart in table keys, even with # in them', () => {
    const a = keys.trait('c', { key: 'A#B', value: 'C' });
    const b = keys.trait('c', { key: 'A', value: 'B#C' });
    assert.notEqual(a.sk, b.sk);
    assert.notEqual(keys.traitListingsPartition('c', { key: 'A#B', value: 'C' }), keys.traitListingsPartition('c', { key: 'A', value: 'B#C' }));
  });
});

describe('trait assignment at mint', () => {
  const table: TraitTable = {
    traits: [
      { key: 'Background', values: [{ value: 'Red', weight: 990 }, { value: 'Gold', weight: 10 }] },
      { key: 'Eyes', values: [{ value: 'Laser', weight: 1 }, { value: 'Plain', weight: 1 }] },
    ],
  };

  it('gives every key one value, the same for the same NFT id, by weight', () => {
    assert.deepEqual(assignAttributes(table, 'nft-1'), assignAttributes(table, 'nft-1'));
    assert.deepEqual(assignAttributes(null, 'nft-1'), []);
    const drawn = Array.from({ length: 4_000 }, (_, i) => assignAttributes(table, `nft-${i}`));
    assert.ok(drawn.every((a) => a.length === 2 && a[0]!.key === 'Background' && a[1]!.key === 'Eyes'));
    const gold = drawn.filter((a) => hasTrait(a, { key: 'Background', value: 'Gold' })).length / drawn.length;
    const laserShare = drawn.filter((a) => hasTrait(a, laser)).length / drawn.length;
    assert.ok(gold > 0.004 && gold < 0.02, `Gold on ${gold}`);
    assert.ok(laserShare > 0.45 && laserShare < 0.55, `Laser on ${laserShare}`);
  });
});

describe('trait counting', () => {
  let n = 0;
  const activity = (kind: ActivityFacts['kind'], extra: Partial<ActivityFacts> = {}): ActivityFacts => ({
    activityId: `a${++n}`, kind, collectionId: 'c', nftId: 'n', actor: 'u', counterparty: null, price: 10, ...extra,
  });

  it('a mint adds a token to each trait; listings and their end move listedCount; other sales count nothing', () => {
    const changes = traitCountChanges([
      activity('mint', { attributes: [red, laser] }),
      activity('mint', { attributes: [red] }),
      activity('listing', { attributes: [red, hat] }),
      activity('listing', { attributes: [laser] }),
      activity('cancellation', { attributes: [laser] }),
      activity('sale', { via: 'listing', attributes: [hat] }),
      activity('sale', { via: 'offer' }),
      activity('sale', { via: 'auction' }),
      activity('bid'),
    ]);
    assert.deepEqual([...changes.values()], [
      { ...red, tokenCount: 2, listedCount: 1 },
      { ...laser, tokenCount: 1, listedCount: 0 },
    ], 'Hat (listed, then sold) nets to nothing and is left out');
  });

  it('an activity without traits (written before NFTs had them) counts no trait', () => {
    assert.equal(traitCountChanges([activity('mint'), activity('listing', { attributes: null })]).size, 0);
  });

  it('reads again the floors of traits whose listings moved and the top offers of traits whose offers did', () => {
    const refresh = traitsToRefresh([
      activity('listing', { attributes: [red] }),
      activity('sale', { via: 'listing', attributes: [red, laser] }),
      activity('mint', { attributes: [hat] }),
      activity('offer', { nftId: null, trait: hat }),
      activity('offer-expiry', { nftId: null, trait: hat }),
      activity('offer', { nftId: null }),
      activity('sale', { via: 'offer', trait: laser }),
    ]);
    assert.deepEqual(refresh, { floors: [red, laser], topOffers: [hat, laser] });
  });

  it('groups trait values by key, in order', () => {
    assert.deepEqual(groupByKey([{ ...red, n: 1 }, { ...laser, n: 2 }, { key: 'Background', value: 'Blue', n: 3 }]), [
      { key: 'Background', values: [{ value: 'Red', n: 1 }, { value: 'Blue', n: 3 }] },
      { key: 'Eyes', values: [{ value: 'Laser', n: 2 }] },
    ]);
  });
});

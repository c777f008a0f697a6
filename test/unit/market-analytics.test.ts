import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, distributionChange, distributionOf, holderShare } from '../../functions/domain/holder-distribution.js';
import { bucketOffset, bucketStart, historyPoints, historyRange, salesByBucket } from '../../functions/domain/market-history.js';
import { depthLevels } from '../../functions/domain/order-depth.js';
import { changeRatio, statsWindows, windowsAreQuiet, windowsReadFrom } from '../../functions/domain/stats-windows.js';

const at = (text: string) => new Date(text);

describe('order book depth', () => {
  it('groups equal prices into levels, best first, with the running total', () => {
    assert.deepEqual(depthLevels([5, 5, 7, 9, 9, 9], 10), {
      levels: [{ price: 5, count: 2, total: 2 }, { price: 7, count: 1, total: 3 }, { price: 9, count: 3, total: 6 }], cut: false,
    });
    assert.deepEqual(depthLevels([300, 200, 200], 10).levels.map((l) => l.price), [300, 200], 'offers: highest first, as read');
  });

  it('stops at the level limit and says the book was cut', () => {
    assert.deepEqual(depthLevels([1, 2, 2, 3], 2), { levels: [{ price: 1, count: 1, total: 1 }, { price: 2, count: 2, total: 3 }], cut: true });
    assert.deepEqual(depthLevels([1, 2, 2], 2).cut, false, 'exactly the limit: nothing left out');
    assert.deepEqual(depthLevels([], 5), { levels: [], cut: false });
  });
});

describe('holder distribution', () => {
  it('puts counts in buckets 1, 2-3, 4-10, 11-25, 26-50, 51+', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10, 11, 25, 26, 50, 51, 10_000].map(bucketOf), [
      null, 'holders1', 'holders2to3', 'holders2to3', 'holders4to10', 'holders4to10', 'holders11to25', 'holders11to25',
      'holders26to50', 'holders26to50', 'holders51up', 'holders51up',
    ]);
  });

  it('moves a holder between buckets only when a count crosses a boundary', () => {
    // a sale: seller 4 -> 3 (4-10 -> 2-3), buyer 0 -> 1 (new holder); a mint: 2 -> 3 (same bucket)
    const change = distributionChange(new Map([['seller', 4], ['buyer', 0], ['minter', 2]]), new Map([['seller', 3], ['buyer', 1], ['minter', 3]]));
    assert.deepEqual(Object.fromEntries(change.holders), { holders4to10: -1, holders2to3: 1, holders1: 1 });
    assert.equal(change.tokens, 1, 'one mint; the sale moved one between holders');
    const leaves = distributionChange(new Map([['last', 1]]), new Map([['last', 0]]));
    assert.deepEqual(Object.fromEntries(leaves.holders), { holders1: -1 });
    assert.equal(leaves.tokens, -1);
    assert.equal(distributionChange(new Map([['a', 2]]), new Map([['a', 3]])).holders.size, 0);
  });

  it('answers every bucket and shares to six decimals', () => {
    assert.deepEqual(distributionOf({ holders1: 3, holders51up: 1 }).map((b) => b.holders), [3, 0, 0, 0, 0, 1]);
    assert.deepEqual(distributionOf(undefined).map((b) => b.tokens), ['1', '2-3', '4-10', '11-25', '26-50', '51+']);
    assert.equal(holderShare(1, 3), 0.333333);
    assert.equal(holderShare(1, 0), 0);
  });
});

describe('history buckets', () => {
  it('buckets by UTC hour and day', () => {
    assert.equal(bucketStart('1h', at('2026-03-04T05:59:59.999Z')), '2026-03-04T05:00:00.000Z');
    assert.equal(bucketStart('1d', at('2026-03-04T23:59:59.999Z')), '2026-03-04T00:00:00.000Z');
    assert.equal(bucketOffset('1d', at('2026-03-01T10:00:00Z'), -1), '2026-02-28T00:00:00.000Z');
  });

  it('counts each sale in its hour and its day', () => {
    const buckets = salesByBucket([
      { at: '2026-03-04T05:10:00.000Z', price: 100 }, { at: '2026-03-04T05:50:00.000Z', price: 50 }, { at: '2026-03-04T06:00:00.000Z', price: 7 },
    ]);
    assert.deepEqual(buckets.map((b) => [b.interval, b.start, b.sales, b.volume]), [
      ['1h', '2026-03-04T05:00:00.000Z', 2, 150], ['1d', '2026-03-04T00:00:00.000Z', 3, 157], ['1h', '2026-03-04T06:00:00.000Z', 1, 7],
    ]);
  });

  it('defaults and limits the range', () => {
    const now = at('2026-03-04T05:30:00Z');
    assert.deepEqual(historyRange('1h', {}, now), { interval: '1h', first: '2026-03-03T05:00:00.000Z', last: '2026-03-04T05:00:00.000Z' });
    assert.deepEqual(historyRange('1d', {}, now), { interval: '1d', first: '2026-02-02T00:00:00.000Z', last: '2026-03-04T00:00:00.000Z' });
    assert.throws(() => historyRange('1h', { from: '2026-01-01T00:00:00.000Z' }, now), /at most 31 days/);
    assert.throws(() => historyRange('1d', { from: '2024-01-01T00:00:00.000Z' }, now), /at most 365 days/);
    assert.throws(() => historyRange('1d', { from: '2026-03-05T00:00:00.000Z' }, now), /from must not be after to/);
    assert.equal(historyRange('1h', { from: '2026-02-01T05:30:00.000Z' }, now).first, '2026-02-01T05:00:00.000Z', 'exactly 31 days is allowed');
  });

  it('answers every bucket: empty ones with no sales and the floor carried forward', () => {
    const range = historyRange('1h', { from: '2026-03-04T00:00:00.000Z', to: '2026-03-04T04:00:00.000Z' }, at('2026-03-05T00:00:00Z'));
    const points = historyPoints(range, [
      { t: '2026-03-04T01:00:00.000Z', floor: 90, sales: 2, volume: 200 },
      { t: '2026-03-04T02:00:00.000Z', sales: 1, volume: 95 },
      { t: '2026-03-04T04:00:00.000Z', floor: null },
    ]);
    assert.deepEqual(points, [
      { t: '2026-03-04T00:00:00.000Z', floor: null, volume: 0, sales: 0 },
      { t: '2026-03-04T01:00:00.000Z', floor: 90, volume: 200, sales: 2 },
      { t: '2026-03-04T02:00:00.000Z', floor: 90, volume: 95, sales: 1 },
      { t: '2026-03-04T03:00:00.000Z', floor: 90, volume: 0, sales: 0 },
      { t: '2026-03-04T04:00:00.000Z', floor: null, volume: 0, sales: 0 },
    ]);
  });
});

describe('stats windows', () => {
  it('compares with the window before; null when it had none', () => {
    assert.equal(changeRatio(150, 100), 0.5);
    assert.equal(changeRatio(0, 100), -1);
    assert.equal(changeRatio(1, 3), -0.6667);
    assert.equal(changeRatio(5, 0), null);
  });

  it('sums the last 24 hours, 7 and 30 days, and the stretches before them', () => {
    const now = at('2026-03-31T12:30:00Z');
    const hourly = [
      { t: '2026-03-31T12:00:00.000Z', sales: 1, volume: 10 }, // this hour: in 1d
      { t: '2026-03-30T13:00:00.000Z', sales: 2, volume: 20 }, // 23 hours before: in 1d
      { t: '2026-03-30T12:00:00.000Z', sales: 4, volume: 40 }, // 24 hours before: the day before
      { t: '2026-03-29T13:00:00.000Z', sales: 8, volume: 80 }, // 47 hours before: the day before
    ];
    const daily = [
      { t: '2026-03-31T00:00:00.000Z', sales: 3, volume: 30 }, // today
      { t: '2026-03-25T00:00:00.000Z', sales: 1, volume: 5 }, // 6 days before: in 7d
      { t: '2026-03-24T00:00:00.000Z', sales: 2, volume: 9 }, // 7 days before: the 7 days before, in 30d
      { t: '2026-03-01T00:00:00.000Z', sales: 5, volume: 50 }, // 30 days before: the 30 days before
    ];
    const windows = statsWindows(now, { '1h': hourly, '1d': daily });
    assert.deepEqual(windows['1d'], { volume: 30, sales: 3, volumeChange: -0.75, salesChange: -0.75 });
    assert.deepEqual(windows['7d'], { volume: 35, sales: 4, volumeChange: 2.8889, salesChange: 1 });
    assert.deepEqual(windows['30d'], { volume: 44, sales: 6, volumeChange: -0.12, salesChange: 0.2 });
    assert.deepEqual(windowsReadFrom(now), { '1h': '2026-03-29T13:00:00.000Z', '1d': '2026-01-31T00:00:00.000Z' });
  });

  it('decays with time alone: the same buckets a week later leave 7d', () => {
    const daily = [{ t: '2026-03-31T00:00:00.000Z', sales: 3, volume: 30 }];
    assert.equal(statsWindows(at('2026-04-06T23:00:00Z'), { '1h': [], '1d': daily })['7d'].sales, 3);
    const later = statsWindows(at('2026-04-07T00:00:00Z'), { '1h': [], '1d': daily });
    assert.deepEqual(later['7d'], { volume: 0, sales: 0, volumeChange: -1, salesChange: -1 });
    assert.equal(later['30d'].sales, 3);
    assert.equal(windowsAreQuiet(later), false, 'the week before still had sales');
    assert.equal(windowsAreQuiet(statsWindows(at('2026-06-30T00:00:00Z'), { '1h': [], '1d': daily })), true);
  });
});

import { items } from '../functions/data/items.js';
import { bucketOffset, type HistoryInterval, type StoredBucket } from '../functions/domain/market-history.js';
import { statsWindows, type WindowFigures, type WindowName } from '../functions/domain/stats-windows.js';

/** Daily buckets the demo seed writes per collection (today and the 89 days before). */
const historyDays = 90;
/** Hourly buckets (the current hour and the 47 before): what the 1d window and the one before it read. */
const historyHours = 48;
const hourMs = 3_600_000;

/**
 * A collection's demo history: a random walk of the floor ending at its current floor, and a sales rate of its
 * own with daily noise. The hourly buckets of today and yesterday add up to their daily buckets; older days are
 * drawn per day. Every bucket records what it holds as `seededSales`/`seededVolume` (no sale activity stands
 * behind it), so the table audit can tell seeded figures from counted ones.
 */
export function seedHistory(
  random: () => number, collectionId: string, currentFloor: number, nowMs: number,
): { items: Record<string, unknown>[]; sales: number; volume: number; windows: Record<WindowName, WindowFigures> } {
  const ratePerDay = Math.floor(random() * 40);
  const drift = (floor: number, step: number) => Math.max(100, Math.round(floor * (1 + (random() - 0.5) * step)));
  const priced = (sales: number, floor: number) => sales * Math.round(floor * (1 + random() * 0.5));

  const hourly: Required<StoredBucket>[] = [];
  let floor = currentFloor;
  for (let h = 0; h < historyHours; h++) {
    const sales = Math.floor((ratePerDay / 24) * 2 * random());
    hourly.push({ t: bucketOffset('1h', nowMs, -h), floor, sales, volume: priced(sales, floor) });
    floor = drift(floor, 0.04);
  }
  const daily: Required<StoredBucket>[] = [];
  floor = currentFloor;
  for (let d = 0; d < historyDays; d++) {
    const t = bucketOffset('1d', nowMs, -d);
    const end = Date.parse(t) + 24 * hourMs;
    const covered = hourly.filter((b) => b.t >= t && Date.parse(b.t) < end);
    const closing = covered[0]?.floor ?? floor;
    const drawn = Math.floor(ratePerDay * (0.5 + random()));
    // A day the hourly buckets cover in full is their sum; one they cover in part has at least their sum.
    const whole = covered.length === 24 || d === 0;
    const sales = whole ? sum(covered, 'sales') : Math.max(drawn, sum(covered, 'sales'));
    const volume = whole ? sum(covered, 'volume') : sum(covered, 'volume') + priced(sales - sum(covered, 'sales'), closing);
    daily.push({ t, floor: closing, sales, volume });
    floor = drift(closing, 0.16);
  }
  const bucketItem = (interval: HistoryInterval) => (b: Required<StoredBucket>) => items.historyBucket({
    collectionId, interval, t: b.t, sales: b.sales, volume: b.volume, floor: b.floor, floorAsOf: b.t,
    seededSales: b.sales, seededVolume: b.volume,
  });
  return {
    items: [...hourly.map(bucketItem('1h')), ...daily.map(bucketItem('1d'))],
    sales: sum(daily, 'sales'),
    volume: sum(daily, 'volume'),
    windows: statsWindows(new Date(nowMs), { '1h': hourly, '1d': daily }),
  };
}

const sum = (buckets: Array<Required<StoredBucket>>, field: 'sales' | 'volume') => buckets.reduce((total, b) => total + (b[field] ?? 0), 0);

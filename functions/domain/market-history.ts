import { ValidationError } from './errors.js';
import { statsChange, type ActivityFacts } from './market-stats.js';

/**
 * A collection's history in interval buckets: sales and volume counted by the stream aggregator (each sale once,
 * in the bucket of its time), and the floor the aggregator last read while the bucket was current.
 */
export type HistoryInterval = '1h' | '1d';

export const historyIntervals: readonly HistoryInterval[] = ['1h', '1d'];

const hour = 3_600_000;
const day = 24 * hour;
const intervalMs: Record<HistoryInterval, number> = { '1h': hour, '1d': day };
/** The longest range one request may ask for: 745 hourly or 366 daily points at most, one Query. */
export const maxHistoryRangeMs: Record<HistoryInterval, number> = { '1h': 31 * day, '1d': 365 * day };
/** The range when `from` is not given: the last day by the hour, the last 30 days by the day. */
const defaultRangeMs: Record<HistoryInterval, number> = { '1h': day, '1d': 30 * day };

/** The start of the (UTC) bucket holding `at`. */
export function bucketStart(interval: HistoryInterval, at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  const size = intervalMs[interval];
  return new Date(Math.floor(ms / size) * size).toISOString();
}

/** The start of the bucket `offset` buckets after (negative: before) the one holding `at`. */
export function bucketOffset(interval: HistoryInterval, at: Date | number, offset: number): string {
  return bucketStart(interval, Date.parse(bucketStart(interval, at)) + offset * intervalMs[interval]);
}

export interface HistoryRange {
  interval: HistoryInterval;
  /** First and last bucket start of the answer, both included. */
  first: string;
  last: string;
}

/**
 * The buckets a request covers: those starting from `from`'s bucket to `to`'s (to defaults to now, from to the
 * default range before it). A range longer than the interval allows, or one that ends before it starts, is a 400.
 */
export function historyRange(interval: HistoryInterval, bounds: { from?: string | undefined; to?: string | undefined }, now: Date): HistoryRange {
  const to = bounds.to === undefined ? now.getTime() : Date.parse(bounds.to);
  const from = bounds.from === undefined ? to - defaultRangeMs[interval] : Date.parse(bounds.from);
  if (from > to) throw new ValidationError('from must not be after to', { from: bounds.from, to: bounds.to });
  if (to - from > maxHistoryRangeMs[interval]) {
    throw new ValidationError(`a ${interval} history covers at most ${maxHistoryRangeMs[interval] / day} days`, { from: bounds.from, to: bounds.to });
  }
  return { interval, first: bucketStart(interval, from), last: bucketStart(interval, to) };
}

export interface HistoryPoint {
  /** The bucket's start. */
  t: string;
  /** The last floor read in the bucket, or carried from the bucket before when none was (null: none known). */
  floor: number | null;
  volume: number;
  sales: number;
}

export interface StoredBucket {
  t: string;
  floor?: number | null | undefined;
  volume?: number | undefined;
  sales?: number | undefined;
}

/**
 * One point per bucket of the range, oldest first. A bucket with nothing stored had no sale (volume 0, sales 0)
 * and kept the floor of the bucket before; a stored bucket without a floor (sales only) keeps it too.
 */
export function historyPoints(range: HistoryRange, stored: readonly StoredBucket[]): HistoryPoint[] {
  const byStart = new Map(stored.map((bucket) => [bucket.t, bucket]));
  const points: HistoryPoint[] = [];
  let floor: number | null = null;
  for (let t = Date.parse(range.first); t <= Date.parse(range.last); t += intervalMs[range.interval]) {
    const start = new Date(t).toISOString();
    const bucket = byStart.get(start);
    if (bucket?.floor !== undefined) floor = bucket.floor;
    points.push({ t: start, floor, volume: bucket?.volume ?? 0, sales: bucket?.sales ?? 0 });
  }
  return points;
}

/** A sale, for the history: when it happened and for how much. */
export interface TimedSale {
  at: string;
  price: number;
}

export interface BucketSales {
  interval: HistoryInterval;
  start: string;
  sales: number;
  volume: number;
}

/** Sales and volume per bucket of every interval: what the aggregator adds to the history items. */
export function salesByBucket(sales: readonly TimedSale[]): BucketSales[] {
  const buckets = new Map<string, BucketSales>();
  for (const sale of sales) {
    for (const interval of historyIntervals) {
      const start = bucketStart(interval, Date.parse(sale.at));
      const key = `${interval}|${start}`;
      const bucket = buckets.get(key) ?? { interval, start, sales: 0, volume: 0 };
      bucket.sales += 1;
      bucket.volume += sale.price;
      buckets.set(key, bucket);
    }
  }
  return [...buckets.values()];
}

/** The counted activities' sales, at their activity's time (`now` for one without). */
export const timedSales = (activities: readonly ActivityFacts[], now: Date): TimedSale[] =>
  activities.filter((a) => a.kind === 'sale').map((a) => ({ at: a.at ?? now.toISOString(), price: a.price ?? 0 }));

/**
 * The items the history buckets and the holder distribution add to a counting transaction of these activities
 * (capped at 100 items): one per bucket sold in, one for the distribution when a holder count changes.
 */
export function historyAndDistributionItems(activities: readonly ActivityFacts[], now: Date): number {
  return salesByBucket(timedSales(activities, now)).length + (statsChange(activities).holders.size > 0 ? 1 : 0);
}

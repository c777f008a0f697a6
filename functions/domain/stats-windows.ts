import { bucketOffset, bucketStart, type HistoryInterval, type StoredBucket } from './market-history.js';

/**
 * Rolling sales and volume of a collection, from its history buckets: 1d is the 24 hourly buckets ending with
 * the current hour, 7d and 30d the 7 and 30 daily (UTC) buckets ending with today. Each is compared with the as
 * long stretch just before it; `all` is the collection's all-time figures, with nothing before to compare.
 */
export type WindowName = '1d' | '7d' | '30d';

export interface WindowFigures {
  volume: number;
  sales: number;
  /** (this window - the one before) / the one before; null when the one before is 0. */
  volumeChange: number | null;
  salesChange: number | null;
}

export type StatsWindows = Record<WindowName | 'all', WindowFigures>;

const spans: Record<WindowName, { interval: HistoryInterval; buckets: number }> = {
  '1d': { interval: '1h', buckets: 24 },
  '7d': { interval: '1d', buckets: 7 },
  '30d': { interval: '1d', buckets: 30 },
};

export const windowNames = Object.keys(spans) as WindowName[];

/** The oldest bucket start each interval must be read from to compute every window and the one before it. */
export function windowsReadFrom(now: Date): Record<HistoryInterval, string> {
  return { '1h': bucketOffset('1h', now, -2 * 24 + 1), '1d': bucketOffset('1d', now, -2 * 30 + 1) };
}

/** The relative change, to four decimals; null when there is nothing to compare with. */
export function changeRatio(current: number, previous: number): number | null {
  return previous > 0 ? Math.round(((current - previous) / previous) * 1e4) / 1e4 : null;
}

const sum = (values: number[]) => Math.min(values.reduce((total, value) => total + value, 0), Number.MAX_SAFE_INTEGER);

/** The 1d, 7d and 30d windows at `now`, from the hourly and daily buckets read since `windowsReadFrom(now)`. */
export function statsWindows(now: Date, buckets: Record<HistoryInterval, readonly StoredBucket[]>): Record<WindowName, WindowFigures> {
  const figures = (name: WindowName): WindowFigures => {
    const { interval, buckets: length } = spans[name];
    const current = bucketOffset(interval, now, -length + 1);
    const previous = bucketOffset(interval, now, -2 * length + 1);
    const end = bucketStart(interval, now);
    const within = (low: string, high: string) => buckets[interval].filter((b) => b.t >= low && b.t <= high);
    const [thisOne, before] = [within(current, end), within(previous, current).filter((b) => b.t < current)];
    const volume = sum(thisOne.map((b) => b.volume ?? 0));
    const sales = sum(thisOne.map((b) => b.sales ?? 0));
    return {
      volume, sales,
      volumeChange: changeRatio(volume, sum(before.map((b) => b.volume ?? 0))),
      salesChange: changeRatio(sales, sum(before.map((b) => b.sales ?? 0))),
    };
  };
  return { '1d': figures('1d'), '7d': figures('7d'), '30d': figures('30d') };
}

/** The all-time figures as a window: nothing before them to compare with. */
export const allTimeWindow = (volume: number, sales: number): WindowFigures => ({ volume, sales, volumeChange: null, salesChange: null });

/** Windows with no sale at all: a new collection's, or one the aggregator has not computed yet. */
export const quietWindows = (): Record<WindowName, WindowFigures> => ({
  '1d': { volume: 0, sales: 0, volumeChange: null, salesChange: null },
  '7d': { volume: 0, sales: 0, volumeChange: null, salesChange: null },
  '30d': { volume: 0, sales: 0, volumeChange: null, salesChange: null },
});

/** Nothing in any window or the one before it: time alone cannot change them, so no refresh is needed. */
export function windowsAreQuiet(windows: Partial<Record<WindowName, WindowFigures>> | undefined): boolean {
  return windowNames.every((name) => {
    const w = windows?.[name];
    return !w || (w.sales === 0 && w.salesChange === null);
  });
}

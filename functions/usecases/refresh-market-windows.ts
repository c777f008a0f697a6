import { windowsAreQuiet, type WindowFigures, type WindowName } from '../domain/stats-windows.js';
import { indexPartitions, keys } from '../data/keys.js';
import { queryPage, type Item } from '../data/paged-query.js';
import { logger } from '../observability/logger.js';
import { countJobItemFailure } from '../observability/metrics.js';
import { readWindows, recordFloor } from './aggregate-history.js';
import { writeNewerRead } from '../data/newer-read.js';

/** No collection is started with less time than this left. */
const reserveMs = 10_000;
const concurrency = 8;

/** The run refreshed every other collection; these failed (each logged) and wait for the next hour's run. */
class WindowsRefreshFailedError extends Error {
  constructor(job: string, failed: string[]) {
    super(`${job}: ${failed.length} collection(s) failed and are covered again by the next run (each is logged with its error): ${failed.join(', ')}`);
    this.name = 'WindowsRefreshFailedError';
  }
}

export function throwIfCollectionsFailed(job: string, run: { failed: string[] }): void {
  if (run.failed.length > 0) throw new WindowsRefreshFailedError(job, run.failed);
}

export interface WindowsRun {
  collections: number;
  windowsRefreshed: number;
  floorsRecorded: number;
  failed: string[];
  /** The run stopped before its timeout with collections left: the next run starts over. */
  unfinished: boolean;
}

/**
 * Hourly, for every collection: the 1d, 7d and 30d windows again (so they decay with no sale: the aggregator
 * computes them only after a sale), unless nothing is in any window or the one before it; and the current
 * floor into the current hourly and daily history buckets, so every bucket of a collection with a floor has
 * one even when no listing came or went in it. A collection that fails is logged and counted, and the run goes on.
 */
export async function refreshMarketWindows(now: Date, options: { job: string; timeLeftMs?: () => number }): Promise<WindowsRun> {
  const run: WindowsRun = { collections: 0, windowsRefreshed: 0, floorsRecorded: 0, failed: [], unfinished: false };
  const refresh = async (collection: Item) => {
    const collectionId = collection.collectionId as string;
    try {
      if (typeof collection.floorAsOf === 'string') {
        await recordFloor(collectionId, (collection.floorPrice as number | null) ?? null, collection.floorAsOf, now.toISOString());
        run.floorsRecorded++;
      }
      if (!windowsAreQuiet(collection.windows as Partial<Record<WindowName, WindowFigures>> | undefined)) {
        await writeNewerRead(keys.collection(collectionId), 'windowsAsOf', () => readWindows(collectionId, now));
        run.windowsRefreshed++;
      }
    } catch (error) {
      logger.error('refreshing a collection\'s windows failed', { job: options.job, collectionId, error: error as Error });
      countJobItemFailure(options.job);
      run.failed.push(collectionId);
    }
  };
  let cursor: string | undefined;
  do {
    const page = await queryPage({ index: 'gsi1', partition: indexPartitions.collections, forward: true }, { limit: 100, cursor });
    const queue = [...page.items];
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if ((options.timeLeftMs?.() ?? Infinity) < reserveMs) {
          run.unfinished = true;
          return;
        }
        run.collections++;
        await refresh(next);
      }
    }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && !run.unfinished);
  return run;
}

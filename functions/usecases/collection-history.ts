import { historyPoints, historyRange, type HistoryInterval, type HistoryPoint } from '../domain/market-history.js';
import { readHistoryBuckets } from '../data/history-repository.js';
import { cachedRead, type Freshness } from '../data/read-cache.js';

export interface CollectionHistory {
  asOf: string;
  interval: HistoryInterval;
  points: HistoryPoint[];
}

/** A collection's history over a range: one Query of its buckets, every bucket of the range answered. */
export function collectionHistory(
  collectionId: string, request: { interval: HistoryInterval; from?: string | undefined; to?: string | undefined } & Freshness, now: Date,
): Promise<CollectionHistory> {
  const range = historyRange(request.interval, request, now);
  return cachedRead(`history ${collectionId} ${range.interval} ${range.first} ${range.last}`, async () => {
    const asOf = new Date().toISOString();
    const stored = await readHistoryBuckets(collectionId, range.interval, range.first, range.last);
    return { asOf, interval: range.interval, points: historyPoints(range, stored) };
  }, request);
}

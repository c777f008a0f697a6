import { AsyncLocalStorage } from 'node:async_hooks';
import { metricNames } from '../observability/metric-names.js';
import { metrics, MetricUnit } from '../observability/metrics.js';

/**
 * A per-execution-environment cache for the first page of public lists and for floors. Thousands of users
 * load the same market page; with this each warm Lambda environment asks DynamoDB at most once per
 * PUBLIC_READ_CACHE_MS for it, which keeps the hot `LISTINGS` index partition far below its limit.
 * Concurrent identical reads share one DynamoDB call. Off (0) unless the stack sets it; never used for
 * anything a user's own write must see at once (accounts, their NFTs, offers, top-ups). A caller that names its
 * last write (`minAsOf`) gets a read made after it (README, "How fresh reads are").
 */
export interface ReadCache {
  readonly ttlMs: number;
  readonly entries: Map<string, { readAt: number; expiresAt: number; value: Promise<unknown> }>;
}

const maxEntries = 256;

export function createReadCache(ttlMs: number): ReadCache {
  return { ttlMs, entries: new Map() };
}

/** This environment's cache, as the stack configures it. */
const ownCache = createReadCache(Number(process.env.PUBLIC_READ_CACHE_MS ?? 0));

/**
 * The local gateway runs many simulated Lambda environments in one process: it runs each invocation inside
 * the cache of the environment serving it (local/lambda-environments.ts). In Lambda nothing sets it.
 */
export const environmentCache = new AsyncLocalStorage<ReadCache>();

/** What a caller may ask of a cached read: `minAsOf`, the time of its own last write (ISO instant). */
export interface Freshness {
  minAsOf?: string | undefined;
}

/**
 * A write stamps its time (listedAt, soldAt, ...) when it starts and has committed before its Lambda times out
 * (10 s in every stage, lib/stage-config.ts): a read started this long after that stamp includes the write.
 */
export const writeCommitBoundMs = 10_000;

/** Read-your-writes: an entry serves a caller with `minAsOf` only if it was read after that caller's write committed. */
const readAfter = (readAt: number, minAsOf: string | undefined) =>
  minAsOf === undefined || readAt >= Date.parse(minAsOf) + writeCommitBoundMs;

export function cachedRead<T>(key: string, load: () => Promise<T>, request: Freshness = {}, now = Date.now()): Promise<T> {
  const cache = environmentCache.getStore() ?? ownCache;
  if (!(cache.ttlMs > 0)) return load();
  const { entries } = cache;
  const hit = entries.get(key);
  if (hit && hit.expiresAt > now && readAfter(hit.readAt, request.minAsOf)) {
    metrics.addMetric(metricNames.readCacheHits, MetricUnit.Count, 1);
    return hit.value as Promise<T>;
  }
  metrics.addMetric(metricNames.readCacheMisses, MetricUnit.Count, 1);
  const entry = { readAt: now, expiresAt: now + cache.ttlMs, value: load() };
  entries.delete(key);
  entries.set(key, entry);
  // A failed read drops its own entry only: one that fails late must not take a newer read's entry with it.
  entry.value.catch(() => { if (entries.get(key) === entry) entries.delete(key); });
  if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  return entry.value as Promise<T>;
}

/** Only a list's first page is shared: a cursor is one reader's own position. */
export function cachedFirstPage<T>(key: string, page: Freshness & { cursor?: string | undefined }, load: () => Promise<T>): Promise<T> {
  return page.cursor ? load() : cachedRead(key, load, page);
}

/**
 * A per-execution-environment cache for the first page of public lists and for floors. Thousands of users
 * load the same market page; with this each warm Lambda environment asks DynamoDB at most once per
 * PUBLIC_READ_CACHE_MS for it, which keeps the hot `LISTINGS` index partition far below its limit.
 * Concurrent identical reads share one DynamoDB call. Off (0) unless the stack sets it; never used for
 * anything a user's own write must see at once (accounts, their NFTs, offers, top-ups).
 */
const ttlMs = Number(process.env.PUBLIC_READ_CACHE_MS ?? 0);
const maxEntries = 256;
const entries = new Map<string, { expiresAt: number; value: Promise<unknown> }>();

export function cachedRead<T>(key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
  if (!(ttlMs > 0)) return load();
  const hit = entries.get(key);
  if (hit && hit.expiresAt > now) return hit.value as Promise<T>;
  const entry = { expiresAt: now + ttlMs, value: load() };
  entries.delete(key);
  entries.set(key, entry);
  // A failed read drops its own entry only: one that fails late must not take a newer read's entry with it.
  entry.value.catch(() => { if (entries.get(key) === entry) entries.delete(key); });
  if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  return entry.value as Promise<T>;
}

/** Only a list's first page is shared: a cursor is one reader's own position. */
export function cachedFirstPage<T>(key: string, page: { cursor?: string | undefined }, load: () => Promise<T>): Promise<T> {
  return page.cursor ? load() : cachedRead(key, load);
}

import { tradingErrors } from '../../domain/trading-errors.js';
import { readItem } from '../trade-reads.js';

/**
 * Creates are idempotent: a client's Idempotency-Key fixes the new item's id, so a retry finds the item
 * its first attempt wrote. The same request gets the same answer; another request under the same key
 * gets 422. Without a key (requestHash null) the id is new, so there is nothing to look up.
 */
export async function createdBefore<T>(
  key: { pk: string; sk: string }, requestHash: string | null, toResult: (item: Record<string, unknown>) => T,
): Promise<T | null> {
  if (requestHash === null) return null;
  const item = await readItem(key);
  if (!item) return null;
  if (item.requestHash !== requestHash) throw tradingErrors.idempotencyKeyReused();
  return toResult(item);
}

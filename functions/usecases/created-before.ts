import { DomainError } from '../domain/errors.js';
import { tradingErrors } from '../domain/trading-errors.js';
import { readItem } from '../data/trade-reads.js';

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

/**
 * Runs a create under an Idempotency-Key. A retry sent while the first attempt was still committing (after
 * a timeout) can lose to that attempt and be refused (WALLET_LIMIT, NFT_UNAVAILABLE): if the first attempt
 * has landed meanwhile, the retry answers with it, as a retry should.
 */
export async function orEarlierAttempt<T>(
  key: { pk: string; sk: string }, requestHash: string | null, toResult: (item: Record<string, unknown>) => T, create: () => Promise<T>,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (requestHash === null || !(error instanceof DomainError) || error.status !== 409) throw error;
    const earlier = await createdBefore(key, requestHash, toResult);
    if (!earlier) throw error;
    return earlier;
  }
}

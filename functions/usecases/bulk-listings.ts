import { batchParallelism } from '../domain/bulk-limits.js';
import { DomainError, ValidationError } from '../domain/errors.js';
import type { Listing } from '../domain/market.js';
import { claimRequestKey } from '../data/request-keys.js';
import { cancelListing, createListing } from './listings.js';

/** One item's outcome: its value, or what it failed with (the handler words it as the API's error shape). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const notTried = () => new DomainError(503, 'NOT_TRIED', 'The batch ran out of time before this item; send it again');

/**
 * Runs `work` on each input, at most `width` at once, each on its own: one failing stops none of the others.
 * None is started past `deadline` (epoch ms): those answer NOT_TRIED, so the request answers before its timeout.
 */
async function eachSettled<I, T>(
  inputs: readonly I[], deadline: number, work: (input: I, index: number) => Promise<T>, width = batchParallelism,
): Promise<Array<Settled<T>>> {
  const results: Array<Settled<T>> = new Array(inputs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, inputs.length) }, async () => {
    while (next < inputs.length) {
      const index = next++;
      try {
        if (Date.now() > deadline) throw notTried();
        results[index] = { ok: true, value: await work(inputs[index]!, index) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  }));
  return results;
}

/** The batch names this thing twice: the first is done, each repeat gets this. */
const duplicate = (what: string) => new ValidationError(`This ${what} is already in this batch: only its first entry is done`, undefined, 'DUPLICATE_ITEM');

function withoutRepeats<I>(inputs: readonly I[], keyOf: (input: I) => string): boolean[] {
  const seen = new Set<string>();
  return inputs.map((input) => {
    const key = keyOf(input);
    const repeat = seen.has(key);
    seen.add(key);
    return repeat;
  });
}

/**
 * Lists each NFT through the single create (same rules and idempotency); `identity` gives each its listing id.
 * Under an Idempotency-Key (`batch.requestHash` not null) the batch as a whole claims the key first: the same
 * batch again is a retry, another batch under the key is refused (422), as a single create is.
 */
export async function createListings(
  seller: string, requests: ReadonlyArray<{ nftId: string; price: number }>,
  identity: (request: { nftId: string; price: number }) => { id: string; requestHash: string | null },
  batch: { id: string; requestHash: string | null }, now: Date, deadline: number,
): Promise<Array<Settled<Listing>>> {
  if (batch.requestHash !== null) await claimRequestKey(batch.id, batch.requestHash, now.toISOString());
  const repeats = withoutRepeats(requests, (r) => r.nftId);
  return eachSettled(requests, deadline, async (request, index) => {
    if (repeats[index]) throw duplicate('NFT');
    const { id, requestHash } = identity(request);
    return createListing(seller, request, id, requestHash, now);
  });
}

/** Cancels each listing through the single cancel (seller only). */
export async function cancelListings(
  caller: string, listingIds: readonly string[], now: Date, deadline: number,
): Promise<Array<Settled<Awaited<ReturnType<typeof cancelListing>>>>> {
  const repeats = withoutRepeats(listingIds, (id) => id);
  return eachSettled(listingIds, deadline, async (listingId, index) => {
    if (repeats[index]) throw duplicate('listing');
    return cancelListing(caller, listingId, now);
  });
}

import type { Context } from 'aws-lambda';
import type { Settled } from '../usecases/bulk-listings.js';
import { errorResponse } from './error-response.js';

export interface ItemError {
  code: string;
  message: string;
  details?: unknown;
}

/** What one item of a batch failed with, in the shape (and with the code) a single request would have answered. */
function itemError(error: unknown): ItemError {
  return (JSON.parse(errorResponse(error).body) as { error: ItemError }).error;
}

/** Each item's result in request order: `{ [idField]: id, ...done(value) }` or `{ [idField]: id, error }`. */
export function itemResults<T, K extends string>(
  idField: K, ids: readonly string[], settled: ReadonlyArray<Settled<T>>, done: (value: T) => Record<string, unknown>,
): Array<Record<string, unknown>> {
  return settled.map((outcome, i) => ({ [idField]: ids[i], ...(outcome.ok ? done(outcome.value) : { error: itemError(outcome.error) }) }));
}

/** A batch starts no item later than this before its invocation ends (an item takes well under a second). */
const stopBeforeEndMs = 2_000;

/** When a batch stops starting items (epoch ms), so it answers with every item's result rather than time out. */
export function batchDeadline(context: Context): number {
  return Date.now() + context.getRemainingTimeInMillis() - stopBeforeEndMs;
}

import type { Context } from 'aws-lambda';
import type { Settled } from '../usecases/bulk-listings.js';
import { errorResponse } from './error-response.js';

interface ItemError {
  code: string;
  message: string;
  details?: unknown;
}

/**
 * Each item's result in request order: `{ [idField]: id, ...done(value) }` or `{ [idField]: id, error }`, the error
 * in the shape (and with the code) a single request for it would have answered. When no item was done and each
 * failed for want of the service (a 5xx: DynamoDB unavailable, out of time), the batch as a whole failed: that
 * error is thrown, so the request answers 503 like any single write would.
 */
export function itemResults<T, K extends string>(
  idField: K, ids: readonly string[], settled: ReadonlyArray<Settled<T>>, done: (value: T) => Record<string, unknown>,
): Array<Record<string, unknown>> {
  const answers = settled.map((outcome) => (outcome.ok ? null : { error: outcome.error, response: errorResponse(outcome.error) }));
  if (answers.every((answer) => answer !== null && answer.response.statusCode >= 500)) throw answers[0]!.error;
  return settled.map((outcome, i) => ({
    [idField]: ids[i],
    ...(outcome.ok ? done(outcome.value) : { error: (JSON.parse(answers[i]!.response.body) as { error: ItemError }).error }),
  }));
}

/** A batch starts no item later than this before its invocation ends (an item takes well under a second). */
const stopBeforeEndMs = 2_000;

/** When a batch stops starting items (epoch ms), so it answers with every item's result rather than time out. */
export function batchDeadline(context: Context): number {
  return Date.now() + context.getRemainingTimeInMillis() - stopBeforeEndMs;
}

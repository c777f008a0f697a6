import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { tradingErrors } from '../domain/trading-errors.js';
import { logger } from '../observability/logger.js';

/**
 * Numbers read from the table. The marketplace never writes one beyond 2^53 - 1 (docs/data-model.md,
 * "Numbers stay exact"), but an item written by other means may hold one, and the SDK's default answer, a
 * BigInt, fails every JSON response that carries it (a 500). Such a number is read as ±(2^53 - 1), the
 * nearest figure the API can state exactly, and logged: it stays an integer every client parses, the
 * response keeps its documented shape, and no write computed from it can pass the guard below. Use it as
 * `wrapNumbers` wherever items are unmarshalled (reads, stream records), in a fresh options object each time:
 * the document client writes its own defaults into the one it is given.
 */
export function storedNumber(text: string): number {
  return saturated(Number(text), { stored: text });
}

/** The figure, or ±(2^53 - 1) (logged) when it is beyond what a JS number holds exactly. */
export function saturated(value: number, context: Record<string, unknown>): number {
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
  logger.warn('number beyond 2^53 - 1 served as its saturated value', context);
  return value > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

function hasInexactNumber(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !(Math.abs(value) <= Number.MAX_SAFE_INTEGER);
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  const children = Array.isArray(value) || value instanceof Set ? [...value] : Object.values(value);
  return children.some((child) => hasInexactNumber(child, depth + 1));
}

/**
 * Refuses a write carrying a number beyond ±(2^53 - 1) (say, a sum of saturated figures) with 409
 * AMOUNT_OUT_OF_RANGE before anything is sent, instead of the marshaller's untyped error (a 500).
 */
export function refuseInexactNumbers(client: DynamoDBDocumentClient): void {
  const guard: InitializeMiddleware<object, object> = (next) => (args) => {
    if (hasInexactNumber(args.input)) return Promise.reject(tradingErrors.amountOutOfRange());
    return next(args);
  };
  client.middlewareStack.add(guard as never, { step: 'initialize', name: 'refuseInexactNumbers' });
}

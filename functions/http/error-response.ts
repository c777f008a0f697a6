import { DomainError } from '../domain/errors.js';
import { logger } from '../observability/logger.js';
import { countConflict } from '../observability/metrics.js';
import { jsonResponse, type HttpResponse } from './responses.js';

/**
 * Maps whatever a handler threw to `{ error: { code, message, details? } }`. Internal details are logged,
 * never sent. Typed domain errors keep their status and code; the data layer maps the conditions it knows
 * (INSUFFICIENT_FUNDS, LISTING_UNAVAILABLE, ...). Everything below is the fallback for what escaped it:
 * - a failed condition or a cancelled transaction: 409, with a code naming what failed;
 * - a DynamoDB that is unreachable, timing out, erroring or throttling: 503 with Retry-After;
 * - Powertools idempotency outcomes: 409 (in progress), 422 (key reused), 400 (no key); a store failure is
 *   judged by its cause (503 when DynamoDB is unavailable);
 * - anything else: 500 INTERNAL, the one answer that means a bug.
 */

type AnyError = Error & {
  code?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: Array<{ Code?: string; Item?: Record<string, unknown> }>;
  Item?: Record<string, unknown>;
};

const throttlingNames = new Set([
  'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException',
]);
const unavailableNames = new Set([
  'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException', 'TimeoutError', 'RequestTimeout',
  'RequestTimeoutException', 'DynamoDbDeadlineError', 'AbortError',
]);
const networkErrorCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
const conflictNames = new Set(['TransactionConflictException', 'TransactionInProgressException', 'ReplicatedWriteConflictException']);
const throttlingReasons = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The error and its causes (Powertools and the SDK wrap what really happened). */
function chain(error: unknown): AnyError[] {
  const out: AnyError[] = [];
  let current: unknown = error;
  while (current instanceof Error && out.length < 8 && !out.includes(current as AnyError)) {
    out.push(current as AnyError);
    current = (current as AnyError).cause;
  }
  return out;
}

function isThrottled(error: AnyError): boolean {
  return throttlingNames.has(error.name) || error.$metadata?.httpStatusCode === 429;
}

function isUnavailable(error: AnyError): boolean {
  const status = error.$metadata?.httpStatusCode;
  return unavailableNames.has(error.name) || networkErrorCodes.has(error.code ?? '') ||
    (status !== undefined && status >= 500) || /socket hang up|connect ECONNREFUSED|other side closed/i.test(error.message);
}

/** `LISTING#l-1` → `LISTING`: which kind of item a failed condition was on. Nothing else of the item is used. */
function entityOf(item: Record<string, unknown> | undefined): string | null {
  const pk = item?.pk as unknown;
  const value = typeof pk === 'string' ? pk : (pk as { S?: unknown } | undefined)?.S;
  if (typeof value !== 'string') return null;
  const prefix = value.split('#')[0] ?? '';
  return /^[A-Z][A-Z_]{0,31}$/.test(prefix) ? prefix : null;
}

function send(status: number, code: string, message: string, details?: unknown): HttpResponse {
  if (status === 409) countConflict(code);
  const headers: Record<string, string> = status === 503 || status === 429 ? { 'retry-after': '1' } : {};
  return jsonResponse(status, { error: { code, message, ...(details === undefined ? {} : { details }) } }, headers);
}

function transactionCancelled(error: AnyError): HttpResponse {
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons
    .map((reason, action) => ({ action, code: reason.Code ?? 'None', entity: entityOf(reason.Item) }))
    .filter((reason) => reason.code !== 'None');
  const conditions = failed.filter((reason) => reason.code === 'ConditionalCheckFailed');
  logger.warn('unmapped transaction cancellation', { reasons: failed.map((r) => `${r.action}:${r.code}`) });
  if (conditions.length > 0) {
    const entities = [...new Set(conditions.map((c) => c.entity).filter((e): e is string => e !== null))];
    return send(
      409,
      entities.length === 1 ? `${entities[0]}_CONDITION_FAILED` : 'CONDITION_FAILED',
      'A condition of this change no longer holds; reload and retry',
      { failedConditions: conditions.map(({ action, entity }) => (entity ? { action, entity: entity.toLowerCase() } : { action })) },
    );
  }
  if (failed.some((reason) => reason.code === 'TransactionConflict')) {
    return send(409, 'TRANSACTION_CONFLICT', 'Another change to the same items was in progress; retry');
  }
  if (failed.length > 0 && failed.every((reason) => throttlingReasons.has(reason.code))) {
    return send(503, 'DATABASE_BUSY', 'The database is busy; retry shortly');
  }
  return send(409, 'TRANSACTION_CANCELLED', 'The change was not applied; nothing was written', {
    reasons: failed.map(({ action, code }) => ({ action, code })),
  });
}

function idempotencyOutcome(error: AnyError): HttpResponse | null {
  switch (error.name) {
    case 'IdempotencyAlreadyInProgressError':
      return send(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly');
    case 'IdempotencyValidationError':
      return send(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    case 'IdempotencyKeyError':
      return send(400, 'IDEMPOTENCY_KEY_INVALID', 'Send a valid Idempotency-Key header');
    case 'IdempotencyInconsistentStateError':
      return send(503, 'IDEMPOTENCY_RETRY', 'The earlier request with this Idempotency-Key is being cleaned up; retry shortly');
    default:
      // A store failure (IdempotencyPersistenceLayerError, ...): judged by its cause below.
      return null;
  }
}

function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function errorResponse(error: unknown): HttpResponse {
  const all = chain(error);
  const domain = all.find((e): e is DomainError & AnyError => e instanceof DomainError);
  if (domain) {
    if (domain.status >= 500) logger.warn('request failed', { code: domain.code });
    return send(domain.status, domain.code, domain.message, domain.details);
  }
  for (const err of all) {
    if (err.name === 'TransactionCanceledException') return transactionCancelled(err);
    if (err.name === 'ConditionalCheckFailedException') {
      const entity = entityOf(err.Item);
      logger.warn('unmapped conditional failure', { entity });
      return send(409, entity ? `${entity}_CONDITION_FAILED` : 'CONDITION_FAILED', 'A condition of this change no longer holds; reload and retry');
    }
    if (conflictNames.has(err.name)) {
      return send(409, 'TRANSACTION_CONFLICT', 'Another change to the same items was in progress; retry');
    }
    if (err.name === 'DuplicateItemException') return send(409, 'CONDITION_FAILED', 'The item already exists');
    if (err.name === 'IdempotentParameterMismatchException') {
      return send(409, 'REQUEST_TOKEN_REUSED', 'The same request token was used for a different change');
    }
    const idempotency = idempotencyOutcome(err);
    if (idempotency) return idempotency;
  }
  if (all.some(isThrottled)) {
    logger.warn('database throttled', { name: all[0]?.name });
    return send(503, 'DATABASE_BUSY', 'The database is busy; retry shortly');
  }
  if (all.some(isUnavailable)) {
    logger.error('database unavailable', all[0]!);
    return send(503, 'DATABASE_UNAVAILABLE', 'The database is briefly unavailable; retry shortly');
  }
  logger.error('unhandled error', error instanceof Error ? error : new Error(describe(error)));
  return send(500, 'INTERNAL', 'Something went wrong on our side');
}

import { DomainError } from '../domain/errors.js';
import { logger } from './logger.js';
import { jsonResponse, type HttpResponse } from './responses.js';

const transientErrorNames = new Set([
  'ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded',
  'InternalServerError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeout',
]);
const networkErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function isDatabaseUnavailable(error: Error & { code?: string; $metadata?: unknown }): boolean {
  return transientErrorNames.has(error.name) || networkErrorCodes.has(error.code ?? '') ||
    /socket hang up|connect ECONNREFUSED|timed out|timeout/i.test(error.message);
}

/** Maps whatever a handler threw to the error shape. Internal details are logged, never sent. */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof DomainError) {
    if (error.status >= 500) logger.warn('request failed', { code: error.code });
    const body = { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
    const headers: Record<string, string> = error.status === 503 ? { 'retry-after': '1' } : {};
    return jsonResponse(error.status, body, headers);
  }
  const err = error instanceof Error ? error : new Error(String(error));
  if (err.name === 'ConditionalCheckFailedException' || err.name === 'TransactionCanceledException') {
    logger.warn('unmapped conditional failure', { name: err.name });
    return jsonResponse(409, { error: { code: 'CONFLICT', message: 'The request conflicts with the current state; reload and retry' } });
  }
  if (isDatabaseUnavailable(err)) {
    logger.error('database unavailable', err);
    return jsonResponse(503, { error: { code: 'DATABASE_UNAVAILABLE', message: 'The database is briefly unavailable; retry shortly' } }, { 'retry-after': '1' });
  }
  logger.error('unhandled error', err);
  return jsonResponse(500, { error: { code: 'INTERNAL', message: 'Something went wrong on our side' } });
}

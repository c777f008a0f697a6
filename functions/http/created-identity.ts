import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '../domain/errors.js';

/** 1-128 printable ASCII characters, no space; the OpenAPI document states the same pattern. */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The client's Idempotency-Key header, if any; malformed keys are a 400. */
export function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key === undefined) return undefined;
  if (!idempotencyKeyPattern.test(key)) {
    throw new ValidationError('Idempotency-Key must be 1-128 printable ASCII characters', undefined, 'INVALID_IDEMPOTENCY_KEY');
  }
  return key;
}

/**
 * The id of what a create request makes, and a fingerprint of the request. With an Idempotency-Key the
 * id is derived from (user, route, key), so a retry addresses the same item; without one it is random and
 * there is no fingerprint (no earlier attempt to compare with).
 */
export function createdIdentity(event: APIGatewayProxyEventV2, userId: string, prefix: string, input: unknown): { id: string; requestHash: string | null } {
  const key = idempotencyKey(event);
  if (key === undefined) return { id: `${prefix}-${randomUUID()}`, requestHash: null };
  const requestHash = createHash('sha256').update(canonical({ route: event.routeKey, path: event.pathParameters ?? {}, input })).digest('hex');
  const digest = createHash('sha256').update(`${userId}\u0000${event.routeKey}\u0000${key}`).digest('base64url').slice(0, 27);
  return { id: `${prefix}-${digest.replace(/[^A-Za-z0-9_-]/g, '')}`, requestHash };
}

/**
 * createdIdentity for one item of a batch, told apart by `itemKey` (unique within the batch): with the same
 * Idempotency-Key, a retried batch addresses the same items.
 */
export function itemIdentity(event: APIGatewayProxyEventV2, userId: string, prefix: string, itemKey: string, input: unknown): { id: string; requestHash: string | null } {
  const { id, requestHash } = createdIdentity(event, userId, prefix, input);
  if (requestHash === null) return { id, requestHash };
  const digest = createHash('sha256').update(`${id}\u0000${itemKey}`).digest('base64url').slice(0, 27);
  return { id: `${prefix}-${digest.replace(/[^A-Za-z0-9_-]/g, '')}`, requestHash };
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnauthorizedError } from '../domain/errors.js';

interface JwtAuthorizerContext {
  jwt?: { claims?: Record<string, string | number | boolean | string[]> };
}

/**
 * The verified subject of the request. Never trusts that an authorizer ran: an event reaching a user
 * route without JWT claims (a misrouted path, a missing authorizer) is answered 401.
 */
export function verifiedClaims(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const context = (event.requestContext as { authorizer?: JwtAuthorizerContext }).authorizer;
  const claims = context?.jwt?.claims;
  if (!claims || typeof claims.sub !== 'string' || claims.sub.length === 0) throw new UnauthorizedError();
  return claims;
}

export function callerId(event: APIGatewayProxyEventV2): string {
  const sub = verifiedClaims(event).sub as string;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(sub)) throw new UnauthorizedError('The token subject is not a valid user id');
  return sub;
}

/** Cognito puts group membership in `cognito:groups`: an array, or a "[a b]" string in HTTP API claims. */
export function callerGroups(event: APIGatewayProxyEventV2): string[] {
  const groups = verifiedClaims(event)['cognito:groups'];
  if (Array.isArray(groups)) return groups.map(String);
  if (typeof groups === 'string') return groups.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
  return [];
}

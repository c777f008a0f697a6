import type { TokenVerifier } from './jwt-issuer.js';

/**
 * Who is calling the local AppSync Events, from the authorization headers of a connection, a subscribe or a
 * publish, as the stack configures the API (lib/live-feed.ts): connections by Cognito or IAM, subscribing by
 * Cognito, publishing by IAM.
 *
 * - Cognito: the `Authorization` header is the JWT itself, as AppSync takes it and Amplify sends it; a `Bearer `
 *   prefix is not stripped, so such a header is refused (the token does not verify).
 * - IAM: a SigV4 `Authorization` (`AWS4-HMAC-SHA256 Credential=…`) is taken as the feed publisher's role, its
 *   signature not checked, as the local HTTP publish does not check it: no local client holds AWS credentials.
 */
export type Caller = { kind: 'user'; sub: string } | { kind: 'iam' } | { kind: 'refused'; message: string };

export type AuthHeaders = Record<string, unknown>;

const iamPrefix = 'AWS4-HMAC-SHA256 Credential=';

export async function callerOf(verifier: TokenVerifier, headers: AuthHeaders | null | undefined): Promise<Caller> {
  const authorization = headers?.Authorization ?? headers?.authorization;
  if (typeof authorization !== 'string' || authorization === '') return { kind: 'refused', message: 'no Authorization header' };
  if (authorization.startsWith(iamPrefix)) return { kind: 'iam' };
  try {
    const { sub } = await verifier.verify(authorization);
    return sub ? { kind: 'user', sub } : { kind: 'refused', message: 'the token names no subject' };
  } catch {
    return { kind: 'refused', message: 'the token is not valid' };
  }
}

/** A JSON object of headers, base64 or base64url encoded; null when it is not one. */
function decodeHeaders(encoded: string): AuthHeaders | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as AuthHeaders) : null;
  } catch {
    return null;
  }
}

/**
 * A connection's authorization headers, where AppSync's realtime endpoint reads them: the `header-<base64url>`
 * subprotocol (what browsers and Amplify send), else the `header` query parameter (base64 of the same JSON), else
 * the upgrade request's own headers (clients that can set them).
 */
export function connectionAuthHeaders(protocols: string[], url: URL, requestHeaders: Record<string, unknown>): AuthHeaders {
  const fromProtocol = protocols.find((protocol) => protocol.startsWith('header-'));
  if (fromProtocol) return decodeHeaders(fromProtocol.slice('header-'.length)) ?? {};
  const fromQuery = url.searchParams.get('header');
  if (fromQuery) return decodeHeaders(fromQuery) ?? {};
  return requestHeaders;
}

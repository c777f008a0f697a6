import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CachePolicy } from '../routes.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function cacheControl(policy: CachePolicy | null | undefined): string {
  return policy
    ? `public, max-age=${policy.maxAgeSeconds}, stale-while-revalidate=${policy.staleWhileRevalidateSeconds}`
    : 'no-store';
}

/** How JSON.stringify writes a lone surrogate (it writes paired ones as they are): `\udxxx`, in lower case. */
const escapedLoneSurrogate = /\\ud[89a-f][0-9a-f]{2}/;
const wellFormed = (_key: string, value: unknown) => (typeof value === 'string' ? value.replace(/\p{Cs}/gu, '\ufffd') : value);

/**
 * The body as JSON every parser accepts: a lone surrogate in a string (text stored before input had to be
 * well-formed) is served as U+FFFD, since strict parsers reject the whole document over one.
 */
function toJson(body: unknown): string {
  const text = JSON.stringify(body);
  // includes() first: almost no body has an escape at all, and it is far cheaper than the pattern on a long text.
  return text !== undefined && text.includes('\\ud') && escapedLoneSurrogate.test(text) ? JSON.stringify(body, wellFormed) : text;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: toJson(body),
  };
}

/** A handler returns a plain body for 200, or this for another status (201 Created, 202, ...). */
export class Reply {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {}
}

export const created = (body: unknown) => new Reply(201, body);

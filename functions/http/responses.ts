import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CachePolicy } from '../routes.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function cacheControl(policy: CachePolicy | null | undefined): string {
  return policy
    ? `public, max-age=${policy.maxAgeSeconds}, stale-while-revalidate=${policy.staleWhileRevalidateSeconds}`
    : 'no-store';
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** A handler returns a plain body for 200, or this for another status (201 Created, 202, ...). */
export class Reply {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {}
}

export const created = (body: unknown) => new Reply(201, body);

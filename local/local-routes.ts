import type { IncomingMessage } from 'node:http';
import { openApiDocument } from '../functions/schemas/openapi-document.js';
import type { LocalAnswer } from './gateway.js';
import type { LocalIssuer } from './jwt-issuer.js';

const userIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Routes that exist only in the local runtime: a token minting stand-in for Cognito, the OpenAPI document. */
export function localRoutes(issuer: LocalIssuer, baseUrl: () => string) {
  return async (request: IncomingMessage, url: URL, body: Buffer): Promise<LocalAnswer | null> => {
    const path = url.pathname.replace(/\/+$/, '');
    if (request.method === 'GET' && path === '/openapi.json') return { status: 200, body: openApiDocument(baseUrl()) };
    if (request.method === 'GET' && path === '/local/jwks.json') return { status: 200, body: await issuer.jwks() };
    if (request.method !== 'POST' || path !== '/local/token') return null;
    let input: { userId?: unknown; groups?: unknown; expiresInSeconds?: unknown };
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return { status: 400, body: { error: { code: 'INVALID_JSON', message: 'The body is not valid JSON' } } };
    }
    const groups = input.groups ?? [];
    const expires = input.expiresInSeconds ?? 3600;
    if (typeof input.userId !== 'string' || !userIdPattern.test(input.userId) ||
      !Array.isArray(groups) || !groups.every((g) => typeof g === 'string') ||
      typeof expires !== 'number' || !Number.isInteger(expires) || expires < 1 || expires > 86_400) {
      return {
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: 'Send {"userId":"user-1","groups"?:["creators"],"expiresInSeconds"?:3600}' } },
      };
    }
    return { status: 200, body: { token: await issuer.sign({ sub: input.userId, groups, expiresInSeconds: expires }) } };
  };
}

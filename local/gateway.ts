import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { fallbackRoute, findRoute, routeKey, stripTrailingSlash, type Route } from '../functions/routes.js';
import { toApiEvent } from './api-event.js';
import { publishPath } from './feed-hub.js';
import type { FeedService } from './feed-service.js';
import { lambdaContext, loadHandler } from './handler-loader.js';
import type { LocalIssuer } from './jwt-issuer.js';
import type { InvokedFunction, LambdaEnvironments } from './lambda-environments.js';
import type { RateLimiter } from './rate-limiter.js';
import { corsPolicy } from '../lib/stage-config.js';

/** API Gateway refuses bodies over 10 MB; locally 1 MB is plenty and bounds memory. */
const maxRequestBytes = 1024 * 1024;

export interface GatewayOptions {
  issuer: LocalIssuer;
  /** Routes only the local runtime has (/local/token, /openapi.json). */
  localRoutes?: ((request: IncomingMessage, url: URL, body: Buffer) => Promise<LocalAnswer | null>) | undefined;
  rateLimiter?: RateLimiter | undefined;
  /** Each invocation runs in a simulated Lambda environment of its function, with that environment's read cache. */
  environments?: LambdaEnvironments | undefined;
  /** The local AppSync Events: WebSocket upgrades and the feed publisher's HTTP publish. */
  feed?: FeedService | undefined;
}

export interface LocalAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface HandlerResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/** What API Gateway adds to every answer of an API with a CORS configuration. */
const corsHeaders = {
  'access-control-allow-origin': corsPolicy.allowOrigins.join(','),
  'access-control-expose-headers': corsPolicy.exposeHeaders.join(','),
};

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string | number | boolean>): void {
  response.writeHead(status, { 'content-length': Buffer.byteLength(body), ...corsHeaders, ...headers });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxRequestBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > maxRequestBytes ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** What API Gateway does with a Lambda's answer: a structured result, or a bare value as 200 JSON. */
function sendHandlerResult(response: ServerResponse, result: unknown): void {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const structured = result as HandlerResult;
    const body = structured.body ?? '';
    const payload = structured.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    const headers: Record<string, string | number | boolean> = { ...structured.headers };
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies.join(', ');
    send(response, structured.statusCode ?? 200, payload, headers);
    return;
  }
  const payload = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  send(response, 200, payload, { 'content-type': 'application/json' });
}

/** The HTTP API JWT authorizer: a bearer token, verified, or 401 before any Lambda runs. */
async function authorize(issuer: LocalIssuer, request: IncomingMessage): Promise<JWTPayload | null> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return null;
  try {
    return await issuer.verify(match[1]!);
  } catch {
    return null;
  }
}

async function invoke(
  options: GatewayOptions, fn: InvokedFunction & { handler: string }, event: ReturnType<typeof toApiEvent>, response: ServerResponse,
): Promise<void> {
  const handler = await loadHandler(fn.handler);
  const call = () => handler(event, lambdaContext(fn.id, event.requestContext.requestId));
  const result = await (options.environments ? options.environments.run(fn, call) : call());
  sendHandlerResult(response, result);
}

/**
 * A local API Gateway HTTP API: routes from the route table, trailing slashes stripped as CloudFront
 * does, JWT authorization on user routes, throttling per route class, payload-2.0 events to the
 * very handlers Lambda runs.
 */
export function createGateway(options: GatewayOptions): Server {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      console.error('gateway: handler crashed', error);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.end();
    });
  });
  server.on('upgrade', (request, socket, head) => (options.feed ? options.feed.upgrade(request, socket, head) : socket.destroy()));
  return server;
}

async function handle(options: GatewayOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  const body = await readBody(request);
  if (body === 'too-large') return sendJson(response, 413, { message: 'Request Entity Too Large' });

  if (method === 'OPTIONS' && request.headers['access-control-request-method']) {
    return send(response, 204, '', {
      'access-control-allow-methods': corsPolicy.allowMethods.join(','),
      'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
      'access-control-max-age': corsPolicy.maxAgeSeconds,
    });
  }

  if (options.feed && method === 'POST' && url.pathname === publishPath) {
    const answer = await options.feed.publish(request.headers.authorization, body);
    return sendJson(response, answer.status, answer.body);
  }

  const local = await options.localRoutes?.(request, url, body);
  if (local) return sendJson(response, local.status, local.body, local.headers);

  const path = stripTrailingSlash(url.pathname);
  const match = findRoute(method, path);
  if (match.kind !== 'route') {
    const event = toApiEvent({ request, url, path, routeKey: '$default', pathParameters: {}, body, claims: null });
    return invoke(options, fallbackRoute, event, response);
  }

  const route: Route = match.route;
  if (options.rateLimiter) {
    const verdict = options.rateLimiter.take(route.throttle);
    if (!verdict.allowed) {
      return sendJson(response, 429, { message: 'Too Many Requests' }, { 'retry-after': String(verdict.retryAfterSeconds) });
    }
  }

  let claims: JWTPayload | null = null;
  if (route.auth === 'user') {
    claims = await authorize(options.issuer, request);
    if (!claims) return sendJson(response, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
  }

  const event = toApiEvent({
    request, url, path, routeKey: routeKey(route), pathParameters: match.pathParameters, body, claims,
  });
  return invoke(options, route, event, response);
}

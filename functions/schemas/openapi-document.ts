import { safeParse, toJSONSchema, type $ZodType as ZodType } from 'zod/v4/core';
import { idempotencyKeyPattern } from '../http/created-identity.js';
import { cacheControl } from '../http/responses.js';
import { routes, type Route } from '../routes.js';
import { errorBody } from './common.js';
import { requestExamples } from './examples.js';
import { routeSchemas } from './route-schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function queryParameters(schema: ZodType): unknown[] {
  const described = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name, in: 'query', required: described.required?.includes(name) ?? false,
    schema: property.type === 'array' ? { type: 'string', description: 'comma-separated list' } : property,
  }));
}

const ref = (section: 'schemas' | 'responses', name: string) => ({ $ref: `#/components/${section}/${name}` });
const json = (schema: unknown, example?: unknown) => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });
const errorExample = (code: string, message: string) => ({ error: { code, message } });

const retryAfter = (required: boolean, description: string) => ({
  'Retry-After': { required, description, schema: { type: 'integer', minimum: 0, description: 'Seconds' } },
});

/** Answers every operation can give, described once (components.responses). */
const sharedResponses = {
  BadRequest: { description: 'Invalid input or cursor (VALIDATION_FAILED, INVALID_JSON, INVALID_CURSOR, ...)', content: json(ref('schemas', 'Error'), errorExample('VALIDATION_FAILED', 'The request is not valid')) },
  Unauthorized: {
    description: 'No verified subject: API Gateway\'s JWT authorizer answers {"message": "Unauthorized"}; a handler that finds no subject answers UNAUTHORIZED',
    headers: { 'WWW-Authenticate': { description: "API Gateway's challenge", schema: { type: 'string' } } },
    content: json({ anyOf: [ref('schemas', 'Error'), ref('schemas', 'GatewayMessage')] }, { message: 'Unauthorized' }),
  },
  Forbidden: {
    description: 'Not yours (NOT_SELLER, NOT_OWNER, ...), or not through the public URL (ORIGIN_NOT_ALLOWED: the API answers only what comes through CloudFront)',
    content: json(ref('schemas', 'Error'), errorExample('ORIGIN_NOT_ALLOWED', 'Call the API at its public URL')),
  },
  PayloadTooLarge: {
    description: 'The body is too large: over 16 KiB where an operation reads one (PAYLOAD_TOO_LARGE), or over what API Gateway accepts ({"message": ...})',
    content: json({ anyOf: [ref('schemas', 'Error'), ref('schemas', 'GatewayMessage')] }, errorExample('PAYLOAD_TOO_LARGE', 'The body must be at most 16384 bytes')),
  },
  UnsupportedMediaType: {
    description: 'A body under a media type other than JSON, text/plain or application/x-www-form-urlencoded (UNSUPPORTED_MEDIA_TYPE)',
    content: json(ref('schemas', 'Error'), errorExample('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json')),
  },
  TooLong: {
    description: 'The URL or the headers are too long for the HTTP layer: CloudFront refuses a URL over 8 KiB (414); the local gateway\'s HTTP server, headers over 16 KiB (431). No body',
  },
  Throttled: {
    description: 'Throttled: API Gateway\'s route throttling ({"message": "Too Many Requests"}), or the WAF\'s per-address limit (RATE_LIMITED, Retry-After: 60)',
    headers: retryAfter(false, 'Seconds to wait before retrying: sent by the WAF (and by the local gateway); API Gateway\'s own throttling answer has none'),
    content: json({ anyOf: [ref('schemas', 'Error'), ref('schemas', 'GatewayMessage')] }, { message: 'Too Many Requests' }),
  },
  Internal: {
    description: 'A bug: INTERNAL from a handler, or {"message": "Internal Server Error"} from API Gateway when a function fails',
    content: json({ anyOf: [ref('schemas', 'Error'), ref('schemas', 'GatewayMessage')] }, errorExample('INTERNAL', 'Something went wrong on our side')),
  },
  Unavailable: {
    description: 'The database (or the origin secret) is briefly unavailable or throttled; nothing was written',
    headers: retryAfter(true, 'Seconds to wait before retrying'),
    content: json(ref('schemas', 'Error'), errorExample('DATABASE_UNAVAILABLE', 'The database is briefly unavailable; retry shortly')),
  },
};

/**
 * What a request no operation takes is answered: the document cannot list "every other path" or "every other
 * method" as operations, so the answers are described here (an extension), and the tests' validator applies them.
 * 404 and 405 are the $default route's, and so is its 403 to a request that did not come through CloudFront (it
 * checks the origin header first, as every handler does); 413, 414 and 431 come before any routing.
 */
const unroutedResponses = {
  403: { description: 'A request that did not come through CloudFront (ORIGIN_NOT_ALLOWED)', content: json(ref('schemas', 'Error'), errorExample('ORIGIN_NOT_ALLOWED', 'Call the API at its public URL')) },
  413: { description: 'A body over what API Gateway accepts, refused before routing', content: json(ref('schemas', 'GatewayMessage'), { message: 'Request Entity Too Large' }) },
  414: { description: 'A URL over 8 KiB, refused by CloudFront before routing. No body' },
  431: { description: 'Headers over 16 KiB, refused by the local gateway\'s HTTP server before routing. No body' },
  404: { description: 'A path this document does not list (NOT_FOUND)', content: json(ref('schemas', 'Error'), errorExample('NOT_FOUND', 'No such endpoint')) },
  405: {
    description: 'A method a listed path does not take (METHOD_NOT_ALLOWED); Allow lists the ones it takes',
    headers: { Allow: { required: true, description: 'The methods this path takes', schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$' } } },
    content: json(ref('schemas', 'Error'), errorExample('METHOD_NOT_ALLOWED', 'Use GET or POST on this path')),
  },
};

/** The tag of a handler's folder. */
const tagOf: Record<string, string> = {
  market: 'Market', listings: 'Listings', offers: 'Offers', auctions: 'Auctions', presales: 'Presales',
  accounts: 'Account', topups: 'Account', nfts: 'Account', users: 'Account', feed: 'Feed',
  withdrawals: 'Account', payments: 'Payments',
};
const tags = [
  { name: 'Market', description: 'Listings, floors, collections and their statistics, activity; sweeps and new collections' },
  { name: 'Listings', description: 'Fixed-price listings: list, cancel, buy, in batches too' },
  { name: 'Offers', description: 'Offers on an NFT, a collection or a trait: make, cancel, accept' },
  { name: 'Auctions', description: 'Auctions: list, create, bid, cancel, settle' },
  { name: 'Presales', description: 'Presales (mints): list, create, purchase' },
  { name: 'Account', description: "The caller's balance, top-ups, withdrawals, NFTs and activity" },
  { name: 'Feed', description: 'The live feed: what a subscriber missed' },
  { name: 'Payments', description: "The payment provider's webhook: payments, refunds, disputes and payouts" },
];

function requestBody(route: Route, body: ZodType): Record<string, unknown> {
  const name = `${route.id[0]!.toUpperCase()}${route.id.slice(1)}Request`;
  const example = requestExamples[route.id];
  const asText = {
    schema: { type: 'string', contentMediaType: 'application/json', contentSchema: ref('schemas', name) },
    description: 'The same JSON text, under the media type curl -d (form) or a plain fetch (text/plain) sends: it is read as JSON, never as form fields',
    ...(example === undefined ? {} : { example: JSON.stringify(example) }),
  };
  return {
    // Required where an empty body (read as {}) is refused.
    required: !safeParse(body, {}).success,
    description: 'JSON (application/json or application/*+json), at most 16 KiB and 16 levels deep',
    content: { ...json(ref('schemas', name), example), 'text/plain': asText, 'application/x-www-form-urlencoded': asText },
  };
}

/** Request bodies by schema name: components.schemas, shared by the body's media types. */
function requestSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(routes.flatMap((route) => {
    const body = routeSchemas[route.id]?.body;
    return body ? [[`${route.id[0]!.toUpperCase()}${route.id.slice(1)}Request`, jsonSchema(body, 'input')]] : [];
  }));
}

function operation(route: Route, operationId = route.id, description?: string): Record<string, unknown> {
  const schemas = routeSchemas[route.id];
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1], in: 'path', required: true, schema: { type: 'string' },
  }));
  const write = route.access === 'write';
  return {
    operationId,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [tagOf[route.handler.split('/')[0]!]],
    ...(route.auth === 'user' ? { security: [{ bearer: [] }] } : { security: [] }),
    parameters: [
      ...pathParameters,
      ...(schemas?.query ? queryParameters(schemas.query) : []),
      ...(write ? [{
        name: 'Idempotency-Key', in: 'header', required: route.idempotencyTable === true,
        description: 'Makes a retried write safe: the same key and body get the same answer, once. 1-128 printable ASCII characters, no space',
        schema: { type: 'string', minLength: 1, maxLength: 128, pattern: idempotencyKeyPattern.source },
        example: 'topup-2026-12-06-001',
      }] : []),
    ],
    ...(schemas?.body ? { requestBody: requestBody(route, schemas.body) } : {}),
    responses: {
      [String(schemas?.status ?? 200)]: {
        description: route.cache ? 'OK: public and cacheable for a few seconds (Cache-Control)' : 'OK (never cached)',
        headers: { 'Cache-Control': { required: true, schema: { type: 'string', const: cacheControl(route.cache) } } },
        content: json(schemas ? jsonSchema(schemas.response, 'output') : {}),
      },
      400: ref('responses', 'BadRequest'),
      ...(route.auth === 'user' ? { 401: ref('responses', 'Unauthorized') } : {}),
      403: route.id === 'readFeed'
        ? { description: "Another user's channel (NOT_YOUR_CHANNEL), or not through the public URL (ORIGIN_NOT_ALLOWED)", content: json(ref('schemas', 'Error'), errorExample('NOT_YOUR_CHANNEL', "/users/u-2 is another user's channel; yours is /users/u-1")) }
        : ref('responses', 'Forbidden'),
      ...(write
        ? { 404: { description: 'No such item', content: json(ref('schemas', 'Error'), errorExample('LISTING_NOT_FOUND', 'No such listing')) },
          409: { description: 'A rule or a concurrent change refused it; the code says which', content: json(ref('schemas', 'Error'), errorExample('INSUFFICIENT_FUNDS', 'The balance does not cover this amount')) },
          422: { description: 'Idempotency-Key reused with another body (IDEMPOTENCY_KEY_REUSED)', content: json(ref('schemas', 'Error'), errorExample('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request')) } }
        : {}),
      413: ref('responses', 'PayloadTooLarge'),
      ...(schemas?.body && route.method !== 'GET' ? { 415: ref('responses', 'UnsupportedMediaType') } : {}),
      414: ref('responses', 'TooLong'),
      431: ref('responses', 'TooLong'),
      429: ref('responses', 'Throttled'),
      500: ref('responses', 'Internal'),
      503: ref('responses', 'Unavailable'),
    },
  };
}

/**
 * Where clients call the API: the URL given (the local gateway's; `npm run openapi` takes API_URL), else a stage's
 * CloudFront URL, as a variable (the stack output CloudFrontUrl). Never the HTTP API's own endpoint, which refuses
 * what does not come through CloudFront.
 */
function servers(serverUrl: string | undefined): unknown[] {
  if (serverUrl) return [{ url: serverUrl.replace(/\/+$/, '') }];
  return [{
    url: 'https://{cloudFrontDomain}',
    description: "A stage's public base URL",
    variables: {
      cloudFrontDomain: { default: 'd1234abcd5678.cloudfront.net', description: "The stage's CloudFrontUrl output, without https://" },
    },
  }];
}

/** OpenAPI 3.1, generated from the route table and the zod schemas. */
export function openApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route);
    // The seed's clients call these with a trailing slash: their own paths, so that what they get is described.
    if (route.seedPath) {
      paths[route.seedPath] ??= {};
      paths[route.seedPath]![route.method.toLowerCase()] = operation(
        route, `${route.id}WithSlash`, `${route.method} ${route.path} as the seed's clients call it: the same operation`,
      );
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'NFT marketplace API',
      version: '1.0.0',
      description: 'Money is an integer of minor units. Lists take limit (1-100) and an opaque cursor. '
        + 'A trailing slash is stripped before routing (a CloudFront function): /market/floor/ is /market/floor; the paths '
        + "the seed's clients call with one are listed as they call them. A path not listed here answers 404 NOT_FOUND, "
        + 'a method a listed path does not take 405 METHOD_NOT_ALLOWED with Allow (x-unrouted-responses).',
      // package.json says UNLICENSED: no one may use the API or its code without the owner's permission.
      license: { name: 'Proprietary: all rights reserved' },
    },
    servers: servers(serverUrl),
    tags,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: jsonSchema(errorBody, 'output'),
        GatewayMessage: {
          type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false,
          description: "API Gateway's own answer (authorizer, throttling, size limit, a failed function): no error code",
        },
        ...requestSchemas(),
      },
      responses: sharedResponses,
    },
    'x-unrouted-responses': unroutedResponses,
  };
}

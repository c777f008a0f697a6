import { toJSONSchema, type $ZodType as ZodType } from 'zod/v4/core';
import { routes, type Route } from '../routes.js';
import { errorBody } from './common.js';
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

const errorResponse = (description: string) => ({
  description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

function operation(route: Route): Record<string, unknown> {
  const schemas = routeSchemas[route.id];
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1], in: 'path', required: true, schema: { type: 'string' },
  }));
  return {
    operationId: route.id,
    summary: route.summary,
    ...(route.seedPath ? { description: `Clients may call ${route.seedPath} (trailing slash included).` } : {}),
    ...(route.auth === 'user' ? { security: [{ bearer: [] }] } : { security: [] }),
    parameters: [
      ...pathParameters,
      ...(schemas?.query ? queryParameters(schemas.query) : []),
      ...(route.access === 'write' ? [{
        name: 'Idempotency-Key', in: 'header', required: route.idempotencyTable === true,
        description: 'Makes a retried write safe: the same key and body get the same answer, once', schema: { type: 'string', maxLength: 128 },
      }] : []),
    ],
    ...(schemas?.body
      ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(schemas.body, 'input') } } } }
      : {}),
    responses: {
      [String(schemas?.status ?? 200)]: {
        description: route.cache
          ? `OK. Cache-Control: public, max-age=${route.cache.maxAgeSeconds}, stale-while-revalidate=${route.cache.staleWhileRevalidateSeconds}`
          : 'OK. Cache-Control: no-store',
        content: { 'application/json': { schema: schemas ? jsonSchema(schemas.response, 'output') : {} } },
      },
      400: errorResponse('Invalid input or cursor'),
      ...(route.auth === 'user' ? { 401: { description: 'Missing or invalid bearer token' } } : {}),
      ...(route.access === 'write'
        ? { 403: errorResponse('Not yours to change'), 404: errorResponse('No such item'), 409: errorResponse('A rule or a concurrent change refused it; the code says which'), 422: errorResponse('Idempotency-Key reused with another body') }
        : {}),
      429: { description: 'Throttled; retry after the Retry-After header' },
      503: errorResponse('The database is briefly unavailable'),
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
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'NFT marketplace API',
      version: '1.0.0',
      description: 'Money is an integer of minor units. Lists take limit (1-100) and an opaque cursor.',
      // package.json says UNLICENSED: no one may use the API or its code without the owner's permission.
      license: { name: 'Proprietary: all rights reserved' },
    },
    servers: servers(serverUrl),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
  };
}

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { toJSONSchema } from 'zod/v4/core';
import { fallbackRoute, findRoute, routeKey, routes, stripTrailingSlash } from '../../functions/routes.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';

describe('the route table', () => {
  it('has unique ids and unique method + path pairs', () => {
    assert.equal(new Set(routes.map((r) => r.id)).size, routes.length);
    assert.equal(new Set(routes.map(routeKey)).size, routes.length);
  });

  it('points every row at a handler module that declares the same name and auth', () => {
    for (const route of [...routes, { ...fallbackRoute, auth: 'public' as const }]) {
      const file = `functions/handlers/${route.handler}.ts`;
      assert.ok(existsSync(file), file);
      if (route.id === fallbackRoute.id) continue;
      const source = readFileSync(file, 'utf8');
      const wrapper = route.auth === 'user' ? 'userHandler' : 'publicHandler';
      assert.ok(source.includes(`${wrapper}('${route.handler}'`), `${file} uses ${wrapper}('${route.handler}')`);
    }
  });

  it('has request/response schemas for every route', () => {
    for (const route of routes) assert.ok(routeSchemas[route.id], route.id);
  });

  it('keys every cached route on each query parameter its handler reads, and on nothing else', () => {
    // CloudFront forwards only the cache key's query strings: a parameter left out (minAsOf) never reaches the API.
    for (const route of routes.filter((r) => r.cache)) {
      const read = Object.keys((toJSONSchema(routeSchemas[route.id]!.query!, { io: 'input', unrepresentable: 'any' }) as { properties?: object }).properties ?? {});
      assert.deepEqual([...route.cache!.queryKeys].sort(), read.sort(), route.id);
    }
  });

  it('keeps caching to public GET routes only', () => {
    for (const route of routes.filter((r) => r.cache)) {
      assert.equal(route.method, 'GET', route.id);
      assert.equal(route.auth, 'public', route.id);
    }
  });
});

describe('routing', () => {
  it('treats a trailing slash as the same route', () => {
    assert.equal(stripTrailingSlash('/market/'), '/market');
    assert.equal(stripTrailingSlash('/'), '/');
    const match = findRoute('POST', '/market/');
    assert.equal(match.kind === 'route' && match.route.id, 'listMarketListings');
  });

  it('tells a wrong method from an unknown path', () => {
    assert.deepEqual(findRoute('PUT', '/accounts'), { kind: 'method-not-allowed', allowed: ['GET'] });
    assert.deepEqual(findRoute('GET', '/accounts/extra'), { kind: 'not-found' });
  });
});

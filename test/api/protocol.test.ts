import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../../functions/schemas/openapi-document.js';
import { routes } from '../../functions/routes.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market.stop(); });

const seedCalls: Array<[string, string, boolean]> = [
  ['POST', '/market/', false], ['POST', '/market/floor', false], ['GET', '/market/collections', false],
  ['GET', '/accounts', true], ['GET', '/nft/my', true], ['GET', '/offers/my', true], ['POST', '/auctions/', false],
  ['POST', '/presale/', false], ['GET', '/users/balance-topups', true],
];

describe('the seed report paths', () => {
  it('all answer 200 exactly as the seed clients call them, with data for user-1', async () => {
    const token = await market.token('user-1');
    for (const [method, path, auth] of seedCalls) {
      const body = path === '/market/floor' ? { collectionIds: ['col-1'] } : method === 'POST' ? {} : undefined;
      const answer = await market.call(method, path, { body, token: auth ? token : undefined });
      assert.equal(answer.status, 200, `${method} ${path}: ${JSON.stringify(answer.body)}`);
      const items = answer.body.items ?? answer.body.floors ?? [answer.body];
      assert.ok(items.length > 0, `${method} ${path} has data`);
    }
  });
});

describe('errors', () => {
  it('answers an unknown path with 404 and a wrong method with 405, in the error shape', async () => {
    const missing = await market.call('GET', '/market/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    const wrong = await market.call('DELETE', '/market/floor');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error.code, 'METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.get('allow'), 'POST, GET');
  });

  it('answers malformed bodies and cursors with 4xx, never 500, never a stack trace', async () => {
    const cases: Array<{ rawBody?: string; body?: unknown; headers?: Record<string, string>; status: number; code: string }> = [
      { rawBody: '{not json', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON' },
      { rawBody: '[]', headers: { 'content-type': 'application/json' }, status: 400, code: 'VALIDATION_FAILED' },
      { rawBody: 'null', headers: { 'content-type': 'application/json' }, status: 400, code: 'VALIDATION_FAILED' },
      { rawBody: `${'['.repeat(40)}${']'.repeat(40)}`, headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON' },
      { rawBody: JSON.stringify({ sort: 'x'.repeat(20_000) }), headers: { 'content-type': 'application/json' }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { rawBody: '<xml/>', headers: { 'content-type': 'application/xml' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { body: { cursor: 'not-a-cursor' }, status: 400, code: 'INVALID_CURSOR' },
      { body: { cursor: Buffer.from('{"pk":"x"}').toString('base64url') }, status: 400, code: 'INVALID_CURSOR' },
      { body: { cursor: '!!!' }, status: 400, code: 'INVALID_CURSOR' },
    ];
    for (const { status, code, ...request } of cases) {
      const answer = await market.call('POST', '/market/', request);
      assert.equal(answer.status, status, JSON.stringify(request).slice(0, 100));
      assert.equal(answer.body.error.code, code);
      assert.equal(typeof answer.body.error.message, 'string');
      assert.doesNotMatch(JSON.stringify(answer.body), /at \w+ \(|node_modules|Exception/);
    }
  });

  it('rejects a cursor from another sort, status or filter of the same list', async () => {
    const refused = async (what: string, from: Promise<{ body: any }>, use: (cursor: string) => Promise<{ status: number; body: any }>) => {
      const cursor = (await from).body.nextCursor;
      assert.ok(cursor, `${what}: the first list has a next page`);
      const answer = await use(cursor);
      assert.deepEqual([answer.status, answer.body.error?.code], [400, 'INVALID_CURSOR'], what);
    };
    const listings = (body: object) => market.call('POST', '/market/', { body });
    await refused('price_asc → price_desc', listings({ sort: 'price_asc', limit: 1 }), (cursor) => listings({ sort: 'price_desc', limit: 1, cursor }));
    await refused('another price range', listings({ sort: 'price_asc', minPrice: 1, limit: 1 }), (cursor) => listings({ sort: 'price_asc', minPrice: 2, limit: 1, cursor }));
    const auctions = (body: object) => market.call('POST', '/auctions/', { body });
    await refused('ended → live', auctions({ status: 'ended', limit: 1 }), (cursor) => auctions({ status: 'live', limit: 1, cursor }));
    const token = await market.token('user-1');
    const offers = (query: string) => market.call('GET', `/offers/my?${query}`, { token });
    await refused('offers open → cancelled', offers('role=made&status=open&limit=1'), (cursor) => offers(`role=made&status=cancelled&limit=1&cursor=${cursor}`));
    // The same query goes on from its own cursor.
    const first = await listings({ sort: 'price_asc', limit: 1 });
    assert.equal((await listings({ sort: 'price_asc', limit: 1, cursor: first.body.nextCursor })).status, 200);
  });

  it("rejects a cursor from another list's query", async () => {
    const auctions = await market.call('POST', '/auctions/', { body: { limit: 1 } });
    const answer = await market.call('POST', '/market/', { body: { cursor: auctions.body.nextCursor } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'INVALID_CURSOR');
  });
});

describe('OpenAPI', () => {
  it('is served locally and documents every route of the table', async () => {
    const answer = await market.call('GET', '/openapi.json');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.openapi, '3.1.0');
    for (const route of routes) {
      const operation = answer.body.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path}`);
      assert.equal(operation.operationId, route.id);
      assert.deepEqual(operation.security, route.auth === 'user' ? [{ bearer: [] }] : []);
    }
    assert.deepEqual(answer.body.paths, openApiDocument().paths);
  });

  it('issues local tokens only for valid user ids', async () => {
    assert.equal((await market.call('POST', '/local/token', { body: { userId: 'user-1' } })).status, 200);
    assert.equal((await market.call('POST', '/local/token', { body: { userId: 'a#b' } })).status, 400);
    assert.equal((await market.call('POST', '/local/token', { rawBody: '{' })).status, 400);
  });
});

describe('CORS', () => {
  it('answers a browser preflight and marks answers readable from other origins, as API Gateway does', async () => {
    const preflight = await fetch(`${market.url}/offers`, {
      method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    const answer = await market.call('GET', '/market/collections');
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
  });
});

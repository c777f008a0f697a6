// Request size and JSON depth limits: 16 KiB and 16 levels in the handlers, 1 MiB at the (local) gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { maxBodyBytes, maxJsonDepth } from '../../functions/http/input.js';
import { routes, type Route } from '../../functions/routes.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { describeDiff, gatewayAnswers, isErrorShape, pathFor, snapshotDiff, settledSnapshot } from './support.js';

const gatewayLimit = 1024 * 1024;

let market: TestMarketplace;
let token: string;
let before0: string[];
before(async () => {
  market = await startTestMarketplace();
  // A creator, so creator-only routes get as far as reading the body.
  token = await market.token('user-1', ['creators']);
  before0 = await settledSnapshot(market);
});
after(async () => { await market?.stop(); });

/** Routes whose handler parses a JSON body. */
const bodyRoutes = routes.filter((r) => r.method !== 'GET' && routeSchemas[r.id]?.body);

function call(route: Route, rawBody: string, headers: Record<string, string> = {}) {
  return market.call(route.method, pathFor(route, { listingId: 'none', offerId: 'none', auctionId: 'none', presaleId: 'none' }), {
    rawBody, token: route.auth === 'user' ? token : undefined,
    headers: { 'content-type': 'application/json', 'idempotency-key': 'limits-test', ...headers },
  });
}

/** `{"pad":"xx..."}` of exactly `bytes` bytes (ASCII). */
function paddedJson(bytes: number, char = 'x'): string {
  const shell = JSON.stringify({ pad: '' });
  const charBytes = Buffer.byteLength(char);
  const text = JSON.stringify({ pad: char.repeat(Math.floor((bytes - shell.length) / charBytes)) });
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

describe('body size', () => {
  it('states the limits the docs give', () => {
    assert.equal(maxBodyBytes, 16 * 1024);
    assert.equal(maxJsonDepth, 16);
    assert.ok(bodyRoutes.length >= 4, 'there are routes that read a body');
  });

  it(`accepts a ${maxBodyBytes}-byte body and rejects one byte more with 413 PAYLOAD_TOO_LARGE, on every body route`, async () => {
    for (const route of bodyRoutes) {
      const atLimit = await call(route, paddedJson(maxBodyBytes));
      assert.equal(Buffer.byteLength(paddedJson(maxBodyBytes)), maxBodyBytes);
      assert.ok(atLimit.status < 500 && atLimit.status !== 413, `${route.id} at the limit: ${atLimit.status} ${JSON.stringify(atLimit.body)}`);
      const over = await call(route, paddedJson(maxBodyBytes + 1));
      assert.equal(over.status, 413, `${route.id} over the limit`);
      assert.equal(over.body.error.code, 'PAYLOAD_TOO_LARGE');
    }
  });

  it('counts bytes, not characters', async () => {
    const route = bodyRoutes[0]!;
    const text = paddedJson(maxBodyBytes + 2, 'é');
    assert.ok(text.length < maxBodyBytes, 'fewer characters than the limit');
    assert.equal((await call(route, text)).status, 413);
  });
});

describe('JSON depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nestedObject = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

  it(`parses ${maxJsonDepth} levels and rejects ${maxJsonDepth + 1} with 400 INVALID_JSON, on every body route`, async () => {
    for (const route of bodyRoutes) {
      for (const build of [nested, nestedObject]) {
        const ok = await call(route, build(maxJsonDepth));
        assert.ok(ok.status < 500, `${route.id}: ${ok.status}`);
        assert.notEqual(ok.body?.error?.code, 'INVALID_JSON', `${route.id} at depth ${maxJsonDepth}`);
        const deep = await call(route, build(maxJsonDepth + 1));
        assert.equal(deep.status, 400, route.id);
        assert.equal(deep.body.error.code, 'INVALID_JSON');
        assert.match(deep.body.error.message, /nesting/);
      }
    }
  });

  it('does not count brackets inside strings, and rejects very deep JSON quickly', async () => {
    const route = bodyRoutes[0]!;
    const inString = await call(route, JSON.stringify({ pad: '[{'.repeat(500) }));
    assert.notEqual(inString.body?.error?.code, 'INVALID_JSON');
    const veryDeep = await call(route, nested(8000));
    assert.equal(veryDeep.status, 400);
    assert.equal(veryDeep.body.error.code, 'INVALID_JSON');
  });
});

describe('the gateway limit', () => {
  it(`answers 413 to a body over ${gatewayLimit} bytes on every route, before any handler`, async () => {
    const big = 'x'.repeat(gatewayLimit + 1);
    for (const route of routes) {
      const answer = await market.call(route.method === 'GET' ? 'POST' : route.method, pathFor(route), { rawBody: big, token, headers: { 'content-type': 'application/json' } });
      assert.equal(answer.status, 413, route.id);
      assert.deepEqual(answer.body, gatewayAnswers[413]);
    }
  });

  it('passes exactly 1 MiB on to the handler, which answers 413 in the error shape', async () => {
    const route = bodyRoutes[0]!;
    const answer = await call(route, paddedJson(gatewayLimit));
    assert.equal(answer.status, 413);
    assert.ok(isErrorShape(answer.body), JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a URL too long for the HTTP layer with a 4xx and keeps serving', async () => {
    // CloudFront refuses URLs over 8 KiB (414); the local HTTP server's header limit is 16 KiB (431).
    const answer = await market.call('GET', `/market?collectionId=${'x'.repeat(20_000)}`);
    assert.ok(answer.status === 414 || answer.status === 431, String(answer.status));
    const limitOk = await market.call('GET', `/market?collectionId=${'x'.repeat(7000)}`);
    assert.equal(limitOk.status, 400, 'a 7 KB URL reaches the handler, which rejects the id');
    assert.equal(limitOk.body.error.code, 'VALIDATION_FAILED');
  });

  it('survives a 20 MiB upload and keeps serving', async () => {
    const answer = await market.call('POST', '/market/', { rawBody: 'x'.repeat(20 * 1024 * 1024) });
    assert.equal(answer.status, 413);
    assert.equal((await market.call('POST', '/market/', { body: {} })).status, 200);
  });
});

describe('rejected oversize and deep requests', () => {
  it('changed nothing in the table', async () => {
    const diff = snapshotDiff(before0, await settledSnapshot(market));
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
  });
});

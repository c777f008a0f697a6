// Request size and JSON depth limits: 16 KiB and 16 levels in the handlers, 1 MiB at the (local) gateway; the
// content types a body may have (else 415) and the cursor's 2,048 characters. Each test that sends bodies to
// write routes checks, itself, that the table is as it was.
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
before(async () => {
  market = await startTestMarketplace();
  // A creator, so creator-only routes get as far as reading the body.
  token = await market.token('user-1', ['creators']);
});
after(async () => { await market?.stop(); });

/** Runs `requests` and then checks that they changed nothing in the table. */
async function changingNothing(requests: () => Promise<void>): Promise<void> {
  const before = await settledSnapshot(market);
  await requests();
  const diff = snapshotDiff(before, await settledSnapshot(market));
  assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
}

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

  it(`reads a ${maxBodyBytes}-byte body and rejects one byte more with 413 PAYLOAD_TOO_LARGE, on every body route`, () => changingNothing(async () => {
    assert.equal(Buffer.byteLength(paddedJson(maxBodyBytes)), maxBodyBytes);
    for (const route of bodyRoutes) {
      // Read like the same body short: the size changes nothing in the answer.
      const atLimit = await call(route, paddedJson(maxBodyBytes));
      const short = await call(route, JSON.stringify({ pad: 'x' }));
      assert.deepEqual([atLimit.status, atLimit.body?.error?.code], [short.status, short.body?.error?.code], `${route.id} at the limit: ${JSON.stringify(atLimit.body).slice(0, 300)}`);
      const over = await call(route, paddedJson(maxBodyBytes + 1));
      assert.equal(over.status, 413, `${route.id} over the limit`);
      assert.equal(over.body.error.code, 'PAYLOAD_TOO_LARGE');
    }
  }));

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

  it(`parses ${maxJsonDepth} levels and rejects ${maxJsonDepth + 1} with 400 INVALID_JSON, on every body route`, () => changingNothing(async () => {
    for (const route of bodyRoutes) {
      for (const build of [nested, nestedObject]) {
        // Parsed, and answered like the same shape two levels deep: the depth changes nothing in the answer.
        const ok = await call(route, build(maxJsonDepth));
        const shallow = await call(route, build(2));
        assert.deepEqual([ok.status, ok.body?.error?.code], [shallow.status, shallow.body?.error?.code], `${route.id} at depth ${maxJsonDepth}: ${JSON.stringify(ok.body).slice(0, 300)}`);
        const deep = await call(route, build(maxJsonDepth + 1));
        assert.equal(deep.status, 400, route.id);
        assert.equal(deep.body.error.code, 'INVALID_JSON');
        assert.match(deep.body.error.message, /nesting/);
      }
    }
  }));

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
  it(`answers 413 to a body over ${gatewayLimit} bytes on every route, before any handler`, () => changingNothing(async () => {
    const big = 'x'.repeat(gatewayLimit + 1);
    for (const route of routes) {
      const answer = await market.call(route.method === 'GET' ? 'POST' : route.method, pathFor(route), { rawBody: big, token, headers: { 'content-type': 'application/json' } });
      assert.equal(answer.status, 413, route.id);
      assert.deepEqual(answer.body, gatewayAnswers[413]);
    }
  }));

  it('passes exactly 1 MiB on to the handler, which answers 413 in the error shape', () => changingNothing(async () => {
    const route = bodyRoutes[0]!;
    const answer = await call(route, paddedJson(gatewayLimit));
    assert.equal(answer.status, 413);
    assert.ok(isErrorShape(answer.body), JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'PAYLOAD_TOO_LARGE');
  }));

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

describe('content types', () => {
  const route = routes.find((r) => r.id === 'createListing')!;
  it('reads JSON, +json, text/plain and form-encoded bodies as JSON; any other type with a body is 415 UNSUPPORTED_MEDIA_TYPE', () => changingNothing(async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const read = await call(route, '{"nftId":"nft-none","price":1}', { 'content-type': type });
      assert.deepEqual([read.status, read.body.error?.code], [404, 'NFT_NOT_FOUND'], `${type}: ${JSON.stringify(read.body)}`);
    }
    for (const type of ['application/xml', 'text/html', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png']) {
      const refused = await call(route, '{"nftId":"nft-none","price":1}', { 'content-type': type });
      assert.deepEqual([refused.status, refused.body.error?.code], [415, 'UNSUPPORTED_MEDIA_TYPE'], type);
    }
  }));
});

describe('the cursor', () => {
  it('is read up to 2,048 characters; a longer one is a 400', async () => {
    const first = await market.call('GET', '/market/collections?limit=1');
    const cursor = first.body.nextCursor as string;
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    // The same key with spaces after it: 1,536 bytes are 2,048 base64url characters, 1,537 are 2,050.
    const padded = (bytes: number) => {
      const json = JSON.stringify(key);
      return Buffer.from(json + ' '.repeat(bytes - json.length)).toString('base64url');
    };
    assert.equal(padded(1536).length, 2048);
    const atLimit = await market.call('GET', `/market/collections?limit=1&cursor=${padded(1536)}`);
    const unpadded = await market.call('GET', `/market/collections?limit=1&cursor=${cursor}`);
    assert.equal(atLimit.status, 200, JSON.stringify(atLimit.body));
    assert.deepEqual(atLimit.body.items, unpadded.body.items);
    const over = await market.call('GET', `/market/collections?limit=1&cursor=${padded(1537)}`);
    assert.deepEqual([over.status, over.body.error?.code, over.body.error?.details?.[0]?.path], [400, 'VALIDATION_FAILED', 'cursor'], JSON.stringify(over.body));
  });
});

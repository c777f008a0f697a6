// Only CloudFront reaches the API: with an origin secret configured (ORIGIN_SECRET locally; the Secrets Manager
// secret when deployed), the gateway's handlers refuse every request without CloudFront's header, before any work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { originVerifyHeader } from '../../functions/http/origin-header.js';
import { routeKey, routes } from '../../functions/routes.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

const current = 'origin-secret-current';
const previous = 'origin-secret-previous';
const through = (value: string) => ({ [originVerifyHeader]: value });

let market: TestMarketplace;
let token: string;
before(async () => {
  market = await startTestMarketplace();
  token = await market.token('user-1');
  process.env.ORIGIN_SECRET = `${current},${previous}`;
});
after(async () => {
  delete process.env.ORIGIN_SECRET;
  await market.stop();
});

/** A request every route accepts as far as its input goes: path parameters filled, a JSON body where one is read. */
const sample = (path: string) => path.replace(/\{(\w+)\}/g, 'x-1');

describe('with an origin secret configured', () => {
  it('refuses a request without the header, or with a wrong value, on every route and unknown paths: 403 in the error shape', async () => {
    for (const route of routes) {
      for (const headers of [{}, through('wrong'), through(`${current}x`), through('')]) {
        const answer = await market.call(route.method, sample(route.path), { token, headers, body: route.method === 'GET' ? undefined : {} });
        assert.equal(answer.status, 403, `${routeKey(route)} ${JSON.stringify(headers)}: ${JSON.stringify(answer.body)}`);
        assert.deepEqual(answer.body, { error: { code: 'ORIGIN_NOT_ALLOWED', message: 'Call the API at its public URL' } });
      }
    }
    assert.equal((await market.call('GET', '/no/such/path')).status, 403);
    assert.equal((await market.call('PUT', '/market')).status, 403);
  });

  it('refuses before any work: a top-up without the header credits nothing and records nothing', async () => {
    const refused = await market.call('POST', '/users/balance-topups', {
      token, body: { amount: 777 }, headers: { 'idempotency-key': 'back-door-1' },
    });
    assert.equal(refused.status, 403);
    const history = await market.call('GET', '/users/balance-topups', { token, headers: through(current) });
    assert.equal(history.status, 200);
    assert.ok(!history.body.items.some((topup: { amount: number }) => topup.amount === 777), 'no top-up of 777');
    // The same key through CloudFront is a new request, credited once: the refused one left no idempotency record.
    const accepted = await market.call('POST', '/users/balance-topups', {
      token, body: { amount: 778 }, headers: { 'idempotency-key': 'back-door-1', ...through(current) },
    });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
  });

  it('serves requests that carry the current or the previous value (a rotation refuses nothing in flight)', async () => {
    for (const value of [current, previous]) {
      assert.equal((await market.call('GET', '/market/collections', { headers: through(value) })).status, 200, value);
      assert.equal((await market.call('GET', '/accounts', { token, headers: through(value) })).status, 200, value);
      assert.equal((await market.call('GET', '/no/such/path', { headers: through(value) })).status, 404, value);
    }
  });

  it('keeps the gateway\'s own answers first: 401 without a token on a user route, as API Gateway\'s authorizer', async () => {
    assert.equal((await market.call('GET', '/accounts')).status, 401);
  });
});

describe('without an origin secret (npm start)', () => {
  it('serves requests without the header', async () => {
    const saved = process.env.ORIGIN_SECRET;
    delete process.env.ORIGIN_SECRET;
    try {
      assert.equal((await market.call('GET', '/market/collections')).status, 200);
    } finally {
      process.env.ORIGIN_SECRET = saved;
    }
  });
});

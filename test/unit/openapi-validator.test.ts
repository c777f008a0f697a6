// The check every API test's answers go through (test/support/openapi-validator.ts) finds what it is there for:
// answers made up here, each wrong in one way, and the same answers right.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAnswer, responseViolations, type ReceivedAnswer } from '../../test/support/openapi-validator.js';

const json = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const answer = (method: string, path: string, status: number, body: unknown, headers: Record<string, string> = json): ReceivedAnswer => ({
  method, path, status, headers: new Headers(headers), text: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});
const error = (code: string) => ({ error: { code, message: 'm' } });
const account = { userId: 'u-1', balance: 100, held: 0, updatedAt: null };
const page = { items: [], nextCursor: null, asOf: '2026-12-06T04:00:00.000Z' };

describe('the OpenAPI check of an answer', () => {
  it('passes answers the document describes', async () => {
    for (const ok of [
      answer('GET', '/accounts', 200, account),
      answer('POST', '/market/', 200, page),
      answer('GET', '/market/collections/?limit=2', 200, page, { ...json, 'cache-control': 'public, max-age=30, stale-while-revalidate=120' }),
      answer('GET', '/market/', 200, page, { ...json, 'cache-control': 'public, max-age=5, stale-while-revalidate=30' }),
      answer('GET', '/feed?channel=/users/u-2', 403, error('NOT_YOUR_CHANNEL')),
      answer('POST', '/offers', 415, error('UNSUPPORTED_MEDIA_TYPE')),
      answer('GET', '/accounts', 401, { message: 'Unauthorized' }, { 'content-type': 'application/json' }),
      answer('GET', '/accounts', 429, { message: 'Too Many Requests' }, { 'content-type': 'application/json', 'retry-after': '1' }),
      answer('GET', '/accounts', 503, error('DATABASE_UNAVAILABLE'), { ...json, 'retry-after': '1' }),
      answer('PUT', '/market', 405, error('METHOD_NOT_ALLOWED'), { ...json, allow: 'GET, POST' }),
      answer('GET', '/no/such/path', 404, error('NOT_FOUND')),
      answer('POST', '/accounts', 413, { message: 'Request Entity Too Large' }, { 'content-type': 'application/json' }),
      answer('GET', `/market?collectionId=${'x'.repeat(100)}`, 431, undefined, {}),
    ]) assert.deepEqual(await responseViolations(ok), [], `${ok.method} ${ok.path} ${ok.status}`);
  });

  it('names the schema path of a body that breaks its schema', async () => {
    assert.deepEqual(await responseViolations(answer('GET', '/accounts', 200, { ...account, balance: 1.5 })), [
      '/balance must be integer (schema #/paths/~1accounts/get/responses/200/content/application~1json/schema/properties/balance/type)',
    ]);
    const [extra] = await responseViolations(answer('POST', '/market/', 200, { ...page, total: 3 }));
    assert.match(extra!, /must NOT have additional properties \(schema #\/paths\/~1market~1\/post\/responses\/200\/content\/application~1json\/schema\/additionalProperties\)/);
  });

  it('refuses a status, a media type or a header the document does not give', async () => {
    assert.match((await responseViolations(answer('GET', '/market/floor?collectionIds=c', 409, error('X'))))[0]!, /status 409 is not documented/);
    assert.match((await responseViolations(answer('GET', '/accounts', 200, 'hello', { 'content-type': 'text/html', 'cache-control': 'no-store' })))[0]!, /media type text\/html is not one of/);
    assert.deepEqual(await responseViolations(answer('GET', '/accounts', 503, error('DATABASE_UNAVAILABLE'))), [
      'header Retry-After missing (#/paths/~1accounts/get/responses/503/headers/Retry-After)',
    ]);
    assert.match((await responseViolations(answer('GET', '/accounts', 429, { message: 'x' }, { 'content-type': 'application/json', 'retry-after': 'soon' })))[0]!, /header Retry-After must be integer \(schema #\/paths\/~1accounts\/get\/responses\/429\/headers\/Retry-After\/schema\/type\)/);
    assert.match((await responseViolations(answer('GET', '/market', 200, page)))[0]!, /header Cache-Control must be equal to constant/);
    assert.match((await responseViolations(answer('PUT', '/market', 405, error('METHOD_NOT_ALLOWED'))))[0]!, /header Allow missing \(#\/x-unrouted-responses\/405/);
    assert.match((await responseViolations(answer('GET', '/no/such/path', 200, {})))[0]!, /not a path of the document, yet the answer is 200/);
  });

  it('fails the call that got a violation, naming route and status', async () => {
    await assert.rejects(checkAnswer(answer('GET', '/accounts?x=1', 200, { ...account, balance: -0.5 })), /breaks the OpenAPI document: GET \/accounts -> 200\n.*\/balance must be integer/);
    await checkAnswer(answer('GET', '/accounts', 200, account));
  });

  it("leaves the local runtime's own routes alone (/local/token, /openapi.json), and no other path", async () => {
    await checkAnswer(answer('POST', '/local/token', 200, { token: 't' }, { 'content-type': 'application/json' }));
    await checkAnswer(answer('GET', '/openapi.json', 200, {}, { 'content-type': 'application/json' }));
    await assert.rejects(checkAnswer(answer('GET', '/localish/token', 200, {})), /not a path of the document/);
  });
});

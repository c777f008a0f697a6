// The origin check (functions/http/origin-verify.ts): where the expected values come from, how long they are kept,
// what a rotation and a failing secrets extension do, and that the handler wrapper runs it before anything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DomainError } from '../../functions/domain/errors.js';
import { publicHandler } from '../../functions/http/http-handler.js';
import { originVerifyHeader } from '../../functions/http/origin-header.js';
import { createOriginCheck } from '../../functions/http/origin-verify.js';

const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-AbCdEf';

/** A stand-in for the Parameters and Secrets extension's HTTP API: answers per version stage, records each call. */
function fakeExtension(versions: { AWSCURRENT: string | number; AWSPREVIOUS: string | number }) {
  const calls: { url: URL; token: string | null }[] = [];
  const fetch = (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ url, token: new Headers(init?.headers).get('x-aws-parameters-secrets-token') });
    const value = versions[url.searchParams.get('versionStage') as keyof typeof versions];
    if (typeof value === 'number') return new Response('{"__type":"ResourceNotFoundException"}', { status: value });
    return Response.json({ ARN: secretArn, SecretString: value, VersionStages: [url.searchParams.get('versionStage')] });
  }) as typeof globalThis.fetch;
  return { versions, calls, fetch };
}

function checkWith(extension: ReturnType<typeof fakeExtension>, clock: { now: number }) {
  return createOriginCheck({
    env: { ORIGIN_SECRET_ARN: secretArn, ORIGIN_SECRET_CACHE_SECONDS: '300', AWS_SESSION_TOKEN: 'session-token', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773' },
    now: () => clock.now,
    fetch: extension.fetch,
  });
}

const refusal = async (promise: Promise<void>): Promise<string | null> => {
  try {
    await promise;
    return null;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return `${error.status} ${error.code}`;
  }
};
const header = (value: string) => ({ [originVerifyHeader]: value });

describe('the origin check, deployed (the secret through the Parameters and Secrets extension)', () => {
  it('asks the extension for the current and previous versions, with the session token, and accepts both', async () => {
    const extension = fakeExtension({ AWSCURRENT: 'new-value', AWSPREVIOUS: 'old-value' });
    const check = checkWith(extension, { now: 0 });
    assert.equal(await refusal(check.verify(header('new-value'))), null);
    assert.equal(await refusal(check.verify(header('old-value'))), null);
    assert.equal(await refusal(check.verify(header('other'))), '403 ORIGIN_NOT_ALLOWED');
    assert.equal(await refusal(check.verify({})), '403 ORIGIN_NOT_ALLOWED');
    assert.equal(await refusal(check.verify(undefined)), '403 ORIGIN_NOT_ALLOWED');
    assert.deepEqual(extension.calls.map(({ url }) => url.searchParams.get('versionStage')).sort(), ['AWSCURRENT', 'AWSPREVIOUS']);
    for (const { url, token } of extension.calls) {
      assert.equal(`${url.origin}${url.pathname}`, 'http://localhost:2773/secretsmanager/get');
      assert.equal(url.searchParams.get('secretId'), secretArn);
      assert.equal(token, 'session-token');
    }
  });

  it('keeps the values for the cache time, then reads them again: a rotated value is accepted once read', async () => {
    const extension = fakeExtension({ AWSCURRENT: 'v1', AWSPREVIOUS: 400 });
    const clock = { now: 0 };
    const check = checkWith(extension, clock);
    assert.equal(await refusal(check.verify(header('v1'))), null, 'no previous version before the first rotation');
    clock.now = 299_000;
    Object.assign(extension.versions, { AWSCURRENT: 'v2', AWSPREVIOUS: 'v1' });
    assert.equal(await refusal(check.verify(header('v2'))), '403 ORIGIN_NOT_ALLOWED', 'within the cache time');
    assert.equal(extension.calls.length, 2);
    clock.now = 300_000;
    assert.equal(await refusal(check.verify(header('v2'))), null);
    assert.equal(await refusal(check.verify(header('v1'))), null, 'the old value still passes while CloudFront changes over');
    assert.equal(extension.calls.length, 4);
  });

  it('answers 503 while the secret was never read, and keeps the values it has when a later read fails', async () => {
    const failing = fakeExtension({ AWSCURRENT: 500, AWSPREVIOUS: 500 });
    assert.equal(await refusal(checkWith(failing, { now: 0 }).verify(header('v1'))), '503 ORIGIN_CHECK_UNAVAILABLE');

    const extension = fakeExtension({ AWSCURRENT: 'v1', AWSPREVIOUS: 400 });
    const clock = { now: 0 };
    const check = checkWith(extension, clock);
    assert.equal(await refusal(check.verify(header('v1'))), null);
    extension.versions.AWSCURRENT = 503;
    clock.now = 301_000;
    assert.equal(await refusal(check.verify(header('v1'))), null, 'the last values read');
    assert.equal(await refusal(check.verify(header('v2'))), '403 ORIGIN_NOT_ALLOWED');
    const calls = extension.calls.length;
    clock.now = 305_000;
    await check.verify(header('v1'));
    assert.equal(extension.calls.length, calls, 'no new read within 10 s of a failed one');
  });
});

describe('the origin check, locally', () => {
  it('takes ORIGIN_SECRET\'s comma-separated values, and checks nothing without it', async () => {
    const env: NodeJS.ProcessEnv = {};
    const check = createOriginCheck({ env, now: Date.now, fetch: globalThis.fetch });
    assert.equal(await refusal(check.verify({})), null);
    env.ORIGIN_SECRET = 'a, b';
    assert.equal(await refusal(check.verify(header('b'))), null);
    assert.equal(await refusal(check.verify(header('a, b'))), '403 ORIGIN_NOT_ALLOWED');
  });
});

describe('the handler wrapper', () => {
  const event = (headers: Record<string, string>) => ({
    version: '2.0', routeKey: 'POST /market', rawPath: '/market', rawQueryString: '', headers, isBase64Encoded: false, body: '{',
    requestContext: { http: { method: 'POST', path: '/market' }, requestId: 'r', routeKey: 'POST /market' },
  } as unknown as APIGatewayProxyEventV2);
  const context = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

  it('refuses a request without the origin header before the handler runs', async () => {
    let runs = 0;
    const handler = publicHandler('market/list-listings', async () => { runs += 1; return { items: [] }; });
    process.env.ORIGIN_SECRET = 'the-secret';
    try {
      const refused = await handler(event({}), context);
      assert.equal(refused.statusCode, 403);
      assert.equal(JSON.parse(refused.body).error.code, 'ORIGIN_NOT_ALLOWED');
      assert.equal(runs, 0);
      assert.equal((await handler(event(header('the-secret')), context)).statusCode, 200);
      assert.equal(runs, 1);
    } finally {
      delete process.env.ORIGIN_SECRET;
    }
  });
});

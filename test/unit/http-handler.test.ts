import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { publicHandler } from '../../functions/http/http-handler.js';

const event = {
  version: '2.0', routeKey: 'POST /market', rawPath: '/market', rawQueryString: '', headers: {}, isBase64Encoded: false,
  requestContext: { http: { method: 'POST', path: '/market' }, requestId: 'r', routeKey: 'POST /market' },
} as unknown as APIGatewayProxyEventV2;

const contextWith = (remainingMs: number) => ({
  awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => remainingMs,
} as unknown as Context);

describe('the handler wrapper', () => {
  it('answers 503 TIMEOUT in the error shape when the invocation runs out of time', async () => {
    const handler = publicHandler('market/list-listings', () => new Promise(() => undefined));
    const answer = await handler(event, contextWith(60));
    assert.equal(answer.statusCode, 503);
    assert.equal(JSON.parse(answer.body).error.code, 'TIMEOUT');
  });

  it('refuses to wrap a handler the route table does not know, or with the wrong auth', () => {
    assert.throws(() => publicHandler('market/no-such-handler', async () => ({})), /No route/);
    assert.throws(() => publicHandler('accounts/get-account', async () => ({})), /route table says otherwise/);
  });
});

describe('log lines of a request', () => {
  it('carry the API Gateway request id as correlation_id', async () => {
    const { logger } = await import('../../functions/observability/logger.js');
    const { captureStdout } = await import('../support/captured-output.js');
    const level = logger.getLevelName();
    logger.setLogLevel('INFO');
    const output = captureStdout();
    try {
      const handler = publicHandler('market/list-listings', async () => { logger.info('inside the handler'); return {}; });
      await handler({ ...event, requestContext: { ...event.requestContext, requestId: 'req-42' } }, contextWith(5_000));
      const line = output.json().find((entry) => entry.message === 'inside the handler');
      assert.equal(line?.correlation_id, 'req-42');
    } finally {
      output.stop();
      logger.setLogLevel(level);
    }
  });
});

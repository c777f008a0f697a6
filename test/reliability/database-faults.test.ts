// A hung, throttling or failing DynamoDB (through a fault-injecting proxy in front of DynamoDB Local):
// every route that reaches the database fails fast with 503 and a clear code, never 500, writes nothing,
// and serves again as soon as DynamoDB does. Uses the Lambda defaults of functions/data/client.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routes, type Route } from '../../functions/routes.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';
import { startFaultProxy, type FaultMode, type FaultProxy } from './fault-proxy.js';
import { describeDiff, sampleRequests, snapshotDiff, settledSnapshot, type SampleRequest } from './support.js';

Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT', // every 503 below logs an error
  DYNAMODB_MAX_ATTEMPTS: '3', DYNAMODB_CONNECT_TIMEOUT_MS: '1000', DYNAMODB_REQUEST_TIMEOUT_MS: '2000', DYNAMODB_CALL_TIMEOUT_MS: '4000',
});

let proxy: FaultProxy;
let market: TestMarketplace;
let samples: Record<string, SampleRequest>;
let sampleUser: string;

before(async () => {
  const upstream = process.env.TEST_DYNAMODB_ENDPOINT;
  let own: { stop(): Promise<void>; endpoint: string } | undefined;
  if (!upstream) {
    const { startDynamoDbLocal } = await import('../../local/dynamodb-local.js');
    own = await startDynamoDbLocal({ port: 19_000 + Math.floor(Math.random() * 900) });
  }
  proxy = await startFaultProxy(upstream ?? own!.endpoint);
  market = await startTestMarketplace({
    dynamoDbEndpoint: proxy.endpoint, seed: { collections: 4, nfts: 80, listings: 25, auctions: 12, presales: 6, users: 8 },
  });
  const stop = market.stop;
  market.stop = async () => { await stop(); await own?.stop(); };
  // The test reads the table directly, not through the proxy.
  const items = (await settledSnapshot(market)).map((t) => JSON.parse(t));
  ({ requests: samples, user: sampleUser } = sampleRequests(items, { webhookSecret: market.runtime.payments.webhookSecret }));
});
after(async () => {
  await market?.stop();
  await proxy?.close();
});

async function send(route: Route): Promise<{ answer: ApiAnswer | null; ms: number; error?: string }> {
  const sample = samples[route.id]!;
  const token = sample.as ? await market.token(sampleUser, sample.as === 'creator' ? ['creators'] : undefined) : undefined;
  const start = performance.now();
  try {
    const answer = await market.call(sample.method, sample.path, { token, headers: sample.headers, ...(sample.body === undefined ? {} : { body: sample.body }) });
    return { answer, ms: performance.now() - start };
  } catch (error) {
    return { answer: null, ms: performance.now() - start, error: String((error as Error).cause ?? error) };
  }
}

async function recovered(): Promise<number> {
  const start = performance.now();
  const token = await market.token(sampleUser);
  while ((await market.call('GET', '/accounts', { token })).status !== 200) {
    assert.ok(performance.now() - start < 15_000, 'served again within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - start;
}

describe('DynamoDB faults', () => {
  it('has a sample request for every route in the table', () => {
    assert.deepEqual(routes.filter((r) => !samples[r.id]).map((r) => r.id), [], 'add a sample request for these routes in support.ts');
  });

  it('every route works through the proxy while DynamoDB is healthy', async () => {
    for (const route of routes) {
      const { answer, error } = await send(route);
      assert.ok(answer && answer.status < 500, `${route.id}: ${answer?.status ?? error} ${JSON.stringify(answer?.body)}`);
    }
  });

  const cases: Array<[FaultMode, string, string[]]> = [
    ['hang', 'accepts and never answers', ['DATABASE_UNAVAILABLE']],
    ['throttle', 'throttles every request', ['DATABASE_BUSY']],
    ['error500', 'answers 500 InternalServerError', ['DATABASE_UNAVAILABLE']],
    ['reset', 'drops every connection', ['DATABASE_UNAVAILABLE']],
  ];
  for (const [mode, description, codes] of cases) {
    it(`when DynamoDB ${description}: every route answers 503 ${codes.join('/')} fast, writes nothing, and recovers`, async () => {
      const tested = routes;
      const before = await settledSnapshot(market);
      proxy.mode = mode;
      const results = await Promise.all(tested.map(async (route) => [route, await send(route)] as const));
      proxy.mode = 'pass';
      const recoveryMs = await recovered();
      const times = results.map(([, r]) => r.ms).sort((a, b) => a - b);
      console.log(`faults (${mode}): ${results.length} routes, time to fail median ${times[times.length >> 1]!.toFixed(0)} ms, ` +
        `max ${times.at(-1)!.toFixed(0)} ms; served again ${recoveryMs.toFixed(0)} ms after DynamoDB was back`);
      // Fast: the handler's own 4 s call budget answered (the codes above), not the 10 s Lambda timeout (503
      // TIMEOUT). How long that took on this machine is logged, not asserted.
      for (const [route, { answer, error }] of results) {
        assert.equal(error, undefined, `${route.id}: connection error ${error}`);
        assert.equal(answer!.status, 503, `${route.id}: ${answer!.status} ${JSON.stringify(answer!.body)}`);
        assert.ok(codes.includes(answer!.body.error.code), `${route.id}: ${answer!.body.error.code}`);
        assert.match(answer!.headers.get('retry-after') ?? '', /^\d+$/, `${route.id}: Retry-After`);
      }
      const diff = snapshotDiff(before, await settledSnapshot(market));
      assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
    });
  }
});

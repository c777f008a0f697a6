// Overload: the gateway enforces per-class token buckets like API Gateway. Past the limit every answer is
// a 2xx or a 429 with Retry-After, nothing is queued or dropped, and the 2xx rate holds near the limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ThrottleClass } from '../../functions/routes.js';
import type { Throttle } from '../../lib/stage-config.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { gatewayAnswers } from './support.js';

const limits: Record<ThrottleClass, Throttle> = {
  'public-read': { rateLimit: 40, burstLimit: 10 },
  'user-read': { rateLimit: 1, burstLimit: 10 },
  'user-write': { rateLimit: 1, burstLimit: 2 },
  'user-bulk': { rateLimit: 1, burstLimit: 2 },
};

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ throttleClasses: limits }); });
after(async () => { await market?.stop(); });

interface Tally { ok: number; throttled: number; other: Record<string, number>; connectionErrors: string[]; badThrottleAnswers: string[]; retryAfter: Set<string> }

function tally(): Tally {
  return { ok: 0, throttled: 0, other: {}, connectionErrors: [], badThrottleAnswers: [], retryAfter: new Set() };
}

async function hit(counts: Tally, path: string, token?: string): Promise<void> {
  try {
    const answer = await market.call('GET', path, { token });
    if (answer.status >= 200 && answer.status < 300) counts.ok++;
    else if (answer.status === 429) {
      counts.throttled++;
      const retryAfter = answer.headers.get('retry-after') ?? '';
      counts.retryAfter.add(retryAfter);
      if (!/^[1-9]\d*$/.test(retryAfter) || JSON.stringify(answer.body) !== JSON.stringify(gatewayAnswers[429])) {
        counts.badThrottleAnswers.push(`${retryAfter} ${JSON.stringify(answer.body)}`);
      }
    } else counts.other[answer.status] = (counts.other[answer.status] ?? 0) + 1;
  } catch (error) {
    counts.connectionErrors.push(String((error as Error).cause ?? error));
  }
}

describe('a route driven past its throttle', () => {
  it('answers only 2xx or 429 (with Retry-After), and serves close to the configured rate', async () => {
    const { rateLimit, burstLimit } = limits['public-read'];
    const clients = 6;
    const windowMs = 5000;
    const counts = tally();
    const start = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() - start < windowMs) {
        await hit(counts, '/market/collections?limit=5');
        await new Promise((resolve) => setTimeout(resolve, 4));
      }
    }));
    const seconds = (performance.now() - start) / 1000;
    const total = counts.ok + counts.throttled + Object.values(counts.other).reduce((s, n) => s + n, 0) + counts.connectionErrors.length;
    const measuredRate = (counts.ok - burstLimit) / seconds;
    console.log(`overload: configured ${rateLimit}/s burst ${burstLimit}; ${total} requests in ${seconds.toFixed(2)} s ` +
      `(${(total / seconds).toFixed(0)}/s offered): ${counts.ok} 2xx, ${counts.throttled} 429, ` +
      `measured 2xx rate after the burst ${measuredRate.toFixed(1)}/s; Retry-After ${[...counts.retryAfter].join(',')}`);
    assert.deepEqual(counts.connectionErrors, [], 'no connection errors');
    assert.deepEqual(counts.other, {}, 'nothing but 2xx and 429');
    assert.deepEqual(counts.badThrottleAnswers, [], '429s carry Retry-After and {"message":"Too Many Requests"}');
    assert.ok(total / seconds > rateLimit * 3, `the load (${(total / seconds).toFixed(0)}/s) really exceeded the limit`);
    assert.ok(counts.throttled > counts.ok, 'most of the excess was refused');
    assert.ok(measuredRate > rateLimit * 0.7 && measuredRate < rateLimit * 1.3,
      `2xx rate ${measuredRate.toFixed(1)}/s should be within ±30% of ${rateLimit}/s`);
  });

  it('lets a burst of the bucket size through at once, then refuses the rest instantly', async () => {
    const { burstLimit } = limits['user-read'];
    const token = await market.token('user-1');
    const counts = tally();
    await Promise.all(Array.from({ length: 40 }, () => hit(counts, '/accounts', token)));
    console.log(`overload: burst of 40 concurrent on a ${burstLimit}-token bucket at 1/s: ${counts.ok} 2xx, ${counts.throttled} 429`);
    assert.deepEqual(counts.connectionErrors, []);
    assert.deepEqual(counts.other, {});
    assert.ok(counts.ok >= burstLimit && counts.ok <= burstLimit + 3, `${counts.ok} allowed`);
    assert.equal(counts.ok + counts.throttled, 40);
  });

  it('keeps throttle classes apart, and serves again after Retry-After', async () => {
    const token = await market.token('user-2');
    // user-read is now empty after the burst above; public reads have their own bucket.
    const drained = tally();
    for (let i = 0; i < 3; i++) await hit(drained, '/offers/my', token);
    assert.ok(drained.throttled >= 1, 'the user-read bucket is empty');
    const retryAfter = Number([...drained.retryAfter][0]);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const publicRead = await market.call('GET', '/market/collections');
    assert.equal(publicRead.status, 200, 'another class is not throttled');
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    assert.equal((await market.call('GET', '/offers/my', { token })).status, 200, 'served again once Retry-After has passed');
  });
});

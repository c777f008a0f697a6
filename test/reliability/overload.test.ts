// Overload: the gateway enforces per-class token buckets like API Gateway. Past the limit every answer is
// a 2xx or a 429 with Retry-After, nothing is queued or dropped, and the 2xx rate is the limit. The buckets run
// on a clock the test moves (the runtime's throttleClock), so the counts are exact however slow the machine.
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

/** The throttles' clock: it moves only when a test moves it, so every count below is exact on any machine. */
let throttleMs = 0;
/** A minute later: every bucket full again, whatever the tests before took from it. */
const refillAll = () => { throttleMs += 60_000; };

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ throttleClasses: limits, throttleClock: () => throttleMs }); });
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
  it('answers only 2xx or 429 (with Retry-After), and serves exactly the configured rate', async () => {
    const { rateLimit, burstLimit } = limits['public-read'];
    refillAll();
    const counts = tally();
    // The burst, all at one instant: the bucket's tokens and not one more.
    await Promise.all(Array.from({ length: 3 * burstLimit }, () => hit(counts, '/market/collections?limit=5')));
    assert.deepEqual([counts.ok, counts.throttled], [burstLimit, 2 * burstLimit], 'the burst, then 429');
    // Then 10 requests every 100 ms for a second: rateLimit / 10 served each time, the rest refused.
    for (let tick = 0; tick < 10; tick++) {
      throttleMs += 100;
      await Promise.all(Array.from({ length: 10 }, () => hit(counts, '/market/collections?limit=5')));
    }
    console.log(`overload: configured ${rateLimit}/s burst ${burstLimit}: ${counts.ok} 2xx, ${counts.throttled} 429 over one throttle second`);
    assert.deepEqual(counts.connectionErrors, [], 'no connection errors');
    assert.deepEqual(counts.other, {}, 'nothing but 2xx and 429');
    assert.deepEqual(counts.badThrottleAnswers, [], '429s carry Retry-After and {"message":"Too Many Requests"}');
    assert.deepEqual([counts.ok, counts.throttled], [burstLimit + rateLimit, 2 * burstLimit + 100 - rateLimit], `${rateLimit} a second after the burst`);
  });

  it('lets a burst of the bucket size through at once, then refuses the rest instantly', async () => {
    const { burstLimit } = limits['user-read'];
    refillAll();
    const token = await market.token('user-1');
    const counts = tally();
    await Promise.all(Array.from({ length: 40 }, () => hit(counts, '/accounts', token)));
    console.log(`overload: burst of 40 concurrent on a ${burstLimit}-token bucket at 1/s: ${counts.ok} 2xx, ${counts.throttled} 429`);
    assert.deepEqual(counts.connectionErrors, []);
    assert.deepEqual(counts.other, {});
    assert.deepEqual([counts.ok, counts.throttled], [burstLimit, 40 - burstLimit]);
  });

  it('keeps throttle classes apart, and serves again after Retry-After', async () => {
    const { burstLimit } = limits['user-read'];
    refillAll();
    const token = await market.token('user-2');
    const drained = tally();
    for (let i = 0; i <= burstLimit; i++) await hit(drained, '/offers/my', token);
    assert.deepEqual([drained.ok, drained.throttled], [burstLimit, 1], 'the user-read bucket is empty');
    // 1 a second: one token is a second away.
    assert.deepEqual([...drained.retryAfter], ['1']);
    assert.equal((await market.call('GET', '/market/collections')).status, 200, 'another class is not throttled');
    throttleMs += 999;
    assert.equal((await market.call('GET', '/offers/my', { token })).status, 429, 'not before Retry-After');
    throttleMs += 1;
    assert.equal((await market.call('GET', '/offers/my', { token })).status, 200, 'served again once Retry-After has passed');
  });
});

import '../support/metrics-on.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricNames, metricsNamespace } from '../../functions/observability/metric-names.js';
import { captureStdout } from '../support/captured-output.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { tradingFixtures } from '../support/trading-fixtures.js';


let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace();
  fx = tradingFixtures(market);
});
after(async () => { await market.stop(); });

/** Embedded-metric log lines: each names its metrics under `_aws.CloudWatchMetrics`. */
function emf(lines: Array<Record<string, any>>): Array<Record<string, any>> {
  return lines.filter((line) => line._aws?.CloudWatchMetrics?.[0]?.Namespace === metricsNamespace);
}
const sum = (lines: Array<Record<string, any>>, name: string, where: (line: Record<string, any>) => boolean = () => true) =>
  emf(lines).filter(where).reduce((total, line) => total + (Array.isArray(line[name]) ? line[name].reduce((a: number, b: number) => a + b, 0) : (line[name] ?? 0)), 0);

describe('business and health metrics', () => {
  it('count each mint and sale once with its volume, and each 409 by its code', async () => {
    const { presaleId } = await fx.freshCollection();
    await market.settle();
    const output = captureStdout();
    try {
      const nftId = await fx.mint(presaleId, 'metrics-seller');
      const listing = fx.expectStatus(await fx.call('metrics-seller', 'POST', '/market/listings', { nftId, price: 4_321 }), 201);
      await fx.topUp('metrics-buyer', 4_321);
      fx.expectStatus(await fx.call('metrics-buyer', 'POST', `/market/listings/${listing.listingId}/buy`), 200);
      fx.expectStatus(await market.call('GET', '/market/collections?limit=1'), 200); // the read cache: a miss
      fx.expectStatus(await market.call('GET', '/market/collections?limit=1'), 200); // a hit, or a miss if its entry expired
      const again = await fx.call('metrics-buyer', 'POST', `/market/listings/${listing.listingId}/buy`);
      assert.equal(again.status, 409);
      await market.settle();
      const lines = output.json();
      assert.equal(sum(lines, metricNames.mints), 1);
      assert.equal(sum(lines, metricNames.sales), 1);
      assert.equal(sum(lines, metricNames.salesVolume), 4_321);
      assert.equal(sum(lines, metricNames.conflicts, (line) => line.code === again.body.error.code), 1);
      assert.ok(emf(lines).some((line) => typeof line[metricNames.streamLag] === 'number'), 'the aggregator reports its lag');
      const withoutService = emf(lines).filter((line) =>
        typeof line.service !== 'string' || !line._aws.CloudWatchMetrics[0].Dimensions.some((set: string[]) => set.includes('service')));
      assert.deepEqual(withoutService, [], 'every metric has the service dimension');
      assert.ok(!output.lines().some((line) => line.includes('No application metrics')), 'invocations that add no metric log nothing about it');
      assert.equal(sum(lines, metricNames.readCacheHits) + sum(lines, metricNames.readCacheMisses), 2, 'each cached read is a hit or a miss');
      assert.ok(sum(lines, metricNames.readCacheMisses) >= 1);
    } finally {
      output.stop();
    }
  });
});

// The local runtime runs the stream consumers of functions/stream-consumers.ts by default, from the end of the
// seed (the seed writes its own aggregates), and STREAMS=off (streams: false) leaves them out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT'; // the consumer may still be a placeholder that fails every record

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market?.stop(); });

describe('stream consumers in the local runtime', () => {
  it('feeds the consumers what the API writes, not what the seed wrote', async () => {
    const streams = market.runtime.streams;
    assert.ok(streams, 'on by default');
    assert.equal(market.runtime.conflicts, null, 'the conflict proxy is off by default');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(streams.stats().recordsDelivered, 0, 'the seed\'s records are not delivered');

    const [listing] = (await market.call('GET', '/market?limit=1')).body.items;
    const token = await market.token(listing.seller);
    assert.equal((await market.call('DELETE', `/market/listings/${listing.listingId}`, { token })).status, 200);
    const relisted = await market.call('POST', '/market/listings', { token, body: { nftId: listing.nftId, price: 5_000 } });
    assert.equal(relisted.status, 201, JSON.stringify(relisted.body));
    const deadline = Date.now() + 10_000;
    while (streams.stats().recordsDelivered < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const stats = streams.stats();
    assert.equal(stats.recordsDelivered, 2, 'the cancellation\'s and the listing\'s activity');
    assert.ok(stats.recordsFiltered > 0, 'the listing items themselves are filtered out');
    assert.equal(typeof streams.lag(), 'number');
  });

  it('leaves the consumers out when asked', async () => {
    const quiet = await startTestMarketplace({ streams: false, seed: null });
    try {
      assert.equal(quiet.runtime.streams, null);
      await quiet.settle();
    } finally {
      await quiet.stop();
    }
  });
});

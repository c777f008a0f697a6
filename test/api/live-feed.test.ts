// The live feed end to end (docs/live-feed.md): trades through the API, the stream poller's publishFeed consumer,
// the local AppSync Events WebSocket, and the client loop's catch-up after a reconnect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalIssuer } from '../../local/jwt-issuer.js';
import { connectFeed, fetchSince, followChannel, SubscribeError, type FeedEndpoints, type FeedEvent } from '../../local/feed-client.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
let endpoints: FeedEndpoints;
before(async () => {
  // Duplicated stream batches: a replayed record must not give an event a second seq or a second delivery.
  market = await startTestMarketplace({ seed: null, streams: { batchingWindowMs: 50, duplicates: 0.3 }, feed: true });
  fx = tradingFixtures(market);
  endpoints = { realtimeUrl: `${market.url.replace('http', 'ws')}/event/realtime`, apiUrl: market.url };
});
after(async () => { await market.stop(); });

async function waitFor(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const tradeTypes = (events: FeedEvent[]) => events.filter((e) => e.type !== 'collection.updated').map((e) => e.type);

async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
  } catch (error) {
    return error instanceof SubscribeError ? error.errorType : (error as Error).message;
  }
  return 'accepted';
}

describe('live feed', () => {
  it('a subscriber gets each trade once, in order, as the log has it; the seller gets their sale privately', async () => {
    const { collectionId, presaleId } = await fx.freshCollection();
    const channel = `/market/collections/${collectionId}`;
    const watcher = await fx.as('watcher-1');
    const seller = 'seller-1';
    const received: FeedEvent[] = [];
    const mine: FeedEvent[] = [];
    const follower = followChannel({ endpoints, channel, token: watcher, onEvent: (e) => received.push(e) });
    const own = followChannel({ endpoints, channel: `/users/${seller}`, token: await fx.as(seller), onEvent: (e) => mine.push(e) });
    try {
      await Promise.all([follower.ready(), own.ready()]);
      await tradeAndCheck();
    } finally {
      follower.stop();
      own.stop();
    }

    async function tradeAndCheck() {
      const nftId = await fx.mint(presaleId, seller);
      const listing = fx.expectStatus(await fx.call(seller, 'POST', '/market/listings', { nftId, price: 500 }), 201);
      // The listing's stats land before the sale: in one aggregator batch the two would cancel out (floor and
      // listed count back where they were), and no collection.updated would name them.
      await market.settle();
      await fx.topUp('buyer-1', 1000);
      fx.expectStatus(await fx.call('buyer-1', 'POST', `/market/listings/${listing.listingId}/buy`), 200);
      await market.settle();
      await waitFor('the sale', () => received.some((e) => e.type === 'sale') && mine.some((e) => e.type === 'sale.sold'));
      await sleep(300);

      assert.deepEqual(tradeTypes(received), ['mint', 'listing.created', 'sale']);
      const sale = received.find((e) => e.type === 'sale')!;
      assert.equal(sale.listingId, listing.listingId);
      assert.equal(sale.nftId, nftId);
      assert.equal(sale.price, 500);
      const changed = new Set(received.filter((e) => e.type === 'collection.updated').flatMap((e) => e.changed as string[]));
      for (const figure of ['floorPrice', 'listedCount', 'volume']) assert.ok(changed.has(figure), `collection.updated names ${figure}`);
      assert.deepEqual(received.map((e) => e.seq), received.map((_, i) => i + 1), 'seqs 1, 2, 3, … with no gap and no duplicate');
      const log = await fetchSince(market.url, channel, 0, watcher);
      assert.deepEqual(received, log, 'live delivery is exactly the log');
      assert.deepEqual(mine.map((e) => [e.type, e.listingId]), [['sale.sold', listing.listingId]]);
    }
  });

  it('a client that reconnects with since= gets what it missed, then live events, with no duplicate', async () => {
    const { collectionId, presaleId } = await fx.freshCollection();
    const channel = `/market/collections/${collectionId}`;
    const token = await fx.as('watcher-2');
    const first: FeedEvent[] = [];
    const before = followChannel({ endpoints, channel, token, onEvent: (e) => first.push(e) });
    await before.ready();
    const nftId = await fx.mint(presaleId, 'seller-2');
    await market.settle();
    await waitFor('the mint', () => first.some((e) => e.type === 'mint'));
    before.stop();
    const since = before.last();

    // Away: a listing made and cancelled.
    const listing = fx.expectStatus(await fx.call('seller-2', 'POST', '/market/listings', { nftId, price: 700 }), 201);
    fx.expectStatus(await fx.call('seller-2', 'DELETE', `/market/listings/${listing.listingId}`), 200);
    await market.settle();

    const second: FeedEvent[] = [];
    const again = followChannel({ endpoints, channel, token, since, onEvent: (e) => second.push(e) });
    await again.ready();
    const relisting = fx.expectStatus(await fx.call('seller-2', 'POST', '/market/listings', { nftId, price: 800 }), 201);
    await market.settle();
    await waitFor('the new listing', () => second.some((e) => e.listingId === relisting.listingId));
    await sleep(300);
    again.stop();

    const all = [...first, ...second];
    assert.deepEqual(tradeTypes(second), ['listing.created', 'listing.cancelled', 'listing.created'], 'the missed ones, then live');
    assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => i + 1), 'no gap and no duplicate across the reconnect');
    assert.deepEqual(all, await fetchSince(market.url, channel, 0, token));
  });

  it('forced disconnects while trading lose nothing and duplicate nothing', async () => {
    const { collectionId, presaleId } = await fx.freshCollection('creator-1', 20);
    const channel = `/market/collections/${collectionId}`;
    const received: FeedEvent[] = [];
    const follower = followChannel({ endpoints, channel, token: await fx.as('watcher-3'), onEvent: (e) => received.push(e), reconnectDelayMs: 20 });
    await follower.ready();
    for (let i = 0; i < 6; i++) {
      await fx.mint(presaleId, `minter-${i}`);
      if (i % 2 === 0) await market.runtime.feed!.disconnectAll();
    }
    await market.settle();
    const log = await fetchSince(market.url, channel, 0, await fx.as('watcher-3'));
    await waitFor('every logged event', () => follower.last() >= log.length);
    follower.stop();
    assert.equal(tradeTypes(log).filter((t) => t === 'mint').length, 6);
    assert.deepEqual(received, log);
  });

  it("a private channel is refused for another user's, a forged or an expired token", async () => {
    const mallory = await fx.as('mallory');
    const connection = await connectFeed(endpoints.realtimeUrl, mallory);
    assert.equal(await refusal(() => connection.subscribe('/users/seller-1', () => undefined)), 'Unauthorized', "the users namespace's onSubscribe handler");
    assert.equal(await refusal(() => connection.subscribe('/users/mallory', () => undefined)), 'accepted', 'her own channel');
    connection.close();

    const forger = await createLocalIssuer(market.runtime.issuer.issuer, market.runtime.issuer.audience);
    const forged = await forger.sign({ sub: 'seller-1' });
    const expired = await market.runtime.issuer.sign({ sub: 'seller-1', expiresInSeconds: -60 });
    for (const token of [forged, expired, 'not-a-token']) {
      assert.equal(await refusal(() => connectFeed(endpoints.realtimeUrl, token)), 'UnauthorizedException');
    }
    // (A subscribe that brings a bad token on a valid connection: test/local/feed-protocol.test.ts.)

    const catchUp = (token?: string) => market.call('GET', `/feed?channel=${encodeURIComponent('/users/seller-1')}&since=0`, token ? { token } : {});
    assert.equal((await catchUp()).status, 401);
    for (const token of [forged, expired]) assert.equal((await catchUp(token)).status, 401);
    const other = await catchUp(mallory);
    assert.equal(other.status, 403);
    assert.equal(other.body.error.code, 'NOT_YOUR_CHANNEL');
    const answer = await catchUp(await fx.as('seller-1'));
    assert.equal(answer.status, 200);
    assert.ok(answer.body.events.length > 0 && answer.body.events.every((e: FeedEvent) => e.channel === '/users/seller-1'));
  });

  it('only a signed publisher may publish', async () => {
    const response = await fetch(`${market.url}/event`, {
      method: 'POST', headers: { authorization: `Bearer ${await fx.as('mallory')}` },
      body: JSON.stringify({ channel: '/market/all', events: ['{}'] }),
    });
    assert.equal(response.status, 401);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as responses from '../../functions/schemas/responses.js';
import { testSeedSize } from '../../local/seed.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace(); });
after(async () => { await market.stop(); });

const statuses = ['live', 'upcoming', 'ended'] as const;
/** GET and POST twins are separate Lambda functions: each answer says when it was read. */
const withoutAsOf = ({ asOf: _asOf, ...rest }: Record<string, unknown>) => rest;

async function everyPage(path: string, body: Record<string, unknown>, idOf: (item: any) => string) {
  return (await collectAllPages<any>((cursor) => market.call('POST', path, { body: { ...body, cursor } }), idOf)).items;
}

describe('POST /auctions/', () => {
  it('returns live auctions by default, ending soonest first', async () => {
    const answer = await market.call('POST', '/auctions/', { body: {} });
    assert.equal(answer.status, 200);
    responses.page(responses.auction).parse(answer.body);
    assert.ok(answer.body.items.length > 0);
    // Live when read: a cached answer may be up to the cache's time to live old (README, "How fresh reads are").
    const { asOf } = answer.body;
    for (const auction of answer.body.items) {
      assert.equal(auction.status, 'live');
      assert.ok(auction.startsAt <= asOf && auction.endsAt > asOf);
    }
    const ends = answer.body.items.map((a: { endsAt: string }) => a.endsAt);
    assert.deepEqual(ends, [...ends].sort());
  });

  it('splits every auction into exactly one status, across pages', async () => {
    const seen = new Map<string, string>();
    for (const status of statuses) {
      const items = await everyPage('/auctions/', { status, limit: 4 }, (a) => a.auctionId);
      for (const auction of items) {
        assert.equal(auction.status, status);
        assert.equal(seen.has(auction.auctionId), false, `${auction.auctionId} in two statuses`);
        seen.set(auction.auctionId, status);
      }
      const order = items.map((a) => (status === 'upcoming' ? a.startsAt : a.endsAt));
      const sorted = [...order].sort();
      assert.deepEqual(order, status === 'ended' ? sorted.reverse() : sorted, status);
    }
    assert.equal(seen.size, testSeedSize.auctions);
  });

  it('filters by collection', async () => {
    const items = await everyPage('/auctions/', { status: 'live', collectionId: 'col-2', limit: 100 }, (a) => a.auctionId);
    const all = await everyPage('/auctions/', { status: 'live', limit: 100 }, (a) => a.auctionId);
    assert.deepEqual(
      items.map((a) => a.auctionId).sort(),
      all.filter((a) => a.collectionId === 'col-2').map((a) => a.auctionId).sort(),
    );
  });

  it('has a cacheable GET twin and rejects bad filters', async () => {
    const post = await market.call('POST', '/auctions/', { body: { status: 'upcoming', limit: 3 } });
    const get = await market.call('GET', '/auctions?status=upcoming&limit=3');
    assert.deepEqual(withoutAsOf(get.body), withoutAsOf(post.body));
    assert.match(get.headers.get('cache-control') ?? '', /^public, max-age=/);
    assert.equal((await market.call('POST', '/auctions/', { body: { status: 'finished' } })).status, 400);
  });
});

describe('POST /presale/', () => {
  it('returns presales in each status with supply and limits', async () => {
    let total = 0;
    for (const status of statuses) {
      const items = await everyPage('/presale/', { status, limit: 2 }, (p) => p.presaleId);
      items.forEach((p) => {
        responses.presale.parse(p);
        assert.equal(p.status, status);
        assert.ok(p.sold <= p.supply);
      });
      total += items.length;
    }
    assert.equal(total, testSeedSize.presales);
  });

  it('defaults to live and has a GET twin', async () => {
    const post = await market.call('POST', '/presale/', { body: {} });
    assert.equal(post.status, 200);
    assert.ok(post.body.items.length > 0, 'the seed has live presales');
    assert.ok(post.body.items.every((p: { status: string }) => p.status === 'live'));
    const get = await market.call('GET', '/presale');
    assert.deepEqual(withoutAsOf(get.body), withoutAsOf(post.body));
  });
});

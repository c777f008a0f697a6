// The activity feeds' `types` filter (GET /market/activity, by NFT, by collection, the whole market) and the
// caller's own feed (GET /users/me/activity), over real trades on an empty marketplace, so every feed's
// expected content is known exactly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { indexPartitions } from '../../functions/data/keys.js';
import * as responses from '../../functions/schemas/responses.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

interface ActivityBody { activityId: string; type: string; kind: string; nftId: string | null; collectionId: string; actor: string; role?: string }

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
let main: string;
let other: string;
const nft: Record<'sold' | 'withdrawn' | 'auctioned' | 'elsewhere', string> = { sold: '', withdrawn: '', auctioned: '', elsewhere: '' };

before(async () => {
  market = await startTestMarketplace({ seed: null });
  fx = tradingFixtures(market);
  const first = await fx.freshCollection('af-creator');
  const second = await fx.freshCollection('af-creator');
  main = first.collectionId;
  other = second.collectionId;
  nft.sold = await fx.mint(first.presaleId, 'af-seller');
  nft.withdrawn = await fx.mint(first.presaleId, 'af-seller');
  nft.auctioned = await fx.mint(first.presaleId, 'af-seller');
  nft.elsewhere = await fx.mint(second.presaleId, 'af-other');

  const sold = fx.expectStatus(await fx.call('af-seller', 'POST', '/market/listings', { nftId: nft.sold, price: 300 }), 201);
  await fx.topUp('af-buyer', 1_000);
  fx.expectStatus(await fx.call('af-buyer', 'POST', `/market/listings/${sold.listingId}/buy`), 200);
  const withdrawn = fx.expectStatus(await fx.call('af-seller', 'POST', '/market/listings', { nftId: nft.withdrawn, price: 400 }), 201);
  fx.expectStatus(await fx.call('af-seller', 'DELETE', `/market/listings/${withdrawn.listingId}`), 200);
  await fx.topUp('af-bidder', 1_000);
  const offer = fx.expectStatus(await fx.call('af-bidder', 'POST', '/offers', { nftId: nft.auctioned, amount: 50, expiresAt: inFuture(3_600_000) }), 201);
  fx.expectStatus(await fx.call('af-bidder', 'DELETE', `/offers/${offer.offerId}`), 200);
  const auction = fx.expectStatus(await fx.call('af-seller', 'POST', '/auctions/create', { nftId: nft.auctioned, reservePrice: 100, endsAt: inFuture(3_600_000) }), 201);
  fx.expectStatus(await fx.call('af-bidder', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 150 }), 200);
  fx.expectStatus(await fx.call('af-buyer', 'POST', '/offers', { collectionId: main, amount: 60, expiresAt: inFuture(3_600_000) }), 201);
  fx.expectStatus(await fx.call('af-other', 'POST', '/market/listings', { nftId: nft.elsewhere, price: 500 }), 201);
  await market.settle();
});
after(async () => { await market?.stop(); });

const feed = async (query: string) => {
  const answer = await market.call('GET', `/market/activity?limit=100&${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  responses.page(responses.activity).parse(answer.body);
  assert.equal(answer.body.nextCursor, null);
  return answer.body.items as ActivityBody[];
};
const kinds = (items: ActivityBody[]) => items.map((a) => a.kind);
const ids = (items: ActivityBody[]) => items.map((a) => a.activityId);

/** What each public type gathers in the main collection, as trades above made them (newest first). */
const expectedKinds: Record<string, string[]> = {
  sale: ['sale'],
  listing: ['auction', 'listing', 'listing'],
  cancel: ['offer-cancellation', 'cancellation'],
  bid: ['bid'],
  mint: ['mint', 'mint', 'mint'],
  offer: ['offer', 'offer'],
  transfer: [],
};

describe('GET /market/activity?types=', () => {
  it('returns exactly the activities of each type, newest first, each saying its type, by collection and market-wide', async () => {
    const all = await feed(`collectionId=${main}`);
    assert.equal(all.length, 12);
    const whole = await feed('');
    assert.equal(whole.length, 14, 'both collections: 12 here, a mint and a listing in the other');
    for (const [type, wanted] of Object.entries(expectedKinds)) {
      const filtered = await feed(`collectionId=${main}&types=${type}`);
      assert.deepEqual(kinds(filtered), wanted, type);
      assert.ok(filtered.every((a) => a.type === type), `${type}: every item says its type`);
      assert.deepEqual(ids(filtered), ids(all.filter((a) => wanted.includes(a.kind))), `${type}: the unfiltered feed's items of those kinds, in its order`);
      const marketWide = await feed(`types=${type}`);
      assert.deepEqual(ids(marketWide), ids(whole.filter((a) => a.type === type)), `${type} market-wide`);
    }
    assert.equal((await feed('types=mint')).length, 4, 'market-wide mints: three here, one in the other collection');
    assert.deepEqual(kinds(await feed(`collectionId=${other}&types=listing`)), ['listing']);
  });

  it('combines types: the union, newest first, each item once', async () => {
    const all = await feed(`collectionId=${main}`);
    const combined = await feed(`collectionId=${main}&types=sale,mint,cancel`);
    assert.deepEqual(ids(combined), ids(all.filter((a) => ['sale', 'mint', 'cancel'].includes(a.type))));
    assert.equal(combined.length, 6);
    assert.deepEqual(ids(await feed(`collectionId=${main}&types=mint,cancel,sale,sale`)), ids(combined), 'order and repeats do not matter');
    assert.deepEqual(ids(await feed(`collectionId=${main}&types=sale,listing,cancel,bid,mint,offer,transfer`)), ids(all), 'every type: the whole feed');
    assert.deepEqual(ids(await feed(`collectionId=${main}&types=transfer,bid`)), ids(all.filter((a) => a.kind === 'bid')));
  });

  it('filters one NFT\'s history', async () => {
    assert.deepEqual(kinds(await feed(`nftId=${nft.sold}&types=sale,listing`)), ['sale', 'listing']);
    assert.deepEqual(kinds(await feed(`nftId=${nft.auctioned}&types=offer,bid,cancel`)), ['bid', 'offer-cancellation', 'offer']);
    assert.deepEqual(kinds(await feed(`nftId=${nft.auctioned}&types=mint&collectionId=${main}`)), ['mint']);
    assert.deepEqual(kinds(await feed(`nftId=${nft.auctioned}&types=mint&collectionId=${other}`)), []);
    assert.deepEqual(kinds(await feed(`nftId=${nft.sold}&types=transfer`)), []);
  });

  it('pages a filtered feed without repeating or skipping an item', async () => {
    for (const query of [`collectionId=${main}&types=listing,cancel,mint`, 'types=mint,offer,bid', `nftId=${nft.auctioned}&types=offer,cancel,listing,mint`]) {
      const whole = await feed(query);
      for (const limit of [1, 2, 3]) {
        const { items, pages } = await collectAllPages<ActivityBody>(
          (cursor) => market.call('GET', `/market/activity?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`), (a) => a.activityId,
        );
        assert.deepEqual(ids(items), ids(whole), `${query}, limit ${limit}`);
        assert.ok(pages >= Math.ceil(whole.length / limit), `${query}, limit ${limit}: ${pages} pages`);
      }
    }
  });

  it('binds a cursor to its filter: another filter, collection or no filter is a 400', async () => {
    const page = async (query: string) => (await market.call('GET', `/market/activity?limit=1&${query}`)).body.nextCursor as string;
    const cases: Array<[string, string]> = [
      [`collectionId=${main}&types=listing,mint`, `collectionId=${main}&types=sale,mint`],
      [`collectionId=${main}&types=listing,mint`, `collectionId=${main}`],
      [`collectionId=${main}&types=listing,mint`, 'types=listing,mint'],
      [`collectionId=${main}&types=listing,mint`, `collectionId=${other}&types=listing,mint`],
      [`collectionId=${main}`, `collectionId=${main}&types=listing,mint`],
      [`nftId=${nft.auctioned}&types=offer,cancel`, `nftId=${nft.auctioned}&types=offer`],
      [`nftId=${nft.auctioned}`, `nftId=${nft.auctioned}&types=offer,cancel`],
    ];
    for (const [from, to] of cases) {
      const cursor = await page(from);
      assert.equal(typeof cursor, 'string', from);
      const reused = await market.call('GET', `/market/activity?limit=1&${to}&cursor=${cursor}`);
      assert.equal(reused.status, 400, `${from} -> ${to}`);
      assert.equal(reused.body.error.code, 'INVALID_CURSOR');
    }
    const cursor = await page(`collectionId=${main}&types=listing,mint`);
    assert.equal((await market.call('GET', `/market/activity?limit=1&collectionId=${main}&types=mint,listing&cursor=${cursor}`)).status, 200, 'the same set of types');
  });

  it('refuses an unknown or empty type with a 400 naming it', async () => {
    const unknown = await market.call('GET', '/market/activity?types=sale,swap');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');
    assert.deepEqual(unknown.body.error.details.map((d: { path: string }) => d.path), ['types.1']);
    assert.match(unknown.body.error.details[0].message, /sale.*transfer/);
    for (const query of ['types=', 'types=SALE', 'types=sale,,mint', `types=${'sale,'.repeat(21)}sale`]) {
      const refused = await market.call('GET', `/market/activity?${query}`);
      assert.equal(refused.status, 400, query);
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED', query);
    }
  });
});

const mine = async (userId: string, query = '') => {
  const answer = await fx.call(userId, 'GET', `/users/me/activity?limit=100&${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  responses.page(responses.userActivity).parse(answer.body);
  return answer.body.items as ActivityBody[];
};
const roles = (items: ActivityBody[]) => items.map((a) => `${a.kind}:${a.role}`);

describe('GET /users/me/activity', () => {
  it('shows the seller and the buyer of a sale their own activity, newest first, with their role', async () => {
    assert.deepEqual(roles(await mine('af-seller')), [
      'auction:seller', 'offer-cancellation:offer-recipient', 'offer:offer-recipient', 'cancellation:seller', 'listing:seller',
      'sale:seller', 'listing:seller', 'mint:minter', 'mint:minter', 'mint:minter',
    ]);
    assert.deepEqual(roles(await mine('af-buyer')), ['offer:offer-maker', 'sale:buyer']);
    assert.deepEqual(roles(await mine('af-bidder')), ['bid:bidder', 'offer-cancellation:offer-maker', 'offer:offer-maker']);
    assert.deepEqual(roles(await mine('af-other')), ['listing:seller', 'mint:minter']);
    assert.deepEqual(await mine('af-nobody'), []);
    const sale = (await feed(`nftId=${nft.sold}&types=sale`))[0]!;
    const asSeller = (await mine('af-seller', 'types=sale'))[0]!;
    const asBuyer = (await mine('af-buyer', 'types=sale'))[0]!;
    assert.deepEqual({ ...asSeller, role: undefined }, { ...sale, role: undefined }, 'the same activity as the public feed');
    assert.deepEqual([asSeller.activityId, asBuyer.activityId], [sale.activityId, sale.activityId]);
  });

  it('filters by type and pages with a cursor bound to the caller and the filter', async () => {
    assert.deepEqual(roles(await mine('af-seller', 'types=listing,sale')), ['auction:seller', 'listing:seller', 'sale:seller', 'listing:seller']);
    assert.deepEqual(roles(await mine('af-seller', 'types=cancel')), ['offer-cancellation:offer-recipient', 'cancellation:seller']);
    assert.deepEqual(await mine('af-seller', 'types=transfer'), []);
    for (const query of ['', 'types=mint,listing,cancel']) {
      const whole = await mine('af-seller', query);
      const { items } = await collectAllPages<ActivityBody>(
        (cursor) => fx.call('af-seller', 'GET', `/users/me/activity?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`), (a) => a.activityId,
      );
      assert.deepEqual(ids(items), ids(whole), query);
    }
    for (const [from, to, user] of [['types=mint,listing', 'types=mint', 'af-seller'], ['types=mint,listing', '', 'af-seller'], ['', 'types=mint', 'af-seller'],
      ['types=mint,listing', 'types=mint,listing', 'af-other'], ['', '', 'af-other']]) {
      const cursor = (await fx.call('af-seller', 'GET', `/users/me/activity?limit=1&${from}`)).body.nextCursor as string;
      const reused = await fx.call(user!, 'GET', `/users/me/activity?limit=1&${to}&cursor=${cursor}`);
      assert.deepEqual([reused.status, reused.body.error?.code], [400, 'INVALID_CURSOR'], `${from} -> ${to} as ${user}`);
    }
    const unknown = await fx.call('af-seller', 'GET', '/users/me/activity?types=sold');
    assert.deepEqual([unknown.status, unknown.body.error.details[0].path], [400, 'types.0']);
  });

  it('holds each activity once per participant when the stream delivers it again', async () => {
    const before = await Promise.all(['af-seller', 'af-buyer', 'af-bidder'].map((user) => mine(user)));
    const stored = await market.doc.send(new QueryCommand({
      TableName: market.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': indexPartitions.activity(main) },
    }));
    assert.equal(stored.Items?.length, 12);
    // Imported once the marketplace runs: the handlers' DynamoDB client reads its endpoint then.
    const { copyToParticipants } = await import('../../functions/usecases/user-activity.js');
    await copyToParticipants([...stored.Items!, ...stored.Items!]);
    await copyToParticipants(stored.Items!);
    assert.deepEqual(await Promise.all(['af-seller', 'af-buyer', 'af-bidder'].map((user) => mine(user))), before);
  });

  it('is private: 401 without a token, never cached', async () => {
    const anonymous = await market.call('GET', '/users/me/activity');
    assert.equal(anonymous.status, 401);
    const answer = await fx.call('af-seller', 'GET', '/users/me/activity');
    assert.match(answer.headers.get('cache-control') ?? '', /no-store/);
  });
});

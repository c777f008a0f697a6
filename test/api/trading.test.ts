import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DeleteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { jobInvocation } from '../support/job-context.js';
import { auditTable, tableSnapshot } from '../support/table-audit.js';
import { clock } from '../support/clock.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';

// Short anti-sniping window so auctions can end inside a test; the rule itself is tested with its default too.
process.env.ANTI_SNIPING_SECONDS = '1';
process.env.MARKETPLACE_FEE_BPS = '250';

let market: TestMarketplace;
const tokens = new Map<string, string>();
before(async () => { market = await startTestMarketplace(); });
afterEach(() => clock.run()); // a test that failed with the clock stopped leaves it running for the next
// Whatever ran of the file: money conserved, every NFT with one owner.
after(async () => {
  try {
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  } finally {
    await market.stop();
  }
});

async function as(userId: string, groups?: string[]): Promise<string> {
  const key = `${userId}|${groups?.join(',') ?? ''}`;
  if (!tokens.has(key)) tokens.set(key, await market.token(userId, groups));
  return tokens.get(key)!;
}
const call = async (userId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  market.call(method, path, { token: await as(userId), body, headers });
const account = async (userId: string) => (await call(userId, 'GET', '/accounts')).body as { balance: number; held: number };
let keyCounter = 0;
const topUp = async (userId: string, amount: number) => {
  const answer = await call(userId, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `k-${userId}-${++keyCounter}` });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
};
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Runs all tasks with at most `width` in flight: a real race, without one process opening hundreds of sockets. */
async function racing<T>(tasks: Array<() => Promise<T>>, width = 48): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  }));
  return results;
}

/** A fresh NFT for `owner`, minted through a presale of a fresh collection, so tests never share state. */
let collectionCounter = 0;
async function mintFresh(owner: string, creator = 'creator-1'): Promise<{ nftId: string; collectionId: string; presaleId: string }> {
  const token = await as(creator, ['creators']);
  const collection = await market.call('POST', '/market/collections', {
    token, body: { name: `Test ${++collectionCounter}`, image: 'https://img.example.com/c.png', royaltyBps: 500 },
  });
  assert.equal(collection.status, 201, JSON.stringify(collection.body));
  const presale = await market.call('POST', '/presale/create', {
    token,
    body: {
      collectionId: collection.body.collectionId, price: 100, supply: 10, perWalletLimit: 5,
      startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: inFuture(3_600_000),
    },
  });
  assert.equal(presale.status, 201, JSON.stringify(presale.body));
  await topUp(owner, 100);
  const bought = await call(owner, 'POST', `/presale/${presale.body.presaleId}/purchase`, { quantity: 1 });
  assert.equal(bought.status, 201, JSON.stringify(bought.body));
  return { nftId: bought.body.nftIds[0], collectionId: collection.body.collectionId, presaleId: presale.body.presaleId };
}

describe('top-ups', () => {
  it('need an Idempotency-Key, credit once per key, and refuse the key for another amount', async () => {
    const before = await account('topper');
    assert.equal((await call('topper', 'POST', '/users/balance-topups', { amount: 500 })).status, 400);
    const first = await call('topper', 'POST', '/users/balance-topups', { amount: 500 }, { 'idempotency-key': 'pay-1' });
    assert.equal(first.status, 201);
    assert.equal(first.body.amount, 500);
    const again = await call('topper', 'POST', '/users/balance-topups', { amount: 500 }, { 'idempotency-key': 'pay-1' });
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    const other = await call('topper', 'POST', '/users/balance-topups', { amount: 900 }, { 'idempotency-key': 'pay-1' });
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await account('topper')).balance, before.balance + 500);
    const history = await call('topper', 'GET', '/users/balance-topups');
    assert.deepEqual(history.body.items.map((t: { topupId: string }) => t.topupId), [first.body.topupId]);
  });

  it('rejects fractional, negative, zero and string amounts', async () => {
    for (const amount of [1.5, -5, 0, '100', 1e20, null]) {
      const answer = await call('topper', 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `bad-${String(amount)}` });
      assert.equal(answer.status, 400, String(amount));
    }
  });

  it('credits the same top-up retried 10 times at once exactly once', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () =>
      call('racer', 'POST', '/users/balance-topups', { amount: 700 }, { 'idempotency-key': 'same-key' })));
    const statuses = answers.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join(','));
    assert.ok(statuses.includes(201));
    for (const a of answers.filter((x) => x.status === 409)) assert.equal(a.body.error.code, 'IDEMPOTENCY_IN_PROGRESS');
    const retry = await call('racer', 'POST', '/users/balance-topups', { amount: 700 }, { 'idempotency-key': 'same-key' });
    assert.equal(retry.status, 201);
    const credited = await account('racer');
    assert.deepEqual([credited.balance, credited.held], [700, 0]);
    assert.equal((await call('racer', 'GET', '/users/balance-topups')).body.items.length, 1);
  });
});

describe('top-up idempotency records', () => {
  it('each have a partition key of their own in the idempotency table, none in the marketplace table', async () => {
    const before = await market.doc.send(new ScanCommand({ TableName: market.idempotencyTableName }));
    const users = ['spread-a', 'spread-b', 'spread-c'];
    for (const userId of users) {
      for (const key of ['k1', 'k2']) {
        const answer = await call(userId, 'POST', '/users/balance-topups', { amount: 10 }, { 'idempotency-key': key });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
      }
    }
    const after = await market.doc.send(new ScanCommand({ TableName: market.idempotencyTableName }));
    const ids = (after.Items ?? []).map((record) => record.id as string)
      .filter((id) => !(before.Items ?? []).some((earlier) => earlier.id === id));
    assert.equal(ids.length, users.length * 2, 'one record per user and key');
    assert.equal(new Set(ids).size, ids.length, 'every record its own partition key');
    for (const record of after.Items ?? []) assert.equal(record.status, 'COMPLETED');
    const shared = await market.doc.send(new ScanCommand({
      TableName: market.tableName, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'IDEMPOTENCY' },
    }));
    assert.deepEqual(shared.Items, [], 'no idempotency record in the marketplace table');
  });
});

describe('top-ups after their idempotency record expired', () => {
  it('still refuse the key for another amount, and still credit the same request once', async () => {
    const headers = { 'idempotency-key': 'expiring-key' };
    const first = await call('expiring', 'POST', '/users/balance-topups', { amount: 300 }, headers);
    assert.equal(first.status, 201);
    // As DynamoDB's TTL would: the Powertools records of top-ups are gone.
    const records = await market.doc.send(new ScanCommand({ TableName: market.idempotencyTableName }));
    assert.ok((records.Items ?? []).length > 0);
    for (const record of records.Items ?? []) await market.doc.send(new DeleteCommand({ TableName: market.idempotencyTableName, Key: { id: record.id } }));
    const other = await call('expiring', 'POST', '/users/balance-topups', { amount: 999 }, headers);
    assert.deepEqual([other.status, other.body.error?.code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    const same = await call('expiring', 'POST', '/users/balance-topups', { amount: 300 }, headers);
    assert.deepEqual([same.status, same.body.topupId], [201, first.body.topupId]);
    assert.equal((await account('expiring')).balance, 300);
  });
});

describe('listings and buying', () => {
  it('lets only the owner list, once, and moves the floor', async () => {
    const { nftId, collectionId } = await mintFresh('seller-a');
    assert.equal((await call('intruder', 'POST', '/market/listings', { nftId, price: 5_000 })).status, 403);
    const listed = await call('seller-a', 'POST', '/market/listings', { nftId, price: 5_000 });
    assert.equal(listed.status, 201);
    const twice = await call('seller-a', 'POST', '/market/listings', { nftId, price: 4_000 });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'NFT_UNAVAILABLE');
    // The floor follows the stream: read after the consumer has run (minAsOf: settle's instant).
    const floor = await market.call('POST', '/market/floor', { body: { collectionIds: [collectionId], minAsOf: await market.settle() } });
    assert.deepEqual({ ...floor.body.floors[0], floorAsOf: undefined }, { collectionId, floorPrice: 5_000, listingId: listed.body.listingId, floorAsOf: undefined });
    assert.ok(floor.body.floors[0].floorAsOf >= listed.body.listedAt, 'the aggregator set the floor after the listing');
    const market1 = await market.call('POST', '/market/', { body: { collectionId, minAsOf: listed.body.listedAt } });
    assert.deepEqual(market1.body.items.map((l: { listingId: string }) => l.listingId), [listed.body.listingId]);

    assert.equal((await call('intruder', 'DELETE', `/market/listings/${listed.body.listingId}`)).status, 403);
    const cancelled = await call('seller-a', 'DELETE', `/market/listings/${listed.body.listingId}`);
    assert.equal(cancelled.status, 200);
    const after = await market.call('POST', '/market/floor', { body: { collectionIds: [collectionId], minAsOf: await market.settle() } });
    assert.deepEqual({ ...after.body.floors[0], floorAsOf: undefined }, { collectionId, floorPrice: null, listingId: null, floorAsOf: undefined });
    assert.equal((await call('seller-a', 'DELETE', `/market/listings/${listed.body.listingId}`)).status, 409);
  });

  it('keeps the floor right as cheaper listings come and go', async () => {
    const owner = 'floor-owner';
    const nfts = [await mintFresh(owner, 'floor-creator')];
    const { collectionId, presaleId } = nfts[0]!;
    // Two more NFTs in the same collection, from the same presale.
    await topUp(owner, 200);
    const more = await call(owner, 'POST', `/presale/${presaleId}/purchase`, { quantity: 2 });
    assert.equal(more.status, 201);
    const ids = [nfts[0]!.nftId, ...more.body.nftIds];
    const listings = [];
    for (const [i, price] of [300, 100, 200].entries()) {
      listings.push((await call(owner, 'POST', '/market/listings', { nftId: ids[i], price })).body.listingId);
    }
    // The floor follows the stream: read it after the consumer has run (minAsOf: settle's instant).
    const floorNow = async () => {
      const minAsOf = await market.settle();
      return (await market.call('GET', `/market/floor?collectionIds=${collectionId}&minAsOf=${minAsOf}`)).body.floors[0].floorPrice;
    };
    assert.equal(await floorNow(), 100);
    await call(owner, 'DELETE', `/market/listings/${listings[1]}`);
    assert.equal(await floorNow(), 200);
    await topUp('floor-buyer', 1_000);
    assert.equal((await call('floor-buyer', 'POST', `/market/listings/${listings[2]}/buy`)).status, 200);
    assert.equal(await floorNow(), 300);
  });

  it('moves the NFT and splits the price between seller, creator and platform in one step', async () => {
    const { nftId, collectionId } = await mintFresh('seller-b', 'creator-b');
    const listing = (await call('seller-b', 'POST', '/market/listings', { nftId, price: 10_000 })).body;
    const poor = await call('poor-buyer', 'POST', `/market/listings/${listing.listingId}/buy`);
    assert.equal(poor.status, 409);
    assert.equal(poor.body.error.code, 'INSUFFICIENT_FUNDS');
    assert.equal((await call('seller-b', 'POST', `/market/listings/${listing.listingId}/buy`)).body.error.code, 'OWN_LISTING');

    await topUp('buyer-b', 12_000);
    const [sellerBefore, creatorBefore] = [await account('seller-b'), await account('creator-b')];
    const sale = await call('buyer-b', 'POST', `/market/listings/${listing.listingId}/buy`);
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    assert.deepEqual(
      { price: sale.body.price, fee: sale.body.fee, royalty: sale.body.royalty, proceeds: sale.body.proceeds },
      { price: 10_000, fee: 250, royalty: 500, proceeds: 9_250 },
    );
    assert.equal((await account('buyer-b')).balance, 2_000);
    assert.equal((await account('seller-b')).balance, sellerBefore.balance + 9_250);
    assert.equal((await account('creator-b')).balance, creatorBefore.balance + 500);
    const owned = await call('buyer-b', 'GET', `/nft/my?collectionId=${collectionId}`);
    assert.deepEqual(owned.body.items.map((n: { nftId: string; listingId: null }) => [n.nftId, n.listingId]), [[nftId, null]]);
    assert.deepEqual((await call('seller-b', 'GET', `/nft/my?collectionId=${collectionId}`)).body.items, []);
    const collections = await market.call('GET', `/market/collections?limit=100&minAsOf=${await market.settle()}`);
    const stats = collections.body.items.find((c: { collectionId: string }) => c.collectionId === collectionId).stats;
    const once = { volume: 10_000, sales: 1, volumeChange: null, salesChange: null };
    assert.deepEqual({ ...stats, statsAsOf: undefined, floorAsOf: undefined, topOfferAsOf: undefined, windowsAsOf: undefined }, {
      floorPrice: null, listedCount: 0, volume: 10_000, sales: 1, owners: 1, topOffer: null, statsAsOf: undefined, floorAsOf: undefined, topOfferAsOf: undefined,
      windows: { '1d': once, '7d': once, '30d': once, all: once }, windowsAsOf: undefined,
    });
    assert.ok(stats.statsAsOf >= sale.body.soldAt, 'the stats were updated after the sale');
    assert.ok(stats.floorAsOf >= sale.body.soldAt, 'the floor was refreshed after the sale');
    const activity = await market.call('GET', `/market/activity?nftId=${nftId}`);
    assert.deepEqual(activity.body.items.map((a: { kind: string }) => a.kind), ['sale', 'listing', 'mint']);
  });

  it('sells a listing raced by 50 buyers exactly once', async () => {
    const { nftId } = await mintFresh('seller-c');
    const listing = (await call('seller-c', 'POST', '/market/listings', { nftId, price: 1_000 })).body;
    const buyers = Array.from({ length: 50 }, (_, i) => `race-buyer-${i}`);
    for (const buyer of buyers) await topUp(buyer, 1_000);
    const answers = await Promise.all(buyers.map((b) => call(b, 'POST', `/market/listings/${listing.listingId}/buy`)));
    const wins = answers.filter((a) => a.status === 200);
    assert.equal(wins.length, 1);
    const losers = answers.filter((a) => a.status !== 200);
    assert.ok(losers.every((a) => a.status === 409 && a.body.error.code === 'LISTING_UNAVAILABLE'), JSON.stringify(losers.map((a) => a.body)));
    const balances = await Promise.all(buyers.map(async (b) => (await account(b)).balance));
    assert.equal(balances.filter((b) => b === 0).length, 1, 'one buyer paid');
    assert.equal(balances.filter((b) => b === 1_000).length, 49, 'nobody else paid');
  });
});

describe('pending credits', () => {
  it('let a seller spend a sale\'s proceeds at once, before the aggregator has added them, exactly once', async () => {
    const { nftId } = await mintFresh('quick-seller', 'quick-creator'); // the mint spends the seller's whole balance
    const listing = (await call('quick-seller', 'POST', '/market/listings', { nftId, price: 2_000 })).body;
    await topUp('quick-buyer', 2_000);
    market.runtime.streams!.pause();
    try {
      assert.equal((await call('quick-buyer', 'POST', `/market/listings/${listing.listingId}/buy`)).status, 200);
      const proceeds = 2_000 - 50 - 100; // 2.5 % fee, 5 % royalty
      assert.deepEqual([(await account('quick-seller')).balance, (await account('quick-seller')).held], [proceeds, 0]);
      const pending = await market.doc.send(new QueryCommand({
        TableName: market.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :credit)',
        ExpressionAttributeValues: { ':pk': 'USER#quick-seller', ':credit': 'CREDIT#' }, ConsistentRead: true,
      }));
      assert.equal(pending.Items?.length, 1, 'the proceeds are a pending credit');
      const { nftId: next } = await mintFresh('offer-target');
      const offer = await call('quick-seller', 'POST', '/offers', { nftId: next, amount: proceeds, expiresAt: inFuture(60_000) });
      assert.equal(offer.status, 201, JSON.stringify(offer.body));
      assert.deepEqual([(await account('quick-seller')).balance, (await account('quick-seller')).held], [0, proceeds]);
      assert.equal((await call('quick-seller', 'POST', '/offers', { nftId: next, amount: 1, expiresAt: inFuture(60_000) })).body.error.code, 'INSUFFICIENT_FUNDS');
    } finally {
      market.runtime.streams!.resume();
    }
    await market.settle();
    assert.deepEqual([(await account('quick-seller')).balance, (await account('quick-seller')).held], [0, 2_000 - 150]);
  });

  it('are left pending when even with them a debit falls short: 409 INSUFFICIENT_FUNDS and the table unchanged', async () => {
    const { nftId } = await mintFresh('short-seller', 'short-creator'); // the mint spends the seller's whole balance
    const listing = (await call('short-seller', 'POST', '/market/listings', { nftId, price: 2_000 })).body;
    await topUp('short-buyer', 2_000);
    const { nftId: wanted } = await mintFresh('short-owner');
    const dear = (await call('short-owner', 'POST', '/market/listings', { nftId: wanted, price: 5_000 })).body;
    await topUp('short-seller', 1_000);
    await market.settle();
    market.runtime.streams!.pause();
    try {
      assert.equal((await call('short-buyer', 'POST', `/market/listings/${listing.listingId}/buy`)).status, 200);
      const proceeds = 2_000 - 50 - 100;
      assert.equal((await account('short-seller')).balance, 1_000 + proceeds, 'balance 1,000 + pending proceeds 1,850');
      const before = await tableSnapshot(market.doc, market.tableName);
      for (const [path, body] of [
        [`/market/listings/${dear.listingId}/buy`, undefined],
        ['/offers', { nftId: wanted, amount: 1_000 + proceeds + 1, expiresAt: inFuture(60_000) }],
      ] as const) {
        const refused = await call('short-seller', 'POST', path, body);
        assert.deepEqual([refused.status, refused.body.error?.code], [409, 'INSUFFICIENT_FUNDS'], path);
        assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before, `${path}: nothing written, the credit still pending`);
      }
      const exact = await call('short-seller', 'POST', '/offers', { nftId: wanted, amount: 1_000 + proceeds, expiresAt: inFuture(60_000) });
      assert.equal(exact.status, 201, 'balance and pending credits together do cover their sum');
      assert.deepEqual([(await account('short-seller')).balance, (await account('short-seller')).held], [0, 1_000 + proceeds]);
    } finally {
      market.runtime.streams!.resume();
    }
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });
});

describe('offers', () => {
  it('hold funds, release them on cancel, and let only the maker cancel', async () => {
    const { nftId } = await mintFresh('offer-owner');
    await topUp('offerer', 3_000);
    const bad = await call('offerer', 'POST', '/offers', { nftId, amount: 5_000, expiresAt: inFuture(60_000) });
    assert.equal(bad.body.error.code, 'INSUFFICIENT_FUNDS');
    const offer = await call('offerer', 'POST', '/offers', { nftId, amount: 2_000, expiresAt: inFuture(60_000) });
    assert.equal(offer.status, 201);
    assert.deepEqual([(await account('offerer')).balance, (await account('offerer')).held], [1_000, 2_000]);
    const received = await call('offer-owner', 'GET', '/offers/my?role=received');
    assert.ok(received.body.items.some((o: { offerId: string }) => o.offerId === offer.body.offerId));
    assert.equal((await call('offer-owner', 'DELETE', `/offers/${offer.body.offerId}`)).status, 403);
    assert.equal((await call('offerer', 'DELETE', `/offers/${offer.body.offerId}`)).status, 200);
    assert.deepEqual([(await account('offerer')).balance, (await account('offerer')).held], [3_000, 0]);
  });

  it('are created once per Idempotency-Key, however often and however concurrently retried', async () => {
    const { nftId } = await mintFresh('idem-owner');
    await topUp('idem-offerer', 1_000);
    const body = { nftId, amount: 300, expiresAt: inFuture(60_000) };
    const headers = { 'idempotency-key': 'offer-once' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('idem-offerer', 'POST', '/offers', body, headers)));
    assert.ok(answers.every((a) => a.status === 201), JSON.stringify(answers.map((a) => a.body)));
    assert.equal(new Set(answers.map((a) => a.body.offerId)).size, 1);
    assert.deepEqual([(await account('idem-offerer')).balance, (await account('idem-offerer')).held], [700, 300]);
    const changed = await call('idem-offerer', 'POST', '/offers', { ...body, amount: 400 }, headers);
    assert.deepEqual([changed.status, changed.body.error.code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    const bad = await call('idem-offerer', 'POST', '/offers', body, { 'idempotency-key': 'x'.repeat(200) });
    assert.equal(bad.body.error.code, 'INVALID_IDEMPOTENCY_KEY');
  });

  it('sells to the offer on accept, from the held funds', async () => {
    const { nftId, collectionId } = await mintFresh('accept-owner');
    await topUp('accept-buyer', 4_000);
    const offer = (await call('accept-buyer', 'POST', '/offers', { collectionId, amount: 4_000, expiresAt: inFuture(60_000) })).body;
    assert.equal((await call('accept-owner', 'POST', `/offers/${offer.offerId}/accept`, {})).body.error.code, 'VALIDATION_FAILED');
    assert.equal((await call('intruder', 'POST', `/offers/${offer.offerId}/accept`, { nftId })).status, 403);
    const own = await call('accept-buyer', 'POST', `/offers/${offer.offerId}/accept`, { nftId });
    assert.equal(own.status, 403, 'the offer maker cannot accept their own offer');
    const sale = await call('accept-owner', 'POST', `/offers/${offer.offerId}/accept`, { nftId });
    assert.equal(sale.status, 200, JSON.stringify(sale.body));
    assert.deepEqual([(await account('accept-buyer')).balance, (await account('accept-buyer')).held], [0, 0]);
    const owned = await call('accept-buyer', 'GET', `/nft/my?collectionId=${collectionId}`);
    assert.deepEqual(owned.body.items.map((n: { nftId: string }) => n.nftId), [nftId]);
    assert.equal((await call('accept-owner', 'POST', `/offers/${offer.offerId}/accept`, { nftId })).status, 409);
  });

  it('refuses to accept a single-NFT offer with another NFT named in the body, and moves nothing', async () => {
    const offered = await mintFresh('two-nft-owner');
    const other = await mintFresh('two-nft-owner');
    await topUp('single-offerer', 500);
    const offer = (await call('single-offerer', 'POST', '/offers', { nftId: offered.nftId, amount: 500, expiresAt: inFuture(60_000) })).body;
    await market.settle();
    const before = await tableSnapshot(market.doc, market.tableName);
    const wrong = await call('two-nft-owner', 'POST', `/offers/${offer.offerId}/accept`, { nftId: other.nftId });
    assert.deepEqual([wrong.status, wrong.body.error.code], [409, 'OFFER_FOR_ANOTHER_NFT']);
    await market.settle();
    assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before);
    const right = await call('two-nft-owner', 'POST', `/offers/${offer.offerId}/accept`, { nftId: offered.nftId });
    assert.deepEqual([right.status, right.body.nftId], [200, offered.nftId]);
  });

  it('lets exactly one of accept and cancel win when they race', async () => {
    for (let round = 0; round < 5; round++) {
      const { nftId } = await mintFresh(`race-owner-${round}`);
      await topUp(`race-offerer-${round}`, 1_000);
      const offer = (await call(`race-offerer-${round}`, 'POST', '/offers', { nftId, amount: 1_000, expiresAt: inFuture(60_000) })).body;
      const [accepted, cancelled] = await Promise.all([
        call(`race-owner-${round}`, 'POST', `/offers/${offer.offerId}/accept`, {}),
        call(`race-offerer-${round}`, 'DELETE', `/offers/${offer.offerId}`),
      ]);
      assert.deepEqual([accepted.status, cancelled.status].sort(), [200, 409], JSON.stringify([accepted.body, cancelled.body]));
      const buyer = await account(`race-offerer-${round}`);
      assert.equal(buyer.held, 0);
      assert.equal(buyer.balance, accepted.status === 200 ? 0 : 1_000);
    }
  });

  it('cannot be accepted once expired, and the sweep returns the funds', async () => {
    const { nftId } = await mintFresh('expiry-owner');
    await topUp('expiry-offerer', 500);
    // The clock stopped, then moved past the expiry: however long the requests take.
    const [offer, late, swept] = await clock.stopped(async () => {
      const offer = (await call('expiry-offerer', 'POST', '/offers', { nftId, amount: 500, expiresAt: inFuture(1_000) })).body;
      clock.advance(1_001);
      const late = await call('expiry-owner', 'POST', `/offers/${offer.offerId}/accept`, {});
      const { handler } = await import('../../functions/handlers/jobs/expire-offers.js');
      return [offer, late, await handler(...jobInvocation('expireOffers'))];
    });
    assert.equal(late.body.error.code, 'OFFER_NOT_OPEN');
    assert.ok(swept.expired >= 1);
    assert.deepEqual([(await account('expiry-offerer')).balance, (await account('expiry-offerer')).held], [500, 0]);
    const mine = await call('expiry-offerer', 'GET', '/offers/my?status=expired');
    assert.ok(mine.body.items.some((o: { offerId: string }) => o.offerId === offer.offerId));
  });
});

describe('auctions', () => {
  it('enforce reserve and increment, hold the top bid, release the outbid one, and settle once', async () => {
    const { nftId, collectionId } = await mintFresh('auctioneer', 'auction-creator');
    await topUp('bidder-1', 5_000);
    await topUp('bidder-2', 5_000);
    // The clock stopped until the end: every bid surely before it, however long the requests take.
    clock.stop();
    const auction = await call('auctioneer', 'POST', '/auctions/create', { nftId, reservePrice: 1_000, endsAt: inFuture(10_000), minIncrementBps: 1_000 });
    assert.equal(auction.status, 201, JSON.stringify(auction.body));
    const id = auction.body.auctionId;
    assert.equal((await call('auctioneer', 'POST', '/market/listings', { nftId, price: 1 })).body.error.code, 'NFT_UNAVAILABLE');
    assert.equal((await call('bidder-1', 'POST', `/auctions/${id}/bids`, { amount: 999 })).body.error.code, 'BID_TOO_LOW');
    assert.equal((await call('bidder-1', 'POST', `/auctions/${id}/bids`, { amount: 1_000 })).status, 200);
    assert.deepEqual([(await account('bidder-1')).balance, (await account('bidder-1')).held], [4_000, 1_000]);
    const low = await call('bidder-2', 'POST', `/auctions/${id}/bids`, { amount: 1_099 });
    assert.deepEqual([low.body.error.code, low.body.error.details], ['BID_TOO_LOW', { minimumBid: 1_100 }]);
    assert.equal((await call('bidder-2', 'POST', `/auctions/${id}/bids`, { amount: 1_100 })).status, 200);
    assert.deepEqual([(await account('bidder-1')).balance, (await account('bidder-1')).held], [5_000, 0]);
    assert.deepEqual([(await account('bidder-2')).balance, (await account('bidder-2')).held], [3_900, 1_100]);
    assert.equal((await call('bidder-2', 'POST', `/auctions/${id}/settle`)).body.error.code, 'AUCTION_NOT_ENDED');

    clock.advance(Date.parse(auction.body.endsAt) - clock.now() + 1);
    clock.run();
    assert.equal((await call('bidder-1', 'POST', `/auctions/${id}/bids`, { amount: 3_000 })).body.error.code, 'AUCTION_NOT_LIVE');
    const settles = await Promise.all([1, 2, 3].map(() => call('anyone', 'POST', `/auctions/${id}/settle`)));
    assert.deepEqual(settles.map((s) => s.status).sort(), [200, 409, 409]);
    assert.deepEqual([(await account('bidder-2')).balance, (await account('bidder-2')).held], [3_900, 0]);
    const owned = await call('bidder-2', 'GET', `/nft/my?collectionId=${collectionId}`);
    assert.deepEqual(owned.body.items.map((n: { nftId: string; auctionId: null }) => [n.nftId, n.auctionId]), [[nftId, null]]);
  });

  it('refuse instants past the year 9999 UTC, which would sort before every other and go live at once', async () => {
    const { nftId } = await mintFresh('far-future-seller');
    const beyond = await call('far-future-seller', 'POST', '/auctions/create', {
      nftId, reservePrice: 100, startsAt: '9999-12-31T23:59:59-12:00', endsAt: '9999-12-31T23:59:59-12:00',
    });
    assert.deepEqual([beyond.status, beyond.body.error.code], [400, 'VALIDATION_FAILED'], JSON.stringify(beyond.body));
    const far = await call('far-future-seller', 'POST', '/auctions/create', {
      nftId, reservePrice: 100, startsAt: '9999-12-30T00:00:00Z', endsAt: '9999-12-31T23:59:59Z',
    });
    assert.deepEqual([far.status, far.body.status], [201, 'upcoming'], JSON.stringify(far.body));
  });

  it('extend the end when a bid comes in the last moments (anti-sniping)', async () => {
    const { nftId } = await mintFresh('sniped');
    await topUp('sniper', 100);
    // The bid comes half a second before the end, inside the 1 s anti-sniping window of this file (the clock
    // stopped: however long the requests take), so it must push the end out.
    const [auction, bid] = await clock.stopped(async () => {
      const auction = (await call('sniped', 'POST', '/auctions/create', { nftId, reservePrice: 10, endsAt: inFuture(60_000) })).body;
      clock.advance(59_500);
      return [auction, await call('sniper', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 10 })];
    });
    assert.equal(bid.status, 200);
    assert.ok(bid.body.endsAt > auction.endsAt, `${bid.body.endsAt} > ${auction.endsAt}`);
  });

  it('keep funds straight under concurrent bids', async () => {
    const { nftId } = await mintFresh('busy-auctioneer');
    const auction = (await call('busy-auctioneer', 'POST', '/auctions/create', { nftId, reservePrice: 100, endsAt: inFuture(600_000) })).body;
    const bidders = Array.from({ length: 12 }, (_, i) => `busy-bidder-${i}`);
    for (const b of bidders) await topUp(b, 10_000);
    const answers = await Promise.all(bidders.map((b, i) => call(b, 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 100 + i * 50 })));
    assert.ok(answers.every((a) => a.status === 200 || a.status === 409), JSON.stringify(answers.map((a) => a.body)));
    const held = await Promise.all(bidders.map(async (b) => (await account(b)).held));
    assert.equal(held.filter((h) => h > 0).length, 1, 'only the top bidder has funds held');
  });
});

describe('presales and creators', () => {
  it('let only creators make collections, and only for their own collection make presales', async () => {
    const denied = await call('not-a-creator', 'POST', '/market/collections', { name: 'X', image: 'https://x.example.com/a.png', royaltyBps: 100 });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'NOT_CREATOR');
    const other = await market.call('POST', '/presale/create', {
      token: await as('creator-2', ['creators']),
      body: { collectionId: 'col-1', price: 1, supply: 1, perWalletLimit: 1, startsAt: inFuture(0), endsAt: inFuture(60_000) },
    });
    assert.equal(other.body.error.code, 'NOT_COLLECTION_CREATOR');
  });

  it('mint exactly the supply when 200 buyers race for 50, nobody over the wallet limit', async () => {
    const token = await as('mint-creator', ['creators']);
    const collection = (await market.call('POST', '/market/collections', { token, body: { name: 'Race', image: 'https://x.example.com/r.png', royaltyBps: 0 } })).body;
    const presale = (await market.call('POST', '/presale/create', {
      token, body: { collectionId: collection.collectionId, price: 10, supply: 50, perWalletLimit: 2, startsAt: inFuture(-1000), endsAt: inFuture(600_000) },
    })).body;
    const buyers = Array.from({ length: 200 }, (_, i) => `minter-${i}`);
    await racing(buyers.map((b) => () => topUp(b, 100)));
    // Every buyer sends two purchases at once: the wallet limit is 2, so a third would be refused.
    const answers = await racing(buyers.flatMap((b) => [1, 2].map(() => () => call(b, 'POST', `/presale/${presale.presaleId}/purchase`, { quantity: 1 }))));
    const minted = answers.filter((a) => a.status === 201);
    assert.equal(minted.length, 50);
    const codes = new Set(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body.error.code}`));
    assert.ok([...codes].every((c) => ['409 SOLD_OUT', '409 CONCURRENT_UPDATE'].includes(c)), [...codes].join(','));
    const after = await market.call('POST', '/presale/', { body: { status: 'live', limit: 100, minAsOf: await market.settle() } });
    assert.equal(after.body.items.find((p: { presaleId: string }) => p.presaleId === presale.presaleId).sold, 50);
    const perWallet = new Map<string, number>();
    for (const a of minted) perWallet.set(a.body.buyer, (perWallet.get(a.body.buyer) ?? 0) + 1);
    assert.ok([...perWallet.values()].every((n) => n <= 2));
    const spent = await Promise.all(buyers.map(async (b) => 100 - (await account(b)).balance));
    assert.equal(spent.reduce((s, x) => s + x, 0), 50 * 10);
  });

  it('answer a purchase retried at once under its Idempotency-Key with the one purchase, minted once', async () => {
    const token = await as('retry-creator', ['creators']);
    const collection = (await market.call('POST', '/market/collections', {
      token, body: { name: 'Retry drop', image: 'https://img.example.com/r.png', royaltyBps: 0 },
    })).body;
    const presale = (await market.call('POST', '/presale/create', {
      token, body: { collectionId: collection.collectionId, price: 10, supply: 100, perWalletLimit: 1, startsAt: inFuture(-1000), endsAt: inFuture(600_000) },
    })).body;
    await topUp('retrying-fan', 100);
    const headers = { 'idempotency-key': 'purchase-retry-1' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('retrying-fan', 'POST', `/presale/${presale.presaleId}/purchase`, { quantity: 1 }, headers)));
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201, 201], JSON.stringify(answers.map((a) => a.body)));
    assert.equal(new Set(answers.map((a) => a.body.purchaseId)).size, 1);
    assert.equal((await account('retrying-fan')).balance, 90);
    assert.equal((await call('retrying-fan', 'GET', `/nft/my?collectionId=${collection.collectionId}`)).body.items.length, 1);
  });

  it('refuse purchases over the wallet limit and outside the window', async () => {
    const { presaleId } = await mintFresh('limit-buyer', 'limit-creator');
    await topUp('limit-buyer', 10_000);
    const over = await call('limit-buyer', 'POST', `/presale/${presaleId}/purchase`, { quantity: 5 });
    assert.deepEqual([over.status, over.body.error.code, over.body.error.details], [409, 'WALLET_LIMIT', { remaining: 4 }]);
    const upcoming = await market.call('POST', '/presale/', { body: { status: 'upcoming', limit: 1 } });
    const early = await call('limit-buyer', 'POST', `/presale/${upcoming.body.items[0].presaleId}/purchase`, { quantity: 1 });
    assert.equal(early.body.error.code, 'PRESALE_NOT_LIVE');
  });
});

describe('rejected requests', () => {
  it('leave the table exactly as it was', async () => {
    const { nftId } = await mintFresh('frozen-owner');
    const listing = (await call('frozen-owner', 'POST', '/market/listings', { nftId, price: 50_000 })).body;
    const auctions = await market.call('POST', '/auctions/', { body: { status: 'live', limit: 1 } });
    const auctionId = auctions.body.items[0].auctionId;
    await market.settle();
    const before = await tableSnapshot(market.doc, market.tableName);
    const rejected: Array<[ApiAnswer, number, string]> = [
      [await call('broke', 'POST', `/market/listings/${listing.listingId}/buy`), 409, 'INSUFFICIENT_FUNDS'],
      [await call('broke', 'POST', '/market/listings', { nftId, price: 10 }), 403, 'NOT_OWNER'],
      [await call('broke', 'POST', '/offers', { nftId, amount: 10, expiresAt: inFuture(60_000) }), 409, 'INSUFFICIENT_FUNDS'],
      [await call('broke', 'POST', `/auctions/${auctionId}/bids`, { amount: 1 }), 409, 'BID_TOO_LOW'],
      [await call('broke', 'POST', `/auctions/${auctionId}/bids`, { amount: 10_000_000 }), 409, 'INSUFFICIENT_FUNDS'],
      [await call('broke', 'DELETE', `/market/listings/${listing.listingId}`), 403, 'NOT_SELLER'],
      [await call('broke', 'POST', '/offers', { nftId, amount: 10, expiresAt: '2000-01-01T00:00:00Z' }), 400, 'VALIDATION_FAILED'],
      [await call('broke', 'POST', '/market/listings/nope/buy'), 404, 'LISTING_NOT_FOUND'],
      [await call('broke', 'POST', '/auctions/create', { nftId, reservePrice: 1, endsAt: inFuture(60_000) }), 403, 'NOT_OWNER'],
    ];
    assert.deepEqual(rejected.map(([answer]) => [answer.status, answer.body.error?.code]), rejected.map(([, status, code]) => [status, code]));
    await market.settle();
    assert.deepEqual(await tableSnapshot(market.doc, market.tableName), before);
  });
});

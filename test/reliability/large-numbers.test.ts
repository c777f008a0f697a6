// Numbers past 2^53: inputs are bounded so no sum the marketplace keeps can get there, and a number that got
// into the table by other means (written directly, say) is read as 2^53 - 1 instead of failing every read
// of it with a 500 (the SDK's default is a BigInt, which JSON.stringify throws on).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { maxAmount, maxBalance } from '../../functions/domain/money.js';
import { keys } from '../../functions/data/keys.js';
import { routeSchemas } from '../../functions/schemas/route-schemas.js';
import { localClient } from '../../local/table.js';
import { scanTable, tableSnapshot } from '../support/table-audit.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';
import { describeDiff, snapshotDiff } from './support.js';

const huge = '123456789012345678901234567890';
const max = Number.MAX_SAFE_INTEGER;

type Item = Record<string, any>;
let market: TestMarketplace;
let raw: DynamoDBClient;
/** Reads numbers as the SDK's NumberValue (exact text), so a snapshot survives any number in the table. */
let exact: DynamoDBDocumentClient;
let items: Item[];
/** Collections and listings a test wrote a huge number into: later tests trade elsewhere. */
const corrupted = new Set<string>();

before(async () => {
  market = await startTestMarketplace();
  raw = localClient(market.runtime.endpoint);
  exact = DynamoDBDocumentClient.from(raw, { unmarshallOptions: { wrapNumbers: true } });
  items = await scanTable(market.doc, market.tableName);
});
after(async () => {
  raw?.destroy();
  await market?.stop();
});

async function setNumbers(key: { pk: string; sk: string } | Item, values: Record<string, string>): Promise<void> {
  const names = Object.keys(values);
  await raw.send(new UpdateItemCommand({
    TableName: market.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } },
    UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, { N: values[name]! }])),
  }));
}

async function storedNumber(key: { pk: string; sk: string }, attribute: string): Promise<string | undefined> {
  const { Item } = await raw.send(new GetItemCommand({ TableName: market.tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
  return Item?.[attribute]?.N;
}

async function snapshot(): Promise<string[]> {
  await market.settle();
  return tableSnapshot(exact, market.tableName);
}

async function tokenFor(userId: string): Promise<string> {
  return market.token(userId);
}

async function topUp(userId: string, amount: number, key = `large-numbers-${userId}-${Date.now()}-${Math.random()}`): Promise<ApiAnswer> {
  return market.call('POST', '/users/balance-topups', { token: await tokenFor(userId), headers: { 'idempotency-key': key }, body: { amount } });
}

const now = () => new Date().toISOString();
const isLive = (w: Item) => w.startsAt <= now() && w.endsAt > now();

describe('a number beyond 2^53 stored in the table', () => {
  it('is served by every read route as 2^53 - 1: no 500, a body every JSON parser reads, in the documented shape', async () => {
    const of = (entity: string, keep: (i: Item) => boolean = () => true) => items.find((i) => i.entity === entity && keep(i))!;
    const offer = of('offer', (o) => o.status === 'open' && o.expiresAt > now());
    const user = offer.buyer as string;
    const topup = of('topup', (t) => t.userId === user);
    const listing = of('listing', (l) => l.status === 'active');
    const auction = of('auction', (a) => !a.settledAt && isLive(a) && a.highestBid !== null);
    const presale = of('presale', isLive);
    const collectionId = listing.collectionId as string;
    const activity = items.filter((i) => i.entity === 'activity' && i.collectionId === collectionId).sort((a, b) => (a.at < b.at ? 1 : -1))[0]!;
    assert.ok(offer && topup && listing && auction && presale && activity, 'the seed has every kind of item');

    await setNumbers(keys.collection(collectionId), { volume: huge, sales: huge, floorPrice: huge, listedCount: huge, owners: huge });
    await setNumbers(keys.account(user), { balance: huge, held: huge });
    await setNumbers(topup, { amount: huge });
    await setNumbers(offer, { amount: huge });
    await setNumbers(listing, { price: huge });
    await setNumbers(auction, { highestBid: huge, reservePrice: huge, bidCount: huge });
    await setNumbers(presale, { price: huge, supply: huge, sold: huge });
    await setNumbers(activity, { price: huge });
    const trait = of('trait', (t) => t.collectionId === collectionId);
    await setNumbers(trait, { tokenCount: huge, listedCount: huge, floorPrice: huge });

    corrupted.add(collectionId).add(listing.listingId);
    const token = await tokenFor(user);
    const reads: Array<{ id: string; method: string; path: string; body?: unknown; token?: string; pick: (body: any) => unknown[] }> = [
      { id: 'listCollections', method: 'GET', path: '/market/collections?limit=100', pick: (b) => { const c = b.items.find((i: Item) => i.collectionId === collectionId).stats; return [c.volume, c.sales, c.floorPrice, c.listedCount, c.owners]; } },
      { id: 'getMarketFloor', method: 'GET', path: `/market/floor?collectionIds=${collectionId}`, pick: (b) => [b.floors[0].floorPrice] },
      { id: 'postMarketFloor', method: 'POST', path: '/market/floor', body: { collectionIds: [collectionId] }, pick: (b) => [b.floors[0].floorPrice] },
      { id: 'listMarketListings', method: 'POST', path: '/market/', body: { collectionId, limit: 100 }, pick: (b) => [b.items.find((i: Item) => i.listingId === listing.listingId).price] },
      { id: 'getMarketListings', method: 'GET', path: `/market?collectionId=${collectionId}&sort=price_asc&limit=100`, pick: (b) => [b.items.find((i: Item) => i.listingId === listing.listingId).price] },
      { id: 'getAccount', method: 'GET', path: '/accounts', token, pick: (b) => [b.balance, b.held] },
      { id: 'listMyTopups', method: 'GET', path: '/users/balance-topups?limit=100', token, pick: (b) => [b.items.find((i: Item) => i.topupId === topup.topupId).amount] },
      { id: 'listMyOffers', method: 'GET', path: '/offers/my?role=made&limit=100', token, pick: (b) => [b.items.find((i: Item) => i.offerId === offer.offerId).amount] },
      { id: 'listAuctions', method: 'POST', path: '/auctions/', body: { status: 'live', limit: 100 }, pick: (b) => { const a = b.items.find((i: Item) => i.auctionId === auction.auctionId); return [a.highestBid, a.reservePrice, a.bidCount]; } },
      { id: 'getPresales', method: 'GET', path: '/presale?status=live&limit=100', pick: (b) => { const p = b.items.find((i: Item) => i.presaleId === presale.presaleId); return [p.price, p.supply, p.sold]; } },
      { id: 'listActivity', method: 'GET', path: `/market/activity?collectionId=${collectionId}&limit=100`, pick: (b) => [b.items.find((i: Item) => i.activityId === activity.activityId).price] },
      {
        id: 'getCollectionTraits', method: 'GET', path: `/market/collections/${collectionId}/traits`,
        pick: (b) => { const v = b.traits.find((t: Item) => t.key === trait.traitKey).values.find((t: Item) => t.value === trait.traitValue); return [v.tokenCount, v.listedCount, v.floorPrice]; },
      },
    ];
    for (const read of reads) {
      const response = await fetch(`${market.url}${read.path}`, {
        method: read.method,
        headers: { ...(read.token ? { authorization: `Bearer ${read.token}` } : {}), ...(read.body ? { 'content-type': 'application/json' } : {}) },
        body: read.body ? JSON.stringify(read.body) : undefined,
      });
      const text = await response.text();
      assert.equal(response.status, 200, `${read.id}: ${response.status} ${text.slice(0, 300)}`);
      const body = JSON.parse(text);
      const parsed = routeSchemas[read.id]!.response.safeParse(body);
      assert.ok(parsed.success, `${read.id} keeps its documented shape: ${parsed.error?.message.slice(0, 300)}`);
      assert.deepEqual(read.pick(body), read.pick(body).map(() => max), `${read.id} serves 2^53 - 1`);
    }
  });

  it('makes writes that would build on it answer 409 with nothing written', async () => {
    const corruptAccount = items.find((i) => i.entity === 'account' && !i.userId.startsWith('~'))!;
    const buyer = 'big-spender';
    const listing = items.find((i) => i.entity === 'listing' && i.status === 'active')!;
    const auction = items.find((i) => i.entity === 'auction' && !i.settledAt && isLive(i))!;
    await setNumbers(keys.account(corruptAccount.userId), { balance: huge });
    await setNumbers(listing, { price: huge });
    await setNumbers(auction, { highestBid: huge });
    corrupted.add(listing.listingId).add(listing.collectionId);
    assert.equal((await topUp(buyer, 1_000_000)).status, 201);
    const before0 = await snapshot();

    const topup = await topUp(corruptAccount.userId, 100);
    assert.equal(topup.status, 409, JSON.stringify(topup.body));
    assert.equal(topup.body.error.code, 'BALANCE_LIMIT');
    const bought = await market.call('POST', `/market/listings/${listing.listingId}/buy`, { token: await tokenFor(buyer) });
    assert.equal(bought.status, 409, JSON.stringify(bought.body));
    assert.equal(bought.body.error.code, 'INSUFFICIENT_FUNDS');
    const bid = await market.call('POST', `/auctions/${auction.auctionId}/bids`, { token: await tokenFor(buyer), body: { amount: 1_000_000 } });
    assert.equal(bid.status, 409, JSON.stringify(bid.body));
    assert.equal(bid.body.error.code, 'BID_TOO_LOW');

    const diff = snapshotDiff(before0, await snapshot());
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));
  });
});

describe('bounds that keep sums exact', () => {
  it(`refuse a price, offer, bid, reserve or presale price above ${maxAmount} with 400`, async () => {
    const creator = await market.token('user-3', ['creators']);
    const user = await tokenFor('user-3');
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const requests: Array<[string, string, Record<string, unknown>, string, string]> = [
      ['POST', '/market/listings', { nftId: 'nft-1', price: maxAmount + 1 }, 'price', user],
      ['POST', '/offers', { nftId: 'nft-1', amount: maxAmount + 1, expiresAt: later }, 'amount', user],
      ['POST', '/auctions/create', { nftId: 'nft-1', reservePrice: maxAmount + 1, endsAt: later }, 'reservePrice', user],
      ['POST', '/auctions/auc-1/bids', { amount: maxAmount + 1 }, 'amount', user],
      ['POST', '/presale/create', { collectionId: 'col-1', price: maxAmount + 1, supply: 1, perWalletLimit: 1, startsAt: later, endsAt: later }, 'price', creator],
    ];
    for (const [method, path, body, field, token] of requests) {
      const answer = await market.call(method, path, { token, body });
      assert.equal(answer.status, 400, `${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.ok(answer.body.error.details.some((d: { path: string }) => d.path === field), `${path}: ${JSON.stringify(answer.body.error.details)}`);
    }
  });

  it(`answer a top-up that would take a balance past ${maxBalance} with 409 BALANCE_LIMIT, writing nothing`, async () => {
    const userId = 'nearly-full';
    await raw.send(new PutItemCommand({
      TableName: market.tableName,
      Item: {
        pk: { S: keys.account(userId).pk }, sk: { S: keys.account(userId).sk }, entity: { S: 'account' }, userId: { S: userId },
        balance: { N: String(maxBalance - 50) }, held: { N: '0' }, updatedAt: { S: now() },
      },
    }));
    const before0 = await snapshot();
    const refused = await topUp(userId, 51, 'over-the-limit');
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'BALANCE_LIMIT');
    assert.deepEqual(refused.body.error.details, { maxBalance });
    const diff = snapshotDiff(before0, await snapshot());
    assert.ok(diff.added.length === 0 && diff.removed.length === 0, describeDiff(diff));

    const full = await topUp(userId, 50, 'up-to-the-limit');
    assert.equal(full.status, 201);
    const account = await market.call('GET', '/accounts', { token: await tokenFor(userId) });
    assert.equal(account.body.balance, maxBalance);

    // Retried once its idempotency record has expired (as TTL would), onto the now full balance: the same top-up.
    const records = await exact.send(new ScanCommand({ TableName: market.idempotencyTableName }));
    for (const record of records.Items ?? []) await exact.send(new DeleteCommand({ TableName: market.idempotencyTableName, Key: { id: record.id } }));
    const retried = await topUp(userId, 50, 'up-to-the-limit');
    assert.deepEqual([retried.status, retried.body.topupId], [201, full.body.topupId], JSON.stringify(retried.body));
    assert.equal((await market.call('GET', '/accounts', { token: await tokenFor(userId) })).body.balance, maxBalance);
  });

  it('saturate a collection\'s all-time volume at 2^53 - 1 instead of passing it, and repair a corrupt one to that', async () => {
    const failuresBefore = market.runtime.streams!.failures().length;
    const buyer = 'volume-buyer';
    const inCollection = (collectionId: string) => items
      .filter((i) => i.entity === 'listing' && i.status === 'active' && i.collectionId === collectionId && !corrupted.has(i.listingId))
      .sort((a, b) => a.price - b.price);
    const [nearCap, corrupt] = items.filter((i) => i.entity === 'collection' && !corrupted.has(i.collectionId)).map((c) => c.collectionId as string);
    assert.ok(nearCap && corrupt, 'two collections nobody corrupted yet');
    await setNumbers(keys.collection(nearCap!), { volume: String(max - 10) });
    await setNumbers(keys.collection(corrupt!), { volume: huge });
    const salesBefore = Number(await storedNumber(keys.collection(nearCap!), 'sales') ?? 0);
    const toBuy = [...inCollection(nearCap!).slice(0, 2), inCollection(corrupt!)[0]!];
    for (const listing of toBuy) {
      assert.equal((await topUp(buyer, listing.price)).status, 201);
      const bought = await market.call('POST', `/market/listings/${listing.listingId}/buy`, { token: await tokenFor(buyer) });
      assert.equal(bought.status, 200, JSON.stringify(bought.body));
      await market.settle();
      assert.equal(await storedNumber(keys.collection(listing.collectionId), 'volume'), String(max), `${listing.collectionId} volume`);
    }
    assert.equal(Number(await storedNumber(keys.collection(nearCap!), 'sales')), salesBefore + 2, 'sales still counted');
    assert.equal(market.runtime.streams!.failures().length, failuresBefore, 'the stream consumer failed no record');
  });

  it('refuse to apply credits that would take a stored balance past 2^53 - 1, leaving them pending', async () => {
    const userId = 'whale';
    const put = (item: Record<string, { S: string } | { N: string }>) => raw.send(new PutItemCommand({ TableName: market.tableName, Item: item }));
    await put({
      pk: { S: keys.account(userId).pk }, sk: { S: keys.account(userId).sk }, entity: { S: 'account' }, userId: { S: userId },
      balance: { N: String(max - 10) }, held: { N: '0' }, updatedAt: { S: now() },
    });
    const credit = keys.credit(userId, 'credit-1');
    await put({
      pk: { S: credit.pk }, sk: { S: credit.sk }, entity: { S: 'credit' }, userId: { S: userId }, creditId: { S: 'credit-1' }, at: { S: now() },
      kind: { S: 'sale' }, reference: { S: 'lst-x' }, balanceDelta: { N: '1000' }, heldDelta: { N: '0' },
    });
    const { applyPendingCredits } = await import('../../functions/usecases/pending-credits.js');
    await assert.rejects(applyPendingCredits(userId, new Date()), (error: { code?: string }) => error.code === 'BALANCE_LIMIT');
    assert.equal(await storedNumber(keys.account(userId), 'balance'), String(max - 10));
    assert.equal(await storedNumber(credit, 'balanceDelta'), '1000', 'the credit is still pending');
    const account = await market.call('GET', '/accounts', { token: await tokenFor(userId) });
    assert.equal(account.status, 200);
    assert.equal(account.body.balance, max);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { routes } from '../../functions/routes.js';
import * as responses from '../../functions/schemas/responses.js';
import * as paymentSchemas from '../../functions/schemas/payments.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

let market: TestMarketplace;
let token: string;
before(async () => {
  market = await startTestMarketplace();
  token = await market.token('user-1');
});
after(async () => { await market.stop(); });

const get = (path: string, as = token) => market.call('GET', path, { token: as });

/** What the table holds under a partition, read directly, to hold the API to it. */
async function stored(index: string | undefined, pkName: string, pk: string) {
  const out = await market.doc.send(new QueryCommand({
    TableName: market.tableName, IndexName: index,
    KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': pkName }, ExpressionAttributeValues: { ':pk': pk },
  }));
  return out.Items ?? [];
}

describe('GET /accounts', () => {
  it("returns the caller's balance and held funds, consistent with top-ups and open offers", async () => {
    const answer = await get('/accounts');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    responses.account.parse(answer.body);
    assert.equal(answer.body.userId, 'user-1');
    const topups = (await stored(undefined, 'pk', 'USER#user-1')).filter((i) => i.entity === 'topup');
    const total = topups.reduce((sum, t) => sum + (t.amount as number), 0);
    assert.equal(answer.body.balance + answer.body.held, total);
    assert.ok(answer.body.held > 0, 'user-1 has open offers');
  });

  it('gives a verified user with no account a zero-balance account', async () => {
    const answer = await get('/accounts', await market.token('brand-new-user'));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { userId: 'brand-new-user', balance: 0, held: 0, updatedAt: null });
  });
});

describe('GET /nft/my', () => {
  it('pages through exactly the NFTs the caller owns', async () => {
    const owned = (await stored('gsi1', 'gsi1pk', 'OWNER#user-1')).map((i) => i.nftId).sort();
    assert.ok(owned.length > 1);
    const { items } = await collectAllPages<any>((cursor) => get(`/nft/my?limit=1${cursor ? `&cursor=${cursor}` : ''}`), (n) => n.nftId);
    items.forEach((item) => responses.ownedNft.parse(item));
    assert.deepEqual(items.map((n) => n.nftId).sort(), owned);
  });

  it('filters by collection', async () => {
    const answer = await get('/nft/my?collectionId=col-1&limit=100');
    assert.equal(answer.status, 200);
    assert.ok(answer.body.items.length > 0);
    assert.ok(answer.body.items.every((n: { collectionId: string }) => n.collectionId === 'col-1'));
    const other = await get('/nft/my?collectionId=col-999');
    assert.deepEqual(other.body, { items: [], nextCursor: null, asOf: other.body.asOf });
  });
});

describe('GET /offers/my', () => {
  it('lists offers made, newest first, and only the caller\'s', async () => {
    const { items } = await collectAllPages<any>((cursor) => get(`/offers/my?limit=1${cursor ? `&cursor=${cursor}` : ''}`), (o) => o.offerId);
    assert.ok(items.length > 0);
    items.forEach((item) => responses.offer.parse(item));
    assert.ok(items.every((o) => o.buyer === 'user-1'));
    const created = items.map((o) => o.createdAt);
    assert.deepEqual(created, [...created].sort().reverse());
    const made = await stored('gsi1', 'gsi1pk', 'OFFERS_BY#user-1');
    assert.equal(items.length, made.length);
  });

  it('lists offers received with role=received and filters by status', async () => {
    const received = await get('/offers/my?role=received');
    assert.equal(received.status, 200);
    assert.ok(received.body.items.length > 0);
    const held = new Set((await stored('gsi1', 'gsi1pk', 'HOLDINGS#user-1')).map((h) => h.collectionId));
    assert.ok(held.size > 0);
    assert.ok(received.body.items.every((o: { recipient: string | null; collectionId: string }) =>
      o.recipient === 'user-1' || (o.recipient === null && held.has(o.collectionId))), 'offers on their NFTs, or collection offers on collections they hold');
    assert.ok(received.body.items.some((o: { recipient: string | null }) => o.recipient === null), 'collection offers are received too');
    // Each status as seen by a user who has offers in it (the seed's expired ones are a few users'; it cancels none).
    const canceller = await market.token('offer-canceller');
    const topup = await market.call('POST', '/users/balance-topups', { token: canceller, body: { amount: 100 }, headers: { 'idempotency-key': 'cancelled-offer' } });
    assert.equal(topup.status, 201, JSON.stringify(topup.body));
    const offer = await market.call('POST', '/offers', { token: canceller, body: { nftId: 'nft-2', amount: 100, expiresAt: new Date(Date.now() + 86_400_000).toISOString() } });
    assert.equal(offer.status, 201, JSON.stringify(offer.body));
    assert.equal((await market.call('DELETE', `/offers/${offer.body.offerId}`, { token: canceller })).status, 200);
    const users = [...Array.from({ length: 20 }, (_, i) => `user-${i + 1}`), 'offer-canceller'];
    for (const status of ['open', 'expired', 'cancelled']) {
      let answer;
      for (const user of users) {
        answer = await get(`/offers/my?status=${status}&limit=100`, await market.token(user));
        assert.equal(answer.status, 200);
        if (answer.body.items.length > 0) break;
      }
      assert.ok(answer!.body.items.length > 0, `a seeded user has ${status} offers`);
      assert.ok(answer!.body.items.every((o: { status: string }) => o.status === status), status);
    }
    const open = await get('/offers/my?status=open&limit=100');
    const account = await get('/accounts');
    const heldByOffers = open.body.items.reduce((sum: number, o: { amount: number }) => sum + o.amount, 0);
    assert.ok(heldByOffers <= account.body.held, 'open offers are backed by held funds');
  });

  it('rejects an unknown role or status', async () => {
    assert.equal((await get('/offers/my?role=stolen')).status, 400);
    assert.equal((await get('/offers/my?status=won')).status, 400);
  });
});

describe('GET /users/balance-topups', () => {
  it("pages through the caller's top-ups newest first", async () => {
    const { items } = await collectAllPages<any>((cursor) => get(`/users/balance-topups?limit=2${cursor ? `&cursor=${cursor}` : ''}`), (t) => t.topupId);
    assert.ok(items.length >= 2);
    items.forEach((item) => paymentSchemas.topup.parse(item));
    // The seed's top-ups were paid before payments went through the provider: they show as succeeded.
    assert.ok(items.every((t) => t.status === 'succeeded'));
    const created = items.map((t) => t.createdAt);
    assert.deepEqual(created, [...created].sort().reverse());
    assert.ok(items.every((t) => t.topupId.startsWith('top-user-1-')));
  });
});

describe('authentication on user routes', () => {
  const userRoutes = routes.filter((r) => r.auth === 'user');

  it('answers 401 without a token, with a malformed one, or with one signed by someone else', async () => {
    const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from('not the signature').toString('base64url')}`;
    for (const route of userRoutes) {
      for (const authorization of [undefined, 'Bearer', 'Bearer abc.def.ghi', `Bearer ${forged}`, `Basic ${token}`]) {
        const answer = await market.call(route.method, route.path, { headers: authorization ? { authorization } : {} });
        assert.equal(answer.status, 401, `${route.method} ${route.path} with ${authorization}`);
      }
    }
  });

  it('answers 401 for an expired token', async () => {
    const expired = await market.runtime.issuer.sign({ sub: 'user-1', expiresInSeconds: -60 });
    assert.equal((await get('/accounts', expired)).status, 401);
  });

  it("cannot read another user's data through a cursor from their list", async () => {
    const theirs = await get('/users/balance-topups?limit=1', await market.token('user-2'));
    const answer = await get(`/users/balance-topups?cursor=${theirs.body.nextCursor}`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'INVALID_CURSOR');
  });
});

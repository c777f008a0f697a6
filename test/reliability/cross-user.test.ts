// No cross-user access: user A can never read or change user B's account, top-ups, offers, NFTs, listings,
// auctions or bids, whatever ids, fields, headers or cursors A sends. Every user route is either probed
// here or listed with the reason it acts on others' records by design.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { feedChannels } from '../../functions/domain/feed-events.js';
import { keys } from '../../functions/data/keys.js';
import { routes } from '../../functions/routes.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';
import { describeDiff, snapshotDiff, settledSnapshot } from './support.js';

type Item = Record<string, any>;

const A = 'user-1';
let market: TestMarketplace;
let tokenA: string;
let creatorA: string;
let items: Item[];
const nowIso = () => new Date().toISOString();

before(async () => {
  // Small enough that a table snapshot around every refused request is cheap.
  market = await startTestMarketplace({ seed: { collections: 4, nfts: 80, listings: 25, auctions: 12, presales: 6, users: 8 } });
  tokenA = await market.token(A);
  creatorA = await market.token(A, ['creators']);
  items = (await settledSnapshot(market)).map((text) => JSON.parse(text));
});
after(async () => { await market?.stop(); });

const of = (entity: string) => items.filter((i) => i.entity === entity);
function someone<T extends Item>(list: T[], what: string): T {
  const found = list[0];
  assert.ok(found, `the seed has ${what}`);
  return found;
}
const asA = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = tokenA) =>
  market.call(method, path, { token, headers, ...(body === undefined ? {} : { body }) });

/** Runs a request A must not be able to make: 403 or 404 (or another 4xx where named), and the table unchanged. */
async function refused(label: string, run: () => Promise<ApiAnswer>, allowed = [403, 404]): Promise<ApiAnswer> {
  const before = await settledSnapshot(market);
  const answer = await run();
  assert.ok(allowed.includes(answer.status), `${label}: ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(typeof answer.body?.error?.code, 'string', label);
  const diff = snapshotDiff(before, await settledSnapshot(market));
  assert.ok(diff.added.length === 0 && diff.removed.length === 0, `${label} changed the table: ${describeDiff(diff)}`);
  return answer;
}

const smuggled = (b: string) => ({
  query: `userId=${b}&sub=${b}&owner=${b}&buyer=${b}&recipient=${b}&user=${b}`,
  headers: { 'x-user-id': b, 'x-amzn-oidc-identity': b, 'x-forwarded-user': b, 'x-remote-user': b },
});
const cursorFor = (record: Item) => Buffer.from(JSON.stringify(record)).toString('base64url');

/** A batch A sends about B's records: 200, each of them refused with `code`, and the table unchanged. */
async function refusedItems(label: string, run: () => Promise<ApiAnswer>, code: string): Promise<void> {
  const before = await settledSnapshot(market);
  const answer = await run();
  assert.equal(answer.status, 200, `${label}: ${JSON.stringify(answer.body)}`);
  assert.ok(answer.body.results.every((r: Item) => r.error?.code === code), `${label}: ${JSON.stringify(answer.body.results)}`);
  const diff = snapshotDiff(before, await settledSnapshot(market));
  assert.ok(diff.added.length === 0 && diff.removed.length === 0, `${label} changed the table: ${describeDiff(diff)}`);
}

/** Each user route id → the probe that tries it against another user's records. */
const probes: Record<string, () => Promise<void>> = {
  async getAccount() {
    const b = someone(of('account').filter((a) => a.userId !== A && a.balance > 0), "another user's account");
    const { query, headers } = smuggled(b.userId);
    const answer = await asA('GET', `/accounts?${query}`, undefined, headers);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.userId, A);
    const mine = of('account').find((a) => a.userId === A);
    assert.equal(answer.body.balance, mine?.balance ?? 0);
  },

  async listMyTopups() {
    const b = someone(of('topup').filter((t) => t.userId !== A), "another user's top-up").userId as string;
    const { query, headers } = smuggled(b);
    const answer = await asA('GET', `/users/balance-topups?limit=100&${query}`, undefined, headers);
    assert.equal(answer.status, 200);
    const mine = new Set(of('topup').filter((t) => t.userId === A).map((t) => t.topupId));
    assert.ok(answer.body.items.every((t: Item) => mine.has(t.topupId)), 'only A\'s top-ups');
    const theirs = await market.call('GET', '/users/balance-topups?limit=1', { token: await market.token(b) });
    const cursors = [theirs.body.nextCursor, cursorFor({ pk: `USER#${b}`, sk: 'TOPUP#9999' }), cursorFor({ pk: `USER#${b}`, sk: 'ACCOUNT' })];
    for (const cursor of cursors) {
      const stolen = await asA('GET', `/users/balance-topups?cursor=${cursor}`);
      assert.equal(stolen.status, 400, `cursor ${cursor}`);
      assert.equal(stolen.body.error.code, 'INVALID_CURSOR');
    }
  },

  async listMyNfts() {
    const b = someone(of('nft').filter((n) => n.owner !== A), "another user's NFT").owner as string;
    const { query, headers } = smuggled(b);
    const answer = await asA('GET', `/nft/my?limit=100&${query}`, undefined, headers);
    assert.equal(answer.status, 200);
    const mine = new Set(of('nft').filter((n) => n.owner === A).map((n) => n.nftId));
    assert.ok(answer.body.items.length > 0 && answer.body.items.every((n: Item) => mine.has(n.nftId)), 'only A\'s NFTs');
    const theirs = await market.call('GET', '/nft/my?limit=1', { token: await market.token(b) });
    const theirNft = of('nft').find((n) => n.owner === b)!;
    for (const cursor of [theirs.body.nextCursor, cursorFor({ pk: theirNft.pk, sk: theirNft.sk, gsi1pk: `OWNER#${b}`, gsi1sk: theirNft.gsi1sk })]) {
      const stolen = await asA('GET', `/nft/my?cursor=${cursor}`);
      assert.equal(stolen.status, 400);
      assert.equal(stolen.body.error.code, 'INVALID_CURSOR');
    }
  },

  async listMyOffers() {
    const b = someone(of('offer').filter((o) => o.buyer !== A && o.recipient && o.recipient !== A), 'an offer between others');
    const { query, headers } = smuggled(b.buyer);
    for (const role of ['made', 'received']) {
      const answer = await asA('GET', `/offers/my?role=${role}&limit=100&${query}`, undefined, headers);
      assert.equal(answer.status, 200);
      // Received: offers on A's NFTs, or open collection offers by others on collections A holds.
      const heldByA = new Set(of('holder').filter((h) => h.userId === A && h.count > 0).map((h) => h.collectionId));
      const isAs = (o: Item) => (role === 'made' ? o.buyer === A : o.recipient === A || (o.recipient === null && o.buyer !== A && heldByA.has(o.collectionId)));
      assert.ok(answer.body.items.every(isAs), `only A's offers (${role})`);
      const owner = role === 'made' ? b.buyer : b.recipient;
      const theirs = await market.call('GET', `/offers/my?role=${role}&limit=1`, { token: await market.token(owner) });
      const index = role === 'made' ? { gsi1pk: `OFFERS_BY#${owner}`, gsi1sk: b.gsi1sk } : { gsi2pk: `OFFERS_TO#${owner}`, gsi2sk: b.gsi2sk };
      for (const cursor of [theirs.body.nextCursor, cursorFor({ pk: b.pk, sk: b.sk, ...index })].filter(Boolean)) {
        const stolen = await asA('GET', `/offers/my?role=${role}&cursor=${cursor}`);
        assert.equal(stolen.status, 400);
        assert.equal(stolen.body.error.code, 'INVALID_CURSOR');
      }
    }
  },

  async listMyActivity() {
    const b = someone(of('user-activity').filter((a) => a.userId !== A), "another user's activity").userId as string;
    const { query, headers } = smuggled(b);
    const mine = of('user-activity').filter((a) => a.userId === A).map((a) => a.activityId).sort();
    assert.ok(mine.length > 0, 'the seed gives A activity of its own');
    for (const types of ['', '&types=listing,sale']) {
      const answer = await asA('GET', `/users/me/activity?limit=100${types}&${query}`, undefined, headers);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.items.map((a: Item) => a.activityId).sort(), mine, `only A's activity (${types || 'every type'})`);
      assert.ok(answer.body.items.every((a: Item) => a.role === 'seller' && a.actor === A));
      const theirs = await market.call('GET', `/users/me/activity?limit=1${types}`, { token: await market.token(b) });
      assert.equal(typeof theirs.body.nextCursor, 'string', `${b} has more than one page`);
      const forged = [cursorFor({ pk: `USER_ACTIVITY#${b}`, sk: '9999' }), cursorFor({ before: '9999', '~scope': 'x' })];
      for (const cursor of [theirs.body.nextCursor, ...forged]) {
        const stolen = await asA('GET', `/users/me/activity?cursor=${cursor}${types}`);
        assert.equal(stolen.status, 400, `cursor ${cursor}`);
        assert.equal(stolen.body.error.code, 'INVALID_CURSOR');
      }
    }
  },

  async cancelListing() {
    const listing = someone(of('listing').filter((l) => l.status === 'active' && l.seller !== A), "another user's active listing");
    const answer = await refused(`A cancels ${listing.seller}'s listing`, () => asA('DELETE', `/market/listings/${listing.listingId}`));
    assert.equal(answer.body.error.code, 'NOT_SELLER');
    await refused('A cancels it with the seller named in headers and body', () =>
      asA('DELETE', `/market/listings/${listing.listingId}?seller=${listing.seller}`, { seller: listing.seller }, smuggled(listing.seller).headers));
  },

  async createListing() {
    const free = someone(of('nft').filter((n) => n.owner !== A && !n.listingId && !n.auctionId), "another user's unlisted NFT");
    const answer = await refused(`A lists ${free.owner}'s NFT`, () => asA('POST', '/market/listings', { nftId: free.nftId, price: 1 }));
    assert.equal(answer.body.error.code, 'NOT_OWNER');
    const listed = someone(of('nft').filter((n) => n.owner !== A && n.listingId), "another user's listed NFT");
    await refused(`A lists ${listed.owner}'s listed NFT`, () => asA('POST', '/market/listings', { nftId: listed.nftId, price: 1 }), [403, 404, 409]);
    await refused('A lists it naming the owner as seller', () => asA('POST', '/market/listings', { nftId: free.nftId, price: 1, seller: free.owner }), [400, 403]);
  },

  async createListingsBatch() {
    const free = someone(of('nft').filter((n) => n.owner !== A && !n.listingId && !n.auctionId), "another user's unlisted NFT");
    await refusedItems(`A lists ${free.owner}'s NFT in a batch`, () => asA('POST', '/market/listings/batch', { items: [{ nftId: free.nftId, price: 1 }] }), 'NOT_OWNER');
    await refused('A lists it in a batch naming the owner as seller', () =>
      asA('POST', '/market/listings/batch', { items: [{ nftId: free.nftId, price: 1, seller: free.owner }] }, smuggled(free.owner).headers), [400]);
  },

  async cancelListingsBatch() {
    const listing = someone(of('listing').filter((l) => l.status === 'active' && l.seller !== A), "another user's active listing");
    await refusedItems(`A cancels ${listing.seller}'s listing in a batch`, () =>
      asA('POST', `/market/listings/cancel-batch?${smuggled(listing.seller).query}`, { listingIds: [listing.listingId] }, smuggled(listing.seller).headers), 'NOT_SELLER');
  },

  async sweepCollection() {
    // Sweeping others' listings is the point; A cannot sweep as B, with B's money, or get B's sweep under B's key.
    const listing = someone(of('listing').filter((l) => l.status === 'active' && l.seller !== A), 'an active listing');
    // B neither sells in the collection nor created it, so A's sweep pays B nothing by design.
    const paidBySweep = new Set([...of('listing').filter((l) => l.status === 'active' && l.collectionId === listing.collectionId).map((l) => l.seller),
      ...of('collection').filter((c) => c.collectionId === listing.collectionId).map((c) => c.creator)]);
    const b = someone(of('account').filter((a) => a.userId !== A && !paidBySweep.has(a.userId) && a.balance >= listing.price), 'a funded user outside the collection').userId as string;
    const body = { collectionId: listing.collectionId, maxItems: 1, maxPricePerItem: listing.price };
    await refused('A sweeps naming another buyer', () =>
      asA('POST', '/market/sweep', { ...body, buyer: b }, { 'idempotency-key': 'sweep-probe-0', ...smuggled(b).headers }), [400]);
    const tokenB = await market.token(b);
    const theirs = await market.call('POST', '/market/sweep', { token: tokenB, body, headers: { 'idempotency-key': 'sweep-probe-1' } });
    assert.equal(theirs.status, 200, JSON.stringify(theirs.body));
    const bAccount = (await market.call('GET', '/accounts', { token: tokenB })).body;
    const mine = await asA('POST', '/market/sweep', body, { 'idempotency-key': 'sweep-probe-1' });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.ok(mine.body.bought.every((p: Item) => !theirs.body.bought.some((t: Item) => t.listingId === p.listingId)), 'not B\'s answer');
    assert.deepEqual((await market.call('GET', '/accounts', { token: tokenB })).body, bAccount);
  },

  async cancelOffer() {
    const offer = someone(of('offer').filter((o) => o.status === 'open' && o.buyer !== A && o.expiresAt > nowIso()), "another user's open offer");
    const answer = await refused(`A cancels ${offer.buyer}'s offer`, () => asA('DELETE', `/offers/${offer.offerId}`));
    assert.equal(answer.body.error.code, 'NOT_OFFER_MAKER');
  },

  async acceptOffer() {
    const toOther = someone(of('offer').filter((o) => o.status === 'open' && o.nftId && o.recipient !== A && o.buyer !== A && o.expiresAt > nowIso()), 'an open offer to another user');
    await refused(`A accepts the offer made to ${toOther.recipient}`, () => asA('POST', `/offers/${toOther.offerId}/accept`, {}));
    await refused('A accepts it naming the NFT', () => asA('POST', `/offers/${toOther.offerId}/accept`, { nftId: toOther.nftId }), [403, 404, 409]);
    const notMine = someone(of('nft').filter((n) => n.owner !== A && n.collectionId === toOther.collectionId), "another user's NFT in that collection");
    await refused('A accepts naming an NFT A does not own', () => asA('POST', `/offers/${toOther.offerId}/accept`, { nftId: notMine.nftId }), [403, 404, 409]);
  },

  async createOffer() {
    // Offers are made on others' NFTs by design; what A cannot do is make one with B's money.
    const nft = someone(of('nft').filter((n) => n.owner !== A), "another user's NFT");
    const b = of('account').find((a) => a.userId !== A && a.userId !== nft.owner && a.balance > 0)!;
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    await refused('A offers with another buyer named', () =>
      asA('POST', '/offers', { nftId: nft.nftId, amount: 1, expiresAt, buyer: b.userId }, smuggled(b.userId).headers), [400]);
  },

  async createAuction() {
    const free = someone(of('nft').filter((n) => n.owner !== A && !n.listingId && !n.auctionId), "another user's unlisted NFT");
    const endsAt = new Date(Date.now() + 86_400_000).toISOString();
    const answer = await refused(`A auctions ${free.owner}'s NFT`, () => asA('POST', '/auctions/create', { nftId: free.nftId, reservePrice: 1, endsAt }));
    assert.equal(answer.body.error.code, 'NOT_OWNER');
  },

  async cancelAuction() {
    const theirs = of('auction').filter((a) => !a.settledAt && a.seller !== A && a.endsAt > nowIso());
    const auction = someone(theirs.filter((a) => a.highestBid === null), "another user's auction without a bid");
    const answer = await refused(`A cancels ${auction.seller}'s auction`, () => asA('POST', `/auctions/${auction.auctionId}/cancel`));
    assert.equal(answer.body.error.code, 'NOT_SELLER');
    await refused('A cancels it with the seller named in query, headers and body', () =>
      asA('POST', `/auctions/${auction.auctionId}/cancel?${smuggled(auction.seller).query}`, { seller: auction.seller }, smuggled(auction.seller).headers));
    const bidOn = someone(theirs.filter((a) => a.highestBid !== null), "another user's auction with a bid");
    assert.equal((await refused(`A cancels ${bidOn.seller}'s auction with a bid`, () => asA('POST', `/auctions/${bidOn.auctionId}/cancel`))).body.error.code, 'NOT_SELLER');
  },

  async placeBid() {
    // Bidding on others' auctions is the point; A cannot bid as, or for, B.
    const auction = someone(of('auction').filter((a) => !a.settledAt && a.seller !== A && a.endsAt > nowIso() && a.startsAt <= nowIso()), 'a live auction');
    await refused('A bids naming another bidder', () => asA('POST', `/auctions/${auction.auctionId}/bids`, { amount: 1, bidder: auction.seller }), [400]);
  },

  async createCollection() {
    await refused('A creates a collection for another creator', () =>
      asA('POST', '/market/collections', { name: 'Not mine', image: 'https://example.com/x.png', royaltyBps: 100, creator: 'user-2' }, {}, creatorA), [400]);
  },

  async createPresale() {
    const theirs = someone(of('collection').filter((c) => c.creator !== A), "another creator's collection");
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const endsAt = new Date(Date.now() + 7_200_000).toISOString();
    const answer = await refused(`A runs a presale of ${theirs.creator}'s collection`, () => asA('POST', '/presale/create', {
      collectionId: theirs.collectionId, price: 1, supply: 10, perWalletLimit: 1, startsAt, endsAt,
    }, {}, creatorA));
    assert.equal(answer.body.error.code, 'NOT_COLLECTION_CREATOR');
  },

  async purchasePresale() {
    const presale = someone(of('presale'), 'a presale');
    await refused('A buys for another wallet', () => asA('POST', `/presale/${presale.presaleId}/purchase`, { quantity: 1, buyer: 'user-2' }), [400]);
  },

  async createTopup() {
    // The same Idempotency-Key from two users is two top-ups: A never gets B's answer or B's credit.
    const b = 'user-2';
    const tokenB = await market.token(b);
    const key = 'shared-key-0001';
    const first = await market.call('POST', '/users/balance-topups', { token: tokenB, body: { amount: 700 }, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const bAccount = (await market.call('GET', '/accounts', { token: tokenB })).body;
    const aBefore = (await asA('GET', '/accounts')).body;
    const mine = await asA('POST', '/users/balance-topups', { amount: 300 }, { 'idempotency-key': key });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    assert.notEqual(mine.body.topupId, first.body.topupId);
    assert.equal(mine.body.amount, 300);
    assert.equal((await asA('GET', '/accounts')).body.balance, aBefore.balance + 300);
    assert.deepEqual((await market.call('GET', '/accounts', { token: tokenB })).body, bAccount);
    await refused('A tops up naming another user', () => asA('POST', '/users/balance-topups', { amount: 5, userId: b }, { 'idempotency-key': 'other-key-1' }), [400]);
  },

  async listMyWithdrawals() {
    const b = 'user-2';
    const tokenB = await market.token(b);
    const theirs = await market.call('POST', '/users/withdrawals', { token: tokenB, body: { amount: 1 }, headers: { 'idempotency-key': 'probe-wd-1' } });
    assert.equal(theirs.status, 201, JSON.stringify(theirs.body));
    await market.runtime.payments.idle();
    const { query, headers } = smuggled(b);
    const answer = await asA('GET', `/users/withdrawals?limit=100&${query}`, undefined, headers);
    assert.equal(answer.status, 200);
    assert.ok(answer.body.items.every((w: Item) => w.withdrawalId !== theirs.body.withdrawalId), 'only A\'s withdrawals');
    const page = await market.call('GET', '/users/withdrawals?limit=1', { token: tokenB });
    for (const cursor of [page.body.nextCursor, cursorFor({ pk: `USER#${b}`, sk: 'WITHDRAWAL#9999' })].filter(Boolean)) {
      const stolen = await asA('GET', `/users/withdrawals?cursor=${cursor}`);
      assert.equal(stolen.status, 400, `cursor ${cursor}`);
    }
  },

  async createWithdrawal() {
    // The same Idempotency-Key from two users is two withdrawals, each from its own balance; naming another user is a 400.
    const b = 'user-2';
    const tokenB = await market.token(b);
    const bBefore = (await market.call('GET', '/accounts', { token: tokenB })).body;
    const mine = await asA('POST', '/users/withdrawals', { amount: 1 }, { 'idempotency-key': 'probe-wd-shared' });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    await market.runtime.payments.idle();
    assert.deepEqual((await market.call('GET', '/accounts', { token: tokenB })).body, bBefore);
    const theirs = await market.call('POST', '/users/withdrawals', { token: tokenB, body: { amount: 1 }, headers: { 'idempotency-key': 'probe-wd-shared' } });
    assert.notEqual(theirs.body.withdrawalId, mine.body.withdrawalId);
    await market.runtime.payments.idle();
    await refused('A withdraws naming another user', () => asA('POST', '/users/withdrawals', { amount: 1, userId: b }, { 'idempotency-key': 'probe-wd-2' }), [400]);
  },

  async readFeed() {
    const b = someone(of('account').filter((a) => a.userId !== A), 'another user').userId as string;
    const channel = feedChannels.user(b);
    await market.doc.send(new PutCommand({
      TableName: market.tableName,
      Item: { ...keys.feedEntry(channel, 1), entity: 'feed-entry', channel, seq: 1, type: 'sale.sold', sourceId: 'probe', data: { listingId: 'probe' } },
    }));
    const { query, headers } = smuggled(b);
    await refused("A reads B's channel", () => asA('GET', `/feed?channel=${encodeURIComponent(channel)}&since=0&${query}`, undefined, headers), [403]);
    const own = await asA('GET', `/feed?channel=${encodeURIComponent(feedChannels.user(A))}&since=0&${query}`, undefined, headers);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.events.filter((e: Item) => e.channel !== feedChannels.user(A)), []);
  },
};

/** User routes that act on others' records by design, and why that is not cross-user access. */
const byDesign: Record<string, string> = {
  buyListing: "buying another user's listing is the purpose; it pays from the caller's balance only",
  settleAuction: 'anyone may settle an ended auction; it moves NFT and funds between its seller and top bidder only',
};

describe('cross-user access', () => {
  it('every user route is probed here or listed with why it touches others\' records', () => {
    const unprobed = routes.filter((r) => r.auth === 'user' && !probes[r.id] && !byDesign[r.id]).map((r) => r.id);
    assert.deepEqual(unprobed, [], 'add a cross-user probe for these new user routes');
  });

  for (const route of routes.filter((r) => r.auth === 'user' && probes[r.id])) {
    it(`${route.method} ${route.path} (${route.id}): A cannot read or change B's records`, async () => {
      await probes[route.id]!();
    });
  }
});

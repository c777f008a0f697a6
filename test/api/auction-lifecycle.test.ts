// An auction's life from the seller's and the bidders' side: how long it may run, cancelling it before the
// first bid, bids that reach the end while they retry, and paging the live list while bids move ends.
// The marketplace reaches DynamoDB Local through the fault proxy, so a test can make one write lose a race.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/data/keys.js';
import { maxAuctionDays } from '../../functions/domain/trading-rules.js';
import { openApiDocument } from '../../functions/schemas/openapi-document.js';
import * as responses from '../../functions/schemas/responses.js';
import { startFaultProxy, type FaultProxy } from '../reliability/fault-proxy.js';
import { clock } from '../support/clock.js';
import { jobInvocation } from '../support/job-context.js';
import { auditTable } from '../support/table-audit.js';
import { collectAllPages, startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

// The default anti-sniping window (5 minutes): a bid on an auction ending within it moves its end.
process.env.ANTI_SNIPING_SECONDS = '300';

let proxy: FaultProxy;
let market: TestMarketplace;
let stopOwnDynamo: (() => Promise<void>) | undefined;
before(async () => {
  let upstream = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!upstream) {
    const { startDynamoDbLocal } = await import('../../local/dynamodb-local.js');
    const own = await startDynamoDbLocal({ port: 19_000 + Math.floor(Math.random() * 900) });
    upstream = own.endpoint;
    stopOwnDynamo = () => own.stop();
  }
  proxy = await startFaultProxy(upstream);
  market = await startTestMarketplace({ dynamoDbEndpoint: proxy.endpoint });
});
afterEach(() => clock.run()); // a test that failed with the clock stopped leaves it running for the next
after(async () => {
  await market?.stop();
  await proxy?.close();
  await stopOwnDynamo?.();
});

const tokens = new Map<string, string>();
async function call(userId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  if (!tokens.has(userId)) tokens.set(userId, await market.token(userId));
  return market.call(method, path, { token: tokens.get(userId)!, body, headers });
}
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
let topups = 0;
async function topUp(userId: string, amount: number): Promise<void> {
  const answer = await call(userId, 'POST', '/users/balance-topups', { amount }, { 'idempotency-key': `lifecycle-${++topups}` });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
}
async function freeNfts(userId: string): Promise<string[]> {
  const mine = await call(userId, 'GET', '/nft/my?limit=100');
  return mine.body.items.filter((n: { listingId: string | null; auctionId: string | null }) => !n.listingId && !n.auctionId)
    .map((n: { nftId: string }) => n.nftId);
}
async function createAuction(seller: string, nftId: string, endsAt: string, extra: Record<string, unknown> = {}) {
  const answer = await call(seller, 'POST', '/auctions/create', { nftId, reservePrice: 100, endsAt, ...extra });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as { auctionId: string; nftId: string; collectionId: string; endsAt: string; scheduledEndsAt: string };
}
const storedAuction = async (auctionId: string) =>
  (await market.doc.send(new GetCommand({ TableName: market.tableName, Key: keys.auction(auctionId), ConsistentRead: true }))).Item!;
const accountOf = async (userId: string) => {
  const { balance, held } = (await call(userId, 'GET', '/accounts')).body;
  return { balance, held };
};
const errorOf = (answer: { status: number; body: any }) => [answer.status, answer.body?.error?.code];

// First, while the test clock still agrees with DynamoDB Local's: once a test has moved it minutes ahead, the AWS SDK
// sees more than 5 minutes of clock skew in DynamoDB's answers and sends a failed call again, transaction and all
// (this test's cancelled first attempt would then land as it was).
describe('a bid reaching the end while it retries', () => {
  it('is refused when its first attempt lost a race and the retry comes after the end (409 AUCTION_NOT_LIVE)', async () => {
    const [nftId] = await freeNfts('user-8');
    await topUp('user-9', 10_000);
    const funds = await accountOf('user-9');
    // The local runtime imports a handler on its first call: do that now, not in the timed bid.
    assert.deepEqual(errorOf(await call('user-9', 'POST', '/auctions/auc-none/bids', { amount: 1_000 })), [404, 'AUCTION_NOT_FOUND']);
    const auction = await createAuction('user-8', nftId!, inFuture(3_000));
    const endsAtMs = Date.parse(auction.endsAt);
    const stored = await storedAuction(auction.auctionId);
    const lost: number[] = [];
    // The bid's first transaction is held past the end, then cancelled as by a concurrent transaction.
    proxy.rule = async (operation, body) => {
      if (operation !== 'TransactWriteItems' || lost.length > 0 || !body.includes(`"BID#`) || !body.includes(`AUCTION#${auction.auctionId}"`)) return undefined;
      lost.push(Date.now());
      await sleep(endsAtMs - Date.now() + 300);
      return 'conflict';
    };
    try {
      await sleep(endsAtMs - Date.now() - 1_500);
      assert.ok(Date.now() < endsAtMs - 1_000, 'the bid starts well before the end');
      const bid = await call('user-9', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 1_000 });
      assert.equal(lost.length, 1, 'the first attempt reached its write');
      assert.ok(lost[0]! < endsAtMs, 'before the end');
      assert.deepEqual(errorOf(bid), [409, 'AUCTION_NOT_LIVE'], JSON.stringify(bid.body));
    } finally {
      proxy.rule = undefined;
    }
    assert.deepEqual(await storedAuction(auction.auctionId), stored, 'no bid written, the end not moved');
    assert.deepEqual(await accountOf('user-9'), funds);
  });
});

describe('auction length', () => {
  it(`is at most ${maxAuctionDays} days from start to scheduled end: a longer one is a 400 naming endsAt, and the NFT stays free`, async () => {
    const [nftId] = await freeNfts('user-1');
    const startsAt = inFuture(3_600_000);
    const days = (n: number, plusMs = 0) => new Date(Date.parse(startsAt) + n * 86_400_000 + plusMs).toISOString();
    const tooLong = await call('user-1', 'POST', '/auctions/create', { nftId, reservePrice: 100, startsAt, endsAt: days(maxAuctionDays, 1) });
    assert.deepEqual(errorOf(tooLong), [400, 'VALIDATION_FAILED']);
    assert.deepEqual(tooLong.body.error.details, [{ path: 'endsAt', message: `must be within ${maxAuctionDays} days of startsAt` }]);
    const fromNow = await call('user-1', 'POST', '/auctions/create', { nftId, reservePrice: 100, endsAt: inFuture((maxAuctionDays + 1) * 86_400_000) });
    assert.deepEqual(errorOf(fromNow), [400, 'VALIDATION_FAILED']);
    assert.ok((await freeNfts('user-1')).includes(nftId!), 'the NFT is still free');
    const longest = await createAuction('user-1', nftId!, days(maxAuctionDays), { startsAt });
    assert.equal(longest.scheduledEndsAt, longest.endsAt);
  });

  it('is stated in the OpenAPI description of endsAt', () => {
    const document = openApiDocument() as any;
    const { $ref } = document.paths['/auctions/create'].post.requestBody.content['application/json'].schema;
    const endsAt = document.components.schemas[$ref.split('/').pop()].properties.endsAt;
    assert.match(endsAt.description, new RegExp(`at most ${maxAuctionDays} days after`));
  });
});

describe('cancelling an auction', () => {
  it('gives the NFT back to the seller, takes the auction off every list, and answers a retry the same', async () => {
    const seller = 'user-2';
    const [nftId] = await freeNfts(seller);
    const auction = await createAuction(seller, nftId!, inFuture(600_000));
    const stranger = await call('user-3', 'POST', `/auctions/${auction.auctionId}/cancel`);
    assert.deepEqual(errorOf(stranger), [403, 'NOT_SELLER']);

    const cancelled = await call(seller, 'POST', `/auctions/${auction.auctionId}/cancel`);
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    responses.auctionCancellation.parse(cancelled.body);
    assert.equal(cancelled.body.auctionId, auction.auctionId);
    const retried = await call(seller, 'POST', `/auctions/${auction.auctionId}/cancel`);
    assert.deepEqual([retried.status, retried.body], [200, cancelled.body]);
    assert.deepEqual(errorOf(await call('user-3', 'POST', `/auctions/${auction.auctionId}/cancel`)), [403, 'NOT_SELLER']);

    const mine = (await call(seller, 'GET', '/nft/my?limit=100')).body.items.find((n: { nftId: string }) => n.nftId === nftId);
    assert.deepEqual([mine?.auctionId, mine?.listingId], [null, null]);
    for (const status of ['live', 'upcoming', 'ended']) {
      const { items } = await collectAllPages<any>((cursor) => market.call('POST', '/auctions/', { body: { status, collectionId: auction.collectionId, limit: 100, cursor } }), (a) => a.auctionId);
      assert.ok(!items.some((a) => a.auctionId === auction.auctionId), `not in ${status}`);
    }
    await topUp('user-3', 10_000);
    assert.deepEqual(errorOf(await call('user-3', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 1_000 })), [409, 'AUCTION_CANCELLED']);
    const activity = await market.call('GET', `/market/activity?nftId=${nftId}&limit=5`);
    assert.equal(activity.body.items[0].kind, 'auction-cancellation');
    responses.page(responses.activity).parse(activity.body);

    await market.settle();
    clock.advance(Date.parse(auction.endsAt) - clock.now() + 100);
    const { handler: settleJob } = await import('../../functions/handlers/jobs/settle-auctions.js');
    const before = await storedAuction(auction.auctionId);
    await settleJob(...jobInvocation('settleEndedAuctions'));
    assert.deepEqual(await storedAuction(auction.auctionId), before, 'the settlement job leaves it alone');
    assert.equal(before.cancelledAt, cancelled.body.cancelledAt);
    assert.deepEqual(errorOf(await call('user-3', 'POST', `/auctions/${auction.auctionId}/settle`)), [409, 'AUCTION_CANCELLED']);
    const listed = await call(seller, 'POST', '/market/listings', { nftId, price: 5_000 });
    assert.equal(listed.status, 201, 'the seller trades the NFT again');
  });

  it('is refused once there is a bid, once it has ended, or once it is settled (409), and changes nothing then', async () => {
    const seller = 'user-4';
    const [withBid, ending] = await freeNfts(seller);
    const bidOn = await createAuction(seller, withBid!, inFuture(600_000));
    await topUp('user-5', 10_000);
    assert.equal((await call('user-5', 'POST', `/auctions/${bidOn.auctionId}/bids`, { amount: 500 })).status, 200);
    const [before, funds] = [await storedAuction(bidOn.auctionId), await accountOf('user-5')];
    assert.deepEqual(errorOf(await call(seller, 'POST', `/auctions/${bidOn.auctionId}/cancel`)), [409, 'AUCTION_HAS_BIDS']);
    assert.deepEqual(await storedAuction(bidOn.auctionId), before);
    assert.deepEqual(await accountOf('user-5'), funds, 'the bid stays held');

    // The clock stopped, then moved past the end: however long the requests take.
    await clock.stopped(async () => {
      const short = await createAuction(seller, ending!, inFuture(1_500));
      clock.advance(1_600);
      assert.deepEqual(errorOf(await call(seller, 'POST', `/auctions/${short.auctionId}/cancel`)), [409, 'AUCTION_ENDED']);
      assert.equal((await call('user-5', 'POST', `/auctions/${short.auctionId}/settle`)).status, 200);
      assert.deepEqual(errorOf(await call(seller, 'POST', `/auctions/${short.auctionId}/cancel`)), [409, 'AUCTION_SETTLED']);
    });
    assert.deepEqual(errorOf(await call(seller, 'POST', '/auctions/auc-none/cancel')), [404, 'AUCTION_NOT_FOUND']);
  });

  it('racing a first bid: exactly one wins, and money, holds, ownership and aggregates stay exact', async () => {
    const seller = 'user-6';
    const nfts = await freeNfts(seller);
    await topUp('user-7', 50_000);
    const outcomes: string[] = [];
    for (const nftId of nfts.slice(0, 4)) {
      const auction = await createAuction(seller, nftId, inFuture(600_000));
      const [cancel, bid] = await Promise.all([
        call(seller, 'POST', `/auctions/${auction.auctionId}/cancel`),
        call('user-7', 'POST', `/auctions/${auction.auctionId}/bids`, { amount: 1_000 }),
      ]);
      const said = (answer: { status: number; body: any }) => [answer.status, answer.body.error?.code].filter(Boolean).join(' ');
      const outcome = `cancel ${said(cancel)}, bid ${said(bid)}`;
      assert.ok(['cancel 200, bid 409 AUCTION_CANCELLED', 'cancel 409 AUCTION_HAS_BIDS, bid 200'].includes(outcome), outcome);
      outcomes.push(outcome);
    }
    await market.settle();
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, [], outcomes.join(', '));
  });
});

describe('paging the live list while bids move ends (anti-sniping)', () => {
  it('never repeats or skips an auction live throughout the walk, in scheduled-end order', async () => {
    const seller = 'user-10';
    const nfts = (await freeNfts(seller)).slice(0, 5);
    assert.equal(nfts.length, 5);
    // All end within the anti-sniping window, before any seeded live auction (those end 30 minutes on or later).
    const soon = [];
    for (const [i, nftId] of nfts.entries()) soon.push(await createAuction(seller, nftId, inFuture(90_000 + i * 10_000)));
    await topUp('user-11', 100_000);
    const liveIds = async () => (await collectAllPages<any>((cursor) => market.call('POST', '/auctions/', { body: { status: 'live', limit: 100, cursor } }), (a) => a.auctionId)).items.map((a) => a.auctionId as string);
    const liveAtStart = await liveIds();

    const walked: any[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await market.call('GET', `/auctions?status=live&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      walked.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
      pages += 1;
      if (pages === 1) {
        // The first page's first auction and one further on both take a bid that pushes their end out.
        for (const target of [soon[0]!, soon[3]!]) {
          const bid = await call('user-11', 'POST', `/auctions/${target.auctionId}/bids`, { amount: 1_000 });
          assert.equal(bid.status, 200, JSON.stringify(bid.body));
          assert.ok(bid.body.endsAt > target.endsAt, 'the bid moved the end');
        }
      }
    } while (cursor && pages < 100);
    const liveAtEnd = new Set(await liveIds());

    const ids = walked.map((a) => a.auctionId as string);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(repeated, [], `pages repeated ${repeated.join(', ')}`);
    const skipped = liveAtStart.filter((id) => liveAtEnd.has(id) && !ids.includes(id));
    assert.deepEqual(skipped, [], `pages skipped ${skipped.join(', ')}`);
    assert.ok(ids.includes(soon[0]!.auctionId) && ids.includes(soon[3]!.auctionId));
    const order = walked.map((a) => a.scheduledEndsAt as string);
    assert.deepEqual(order, [...order].sort(), 'ordered by scheduled end');
  });
});

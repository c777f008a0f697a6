import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jobInvocation } from '../support/job-context.js';
import { prng, runWeighted } from '../support/random-workload.js';
import { auditTable } from '../support/table-audit.js';
import { startTestMarketplace, type ApiAnswer, type TestMarketplace } from '../support/marketplace.js';

// Auctions in this workload last seconds, so anti-sniping must not keep pushing them out.
process.env.ANTI_SNIPING_SECONDS = '1';

/**
 * Operations in the randomized workload: 300 in `npm test` (a minute at most on a 2-core machine);
 * CONSERVATION_OPS raises it (`npm run test:conservation:long`: 5,000).
 */
const operationCount = Number(process.env.CONSERVATION_OPS ?? 300);
const workers = 6;
const seed = Number(process.env.CONSERVATION_SEED ?? 7);
/** Share of stream batches delivered twice (and earlier ones replayed): the aggregator must count each once. */
const duplicates = Number(process.env.STREAM_DUPLICATES ?? 0.3);
/** How long the stream consumer is stopped while trading goes on (the long run: 60). */
const pauseSeconds = Number(process.env.STREAM_PAUSE_SECONDS ?? 3);

let market: TestMarketplace;
before(async () => { market = await startTestMarketplace({ streams: { batchingWindowMs: 50, duplicates } }); });
after(async () => { await market.stop(); });

describe('conservation under a randomized concurrent workload', () => {
  it('the seeded marketplace starts consistent', async () => {
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });

  it(`keeps money, holds and ownership straight through ${operationCount} operations, stream records duplicated`, async () => {
    const summary = await runWorkload(operationCount, seed, true);
    await runJobsToTheEnd();
    await market.settle();
    const audit = await auditTable(market.doc, market.tableName);
    assert.deepEqual(audit.problems, []);
    const stats = market.runtime.streams!.stats();
    console.log(`stream: ${JSON.stringify(stats)}; pending credits at the end ${audit.totals.pendingCredits}; ${summary}`);
    assert.ok(stats.duplicatesInjected > 0 || duplicates === 0, 'records were delivered twice');
    assert.deepEqual(market.runtime.streams!.failures(), []);
  });

  it(`keeps trading while the stream consumer is stopped for ${pauseSeconds} s, then catches up exactly`, async () => {
    market.runtime.streams!.pause();
    const deadline = Date.now() + pauseSeconds * 1000;
    let operations = 0;
    while (Date.now() < deadline) {
      await runWorkload(60, seed + operations);
      operations += 60;
    }
    await runJobsToTheEnd();
    const lagWhilePaused = market.runtime.streams!.lag();
    const resumed = performance.now();
    market.runtime.streams!.resume();
    await market.settle();
    const catchUpMs = performance.now() - resumed;
    console.log(`stream paused ${pauseSeconds} s during ${operations} operations: lag ${lagWhilePaused} ms when resumed, caught up in ${catchUpMs.toFixed(0)} ms`);
    assert.ok(lagWhilePaused >= pauseSeconds * 1000 * 0.5, `lag ${lagWhilePaused} ms shows the consumer stopped`);
    assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
  });
});

/** Every kind of trade the workload makes: each must succeed at least once (a 2xx), or the audit proves little. */
const tradeKinds = [
  'topup', 'list', 'cancel-listing', 'buy', 'nft-offer', 'collection-offer', 'cancel-offer', 'accept-nft-offer', 'accept-collection-offer',
  'auction', 'bid', 'cancel-auction', 'settle', 'mint',
];

/** Let the jobs finish what time ran out on: ended auctions settle, expired offers release. */
async function runJobsToTheEnd(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const { handler: settle } = await import('../../functions/handlers/jobs/settle-auctions.js');
  const { handler: expire } = await import('../../functions/handlers/jobs/expire-offers.js');
  for (let round = 0; round < 20; round++) {
    const [settled, expired] = await Promise.all([settle(...jobInvocation('settleEndedAuctions')), expire(...jobInvocation('expireOffers'))]);
    if (settled.settled + settled.skipped + expired.expired + expired.skipped === 0) break;
  }
}

/** A randomized workload of `operationCount` operations from 20 users; throws on any 5xx. */
async function runWorkload(operationCount: number, seed: number, requireEveryKind = false): Promise<string> {
  {
    const random = prng(seed);
    const pick = (list: any[]): any => list[Math.floor(random() * list.length)];
    const amount = (max: number) => 1 + Math.floor(random() * max);
    const users = Array.from({ length: 20 }, (_, i) => `user-${i + 1}`);
    const tokens = new Map(await Promise.all(users.map(async (u) => [u, await market.token(u)] as const)));
    const call = (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      market.call(method, path, { token: tokens.get(user)!, body, headers });
    const outcomes = new Map<string, number>();
    const serverErrors: string[] = [];
    const record = (kind: string, answer: ApiAnswer) => {
      const key = `${kind} ${answer.status}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (answer.status >= 500) serverErrors.push(`${kind}: ${JSON.stringify(answer.body)}`);
    };
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
    let keys = 0;

    const operations: Array<[number, (user: string) => Promise<void>]> = [
      [10, async (user) => record('topup', await call(user, 'POST', '/users/balance-topups', { amount: amount(50_000) }, { 'idempotency-key': `w-${seed}-${++keys}` }))],
      [12, async (user) => {
        const mine = (await call(user, 'GET', '/nft/my?limit=50')).body.items.filter((n: any) => !n.listingId && !n.auctionId);
        const nft = pick(mine);
        if (nft) record('list', await call(user, 'POST', '/market/listings', { nftId: nft.nftId, price: amount(40_000) }));
      }],
      [4, async (user) => {
        const listed = (await call(user, 'GET', '/nft/my?limit=50')).body.items.filter((n: any) => n.listingId);
        const nft = pick(listed);
        if (nft) record('cancel-listing', await call(user, 'DELETE', `/market/listings/${nft.listingId}`));
      }],
      [14, async (user) => {
        const listings = (await market.call('POST', '/market/', { body: { sort: random() < 0.5 ? 'price_asc' : 'newest', limit: 20 } })).body.items;
        const listing = pick(listings);
        if (listing) record('buy', await call(user, 'POST', `/market/listings/${listing.listingId}/buy`));
      }],
      [10, async (user) => {
        const listings = (await market.call('POST', '/market/', { body: { limit: 30 } })).body.items;
        const target = pick(listings);
        if (!target) return;
        const [kind, body] = random() < 0.7 ? ['nft-offer', { nftId: target.nftId }] : ['collection-offer', { collectionId: target.collectionId }];
        record(kind, await call(user, 'POST', '/offers', { ...body, amount: amount(20_000), expiresAt: soon(500 + random() * 8_000) }));
      }],
      [4, async (user) => {
        const open = (await call(user, 'GET', '/offers/my?status=open&limit=20')).body.items;
        const offer = pick(open);
        if (offer) record('cancel-offer', await call(user, 'DELETE', `/offers/${offer.offerId}`));
      }],
      [8, async (user) => {
        const received = (await call(user, 'GET', '/offers/my?role=received&status=open&limit=20')).body.items;
        const offer = pick(received);
        if (!offer) return;
        if (offer.nftId) {
          // Offers are made on listed NFTs: the owner takes the NFT off the market to accept one.
          const nft = (await call(user, 'GET', `/nft/my?limit=50&collectionId=${offer.collectionId}`)).body.items.find((n: any) => n.nftId === offer.nftId);
          if (nft?.listingId) record('cancel-listing', await call(user, 'DELETE', `/market/listings/${nft.listingId}`));
          record('accept-nft-offer', await call(user, 'POST', `/offers/${offer.offerId}/accept`, {}));
          return;
        }
        // A collection offer is accepted with one of the caller's NFTs of the collection, free to sell.
        const mine = (await call(user, 'GET', `/nft/my?collectionId=${offer.collectionId}&limit=50`)).body.items.filter((n: any) => !n.listingId && !n.auctionId);
        const nft = pick(mine);
        if (nft) record('accept-collection-offer', await call(user, 'POST', `/offers/${offer.offerId}/accept`, { nftId: nft.nftId }));
      }],
      [4, async (user) => {
        const mine = (await call(user, 'GET', '/nft/my?limit=50')).body.items.filter((n: any) => !n.listingId && !n.auctionId);
        const nft = pick(mine);
        if (!nft) return;
        const created = await call(user, 'POST', '/auctions/create', { nftId: nft.nftId, reservePrice: amount(5_000), endsAt: soon(1_000 + random() * 4_000) });
        record('auction', created);
        // Some sellers change their mind at once, before the first bid (later, most auctions have one).
        if (created.status === 201 && random() < 0.3) record('cancel-auction', await call(user, 'POST', `/auctions/${created.body.auctionId}/cancel`));
      }],
      [12, async (user) => {
        const live = (await market.call('POST', '/auctions/', { body: { status: 'live', limit: 30 } })).body.items;
        const auction = pick(live);
        if (auction) {
          const minimum = auction.highestBid === null ? auction.reservePrice : Math.ceil(auction.highestBid * 1.05) + 1;
          record('bid', await call(user, 'POST', `/auctions/${auction.auctionId}/bids`, { amount: minimum + amount(2_000) }));
        }
      }],
      [3, async (user) => {
        const auctioned = (await call(user, 'GET', '/nft/my?limit=50')).body.items.filter((n: any) => n.auctionId);
        const nft = pick(auctioned);
        if (nft) record('cancel-auction', await call(user, 'POST', `/auctions/${nft.auctionId}/cancel`));
      }],
      [4, async (user) => {
        const ended = (await market.call('POST', '/auctions/', { body: { status: 'ended', limit: 10 } })).body.items;
        const auction = pick(ended);
        if (auction) record('settle', await call(user, 'POST', `/auctions/${auction.auctionId}/settle`));
      }],
      [6, async (user) => {
        const live = (await market.call('POST', '/presale/', { body: { status: 'live', limit: 20 } })).body.items;
        const presale = pick(live);
        if (presale) record('mint', await call(user, 'POST', `/presale/${presale.presaleId}/purchase`, { quantity: amount(2) }));
      }],
    ];
    await runWeighted(operations, operationCount, workers, random, () => pick(users)!);

    const summary = [...outcomes.entries()].sort().map(([k, v]) => `${k}: ${v}`).join(', ');
    assert.deepEqual(serverErrors, []);
    if (requireEveryKind) {
      const succeeded = (kind: string) => [...outcomes].filter(([k]) => k.startsWith(`${kind} 2`)).reduce((sum, [, n]) => sum + n, 0);
      const none = tradeKinds.filter((kind) => succeeded(kind) === 0);
      assert.deepEqual(none, [], `every kind of trade happened at least once: ${summary}`);
    }
    return `workload (seed ${seed}): ${summary}`;
  }
}

import '../support/metrics-on.js';
// The scheduled jobs (settle ended auctions, expire offers) survive bad items: an item the job fails on is
// logged with its id, counted, moved back in the due index and reported; everything due behind it is done in
// the same run, and the invocation then fails naming it (Lambda's on-failure destination gets that).
// The bad items are real ones with one corrupt field, at the head of the due index.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/data/keys.js';
import { metricNames, metricsNamespace } from '../../functions/observability/metric-names.js';
import { captureStderr, captureStdout } from '../support/captured-output.js';
import { clock } from '../support/clock.js';
import { jobInvocation } from '../support/job-context.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { auditTable } from '../support/table-audit.js';
import { inFuture, tradingFixtures } from '../support/trading-fixtures.js';

// No anti-sniping: a bid just before the end must not move it (the rule is tested elsewhere).
process.env.ANTI_SNIPING_SECONDS = '0';

let market: TestMarketplace;
let fx: ReturnType<typeof tradingFixtures>;
before(async () => {
  market = await startTestMarketplace({ seed: null });
  fx = tradingFixtures(market);
});
after(async () => { await market?.stop(); });
afterEach(() => clock.run()); // a test that failed with the clock stopped leaves it running for the next

const stored = async (key: { pk: string; sk: string }) =>
  (await market.doc.send(new GetCommand({ TableName: market.tableName, Key: key, ConsistentRead: true }))).Item!;
const corrupt = (key: { pk: string; sk: string }, field: string, value: unknown) =>
  market.doc.send(new UpdateCommand({
    TableName: market.tableName, Key: key, UpdateExpression: 'SET #field = :value',
    ExpressionAttributeNames: { '#field': field }, ExpressionAttributeValues: { ':value': value },
  }));
/** Moves the test's clock (the handlers') past `iso`, once the stream consumers are idle. */
const untilPast = async (iso: string) => {
  await market.settle();
  clock.advance(Math.max(0, Date.parse(iso) - clock.now() + 50));
};
const owner = async (nftId: string) => (await stored(keys.nft(nftId))).owner as string;
const account = async (userId: string) => fx.expectStatus(await fx.call(userId, 'GET', '/accounts'), 200) as { balance: number; held: number };

async function auditClean(): Promise<void> {
  await market.settle();
  assert.deepEqual((await auditTable(market.doc, market.tableName)).problems, []);
}

/**
 * Auctions of fresh NFTs of `seller`, in this order of end (`endsInMs` apart, the first 3 s after they are all
 * set up), each with a bid of 1,000 by `bidder` or none; resolves once they have all ended.
 */
async function endedAuctions(seller: string, plan: Array<{ endsInMs: number; bidder?: string }>): Promise<Array<{ auctionId: string; nftId: string }>> {
  const { presaleId } = await fx.freshCollection();
  const nftIds = [];
  for (const { bidder } of plan) {
    nftIds.push(await fx.mint(presaleId, seller));
    if (bidder) await fx.topUp(bidder, 1_000);
  }
  // The clock stopped while they are set up: every bid surely before the end, however slow the machine.
  clock.stop();
  const start = clock.now() + 3_000;
  const made = [];
  for (const [i, { endsInMs, bidder }] of plan.entries()) {
    const nftId = nftIds[i]!;
    const endsAt = new Date(start + endsInMs).toISOString();
    const { auctionId } = fx.expectStatus(await fx.call(seller, 'POST', '/auctions/create', { nftId, reservePrice: 1_000, endsAt }), 201);
    if (bidder) fx.expectStatus(await fx.call(bidder, 'POST', `/auctions/${auctionId}/bids`, { amount: 1_000 }), 200);
    made.push({ auctionId, nftId });
  }
  clock.advance(start + Math.max(...plan.map((p) => p.endsInMs)) - clock.now() + 50);
  clock.run();
  return made;
}

describe('the settlement job with a poisoned auction at the head of the due index', () => {
  it('settles the auctions behind it, logs and counts it, moves it back, and fails the run naming it', async () => {
    const [poisoned, sold, unsold] = await endedAuctions('settle-seller', [
      { endsInMs: 0, bidder: 'settle-bidder-1' }, { endsInMs: 100, bidder: 'settle-bidder-2' }, { endsInMs: 100 },
    ]);
    // A corrupt field: the auction names a collection that does not exist, so its sale cannot pay a royalty.
    await corrupt(keys.auction(poisoned!.auctionId), 'collectionId', 'col-gone');

    const { handler } = await import('../../functions/handlers/jobs/settle-auctions.js');
    const [output, errors] = [captureStdout(), captureStderr()];
    let lines: Array<Record<string, any>>;
    try {
      await assert.rejects(handler(...jobInvocation('settleEndedAuctions')), (error: Error) => {
        assert.equal(error.name, 'JobItemsFailedError');
        assert.match(error.message, new RegExp(`settleEndedAuctions: 1 due item\\(s\\) failed.*: ${poisoned!.auctionId}$`));
        return true;
      });
    } finally {
      output.stop();
      errors.stop();
      lines = [...output.json(), ...errors.json()];
    }
    const failure = lines.find((line) => line.message === 'job item failed; retried later');
    assert.ok(failure, 'the failure is logged');
    assert.deepEqual([failure.level, failure.job, failure.itemId, failure.failures], ['ERROR', 'settleEndedAuctions', poisoned!.auctionId, 1]);
    assert.match(JSON.stringify(failure.error), /AUCTION_NOT_FOUND|No such auction/);
    const counted = lines.filter((line) => line._aws?.CloudWatchMetrics?.[0]?.Namespace === metricsNamespace && line[metricNames.jobItemFailures] !== undefined);
    assert.deepEqual(counted.map((line) => [line.job, line[metricNames.jobItemFailures]]), [['settleEndedAuctions', 1]]);

    // Everything behind it was settled in the same run.
    assert.equal(await owner(sold!.nftId), 'settle-bidder-2');
    assert.equal((await stored(keys.auction(sold!.auctionId))).settledAt !== null, true);
    assert.deepEqual(Object.values(await account('settle-bidder-2')).slice(1, 3), [0, 0], 'the winner paid from the hold');
    assert.equal((await stored(keys.nft(unsold!.nftId))).auctionId, null, 'the unsold NFT is free again');
    // The poisoned one: unsettled, its bid still held, waiting a minute in the due index.
    const bad = await stored(keys.auction(poisoned!.auctionId));
    assert.equal(bad.settledAt, null);
    assert.equal(bad.jobFailures, 1);
    assert.match(bad.jobError, /NotFoundError: No such auction/);
    const retryAt = (bad.gsi5sk as string).split('#')[0]!;
    assert.ok(Date.parse(retryAt) - Date.parse(bad.jobFailedAt) === 60_000, `retry a minute later: ${retryAt}`);
    assert.deepEqual([(await account('settle-bidder-1')).held, await owner(poisoned!.nftId)], [1_000, 'settle-seller']);
    await auditClean();

    // The next run does not meet it before its retry time.
    assert.deepEqual(await handler(...jobInvocation('settleEndedAuctions')), { settled: 0, skipped: 0, failed: [], leftForNextRun: 0 });

    // Retried at its time: failing again doubles the wait; once the field is repaired, it settles.
    const { settleDueAuctions } = await import('../../functions/usecases/auctions.js');
    const { tradingConfig } = await import('../../functions/domain/trading-config.js');
    const options = { job: 'settleEndedAuctions' };
    assert.deepEqual(await settleDueAuctions(new Date(retryAt), tradingConfig(), options), { settled: 0, skipped: 0, failed: [poisoned!.auctionId], leftForNextRun: 0 });
    const again = await stored(keys.auction(poisoned!.auctionId));
    assert.equal(again.jobFailures, 2);
    assert.equal(Date.parse((again.gsi5sk as string).split('#')[0]!), Date.parse(retryAt) + 120_000);
    await corrupt(keys.auction(poisoned!.auctionId), 'collectionId', (await stored(keys.nft(poisoned!.nftId))).collectionId);
    const later = new Date(Date.parse(retryAt) + 120_000);
    assert.deepEqual(await settleDueAuctions(later, tradingConfig(), options), { settled: 1, skipped: 0, failed: [], leftForNextRun: 0 });
    assert.equal(await owner(poisoned!.nftId), 'settle-bidder-1');
    await auditClean();
  });

  it('never lets failed auctions starve the rest: with one item a run, the next run reaches the good one', async () => {
    const [poisoned, good] = await endedAuctions('starve-seller', [{ endsInMs: 0, bidder: 'starve-bidder' }, { endsInMs: 100 }]);
    await corrupt(keys.auction(poisoned!.auctionId), 'collectionId', 'col-gone');
    const { settleDueAuctions } = await import('../../functions/usecases/auctions.js');
    const { tradingConfig } = await import('../../functions/domain/trading-config.js');
    // One item a run stands for a page full of poisoned items: each run moves the ones it failed on back.
    const options = { job: 'settleEndedAuctions', limit: 1 };
    assert.deepEqual(await settleDueAuctions(new Date(), tradingConfig(), options), { settled: 0, skipped: 0, failed: [poisoned!.auctionId], leftForNextRun: 0 });
    assert.deepEqual(await settleDueAuctions(new Date(), tradingConfig(), options), { settled: 1, skipped: 0, failed: [], leftForNextRun: 0 });
    assert.equal((await stored(keys.nft(good!.nftId))).auctionId, null);
    await auditClean();
  });

  it('leaves the rest for the next run when its time runs short, instead of timing out', async () => {
    const [first, second] = await endedAuctions('timed-seller', [{ endsInMs: 0 }, { endsInMs: 0 }]);
    const { settleDueAuctions } = await import('../../functions/usecases/auctions.js');
    const { tradingConfig } = await import('../../functions/domain/trading-config.js');
    let left = 10_100; // 10 s are kept in reserve: one item fits
    const timeLeftMs = () => (left -= 100);
    assert.deepEqual(await settleDueAuctions(new Date(), tradingConfig(), { job: 'settleEndedAuctions', timeLeftMs }),
      { settled: 1, skipped: 0, failed: [], leftForNextRun: 1 });
    assert.deepEqual(await settleDueAuctions(new Date(), tradingConfig(), { job: 'settleEndedAuctions' }),
      { settled: 1, skipped: 0, failed: [], leftForNextRun: 0 });
    for (const { nftId } of [first!, second!]) assert.equal((await stored(keys.nft(nftId))).auctionId, null);
  });
});

describe('the expiry job with a poisoned offer at the head of the due index', () => {
  it('expires the offers behind it, returning their funds, moves it back, and fails the run naming it', async () => {
    const { presaleId } = await fx.freshCollection();
    const targets = [await fx.mint(presaleId, 'expiry-owner'), await fx.mint(presaleId, 'expiry-owner'), await fx.mint(presaleId, 'expiry-owner')];
    await fx.topUp('expiry-buyer', 3_000);
    // Made with the clock stopped: each surely before its expiry, however slow the machine.
    clock.stop();
    const ends = [inFuture(3_000), inFuture(3_300)];
    const offers = [];
    for (const [i, nftId] of targets.entries()) {
      offers.push(fx.expectStatus(await fx.call('expiry-buyer', 'POST', '/offers', { nftId, amount: 1_000, expiresAt: ends[i === 0 ? 0 : 1] }), 201).offerId as string);
    }
    clock.run();
    const [poisoned, ...good] = offers;
    // A corrupt field: the expiry stored as epoch milliseconds (a number), as a faulty import might write it.
    await corrupt(keys.offer(poisoned!), 'expiresAt', Date.parse(ends[0]!));
    await untilPast(ends[1]!);

    const { handler } = await import('../../functions/handlers/jobs/expire-offers.js');
    await assert.rejects(handler(...jobInvocation('expireOffers')), new RegExp(`expireOffers: 1 due item\\(s\\) failed.*: ${poisoned}$`));
    for (const offerId of good) assert.equal((await stored(keys.offer(offerId))).status, 'expired');
    const bad = await stored(keys.offer(poisoned!));
    assert.deepEqual([bad.status, bad.jobFailures], ['open', 1]);
    assert.ok((bad.gsi5sk as string) > new Date().toISOString(), 'moved back in the due index');
    const { balance, held } = await account('expiry-buyer');
    assert.deepEqual([balance, held], [2_000, 1_000], 'the good offers\' funds are back; the poisoned one\'s still held');
    await auditClean();
    assert.deepEqual(await handler(...jobInvocation('expireOffers')), { expired: 0, skipped: 0, failed: [], leftForNextRun: 0 });

    // With one offer a run, the poisoned one (due again) no longer stands in front of a newly expired one.
    clock.stop();
    const lateExpiry = inFuture(2_000);
    const late = fx.expectStatus(await fx.call('expiry-buyer', 'POST', '/offers', { nftId: targets[1], amount: 500, expiresAt: lateExpiry }), 201).offerId;
    clock.run();
    await untilPast(lateExpiry);
    const { expireDueOffers } = await import('../../functions/usecases/offers.js');
    const retryAt = new Date(Date.parse((bad.gsi5sk as string).split('#')[0]!) + 1_000);
    const options = { job: 'expireOffers', limit: 1 };
    assert.deepEqual(await expireDueOffers(retryAt, options), { expired: 1, skipped: 0, failed: [], leftForNextRun: 0 }, 'the newer one first: it was due before the retry');
    assert.equal((await stored(keys.offer(late)).then((o) => o.status)), 'expired');
    assert.deepEqual(await expireDueOffers(retryAt, options), { expired: 0, skipped: 0, failed: [poisoned!], leftForNextRun: 0 });
    await auditClean();
  });

  it('skips an offer cancelled after the due query read it (a lost race, not a failure)', async () => {
    const { presaleId } = await fx.freshCollection();
    const nftId = await fx.mint(presaleId, 'race-owner');
    await fx.topUp('race-buyer', 700);
    clock.stop();
    const expiresAt = inFuture(2_000);
    const { offerId } = fx.expectStatus(await fx.call('race-buyer', 'POST', '/offers', { nftId, amount: 700, expiresAt }), 201);
    clock.run();
    await untilPast(expiresAt);
    const listed = await stored(keys.offer(offerId));
    fx.expectStatus(await fx.call('race-buyer', 'DELETE', `/offers/${offerId}`), 200);
    // The index may list it a moment longer (GSIs are eventually consistent): the sweep's query reads it as due.
    const relist = (expression: string, values?: Record<string, unknown>) => market.doc.send(new UpdateCommand({
      TableName: market.tableName, Key: keys.offer(offerId), UpdateExpression: expression, ExpressionAttributeValues: values,
    }));
    await relist('SET gsi5pk = :p, gsi5sk = :s', { ':p': listed.gsi5pk, ':s': listed.gsi5sk });
    const { expireDueOffers } = await import('../../functions/usecases/offers.js');
    assert.deepEqual(await expireDueOffers(new Date(), { job: 'expireOffers' }), { expired: 0, skipped: 1, failed: [], leftForNextRun: 0 });
    const after = await stored(keys.offer(offerId));
    assert.deepEqual([after.status, after.jobFailures], ['cancelled', undefined], 'nothing recorded on it');
    await relist('REMOVE gsi5pk, gsi5sk');
    assert.deepEqual([(await account('race-buyer')).balance, (await account('race-buyer')).held], [700, 0]);
  });
});

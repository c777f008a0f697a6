// The local runtime runs the scheduled jobs of lib/jobs.ts on their schedules (local/scheduler.ts), fed the
// event EventBridge sends and a Lambda context, with Lambda's on-failure destination kept in memory; on by
// default in `npm start` (SCHEDULES=off turns it off), off in tests unless asked.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { keys } from '../../functions/data/keys.js';
import { jobs, type Job } from '../../lib/jobs.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { rateMs, startScheduler } from '../../local/scheduler.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';
import { tradingFixtures } from '../support/trading-fixtures.js';

process.env.ANTI_SNIPING_SECONDS = '0';

const testJob = (overrides: Partial<Job> = {}): Job => ({
  id: 'tickJob', handler: 'unused', schedule: 'rate(1 minute)', access: 'read', timeoutSeconds: 5, summary: 'test job', ...overrides,
});

/** Moves the mocked timers forward `ms`, 50 ms at a time, letting what each timer started run before the next. */
async function ticks(ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 50) {
    mock.timers.tick(50);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the local scheduler', () => {
  it('reads the period of each rate() schedule as EventBridge writes it, and refuses what it cannot run', () => {
    assert.equal(rateMs('rate(1 minute)'), 60_000);
    assert.equal(rateMs('rate(5 minutes)'), 300_000);
    assert.equal(rateMs('rate(2 hours)'), 7_200_000);
    assert.equal(rateMs('rate(1 day)'), 86_400_000);
    for (const bad of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(1 second)', 'cron(0 12 * * ? *)', 'every minute']) {
      assert.throws(() => rateMs(bad), /runs rate\(N minute/, bad);
    }
    // Due work every minute; the collections' stats windows hourly.
    for (const job of jobs) assert.equal(rateMs(job.schedule), job.id === 'refreshMarketWindows' ? 3_600_000 : 60_000, job.id);
  });

  it('invokes a job on its schedule with the EventBridge scheduled event and a Lambda context with its timeout', async () => {
    const calls: Array<{ event: ScheduledEvent; context: Context; at: number; left: number }> = [];
    // Timers and Date mocked: the scheduler's 250 ms are the test's ticks, exact on any machine.
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') });
    const started = Date.now();
    const scheduler = startScheduler({
      jobs: [{ job: testJob({ timeoutSeconds: 7 }), handler: async (event, context) => {
        calls.push({ event, context, at: Date.now(), left: context.getRemainingTimeInMillis() });
        return { ok: true };
      } }],
      everyMs: 250, log: () => undefined,
    });
    try {
      await ticks(900);
      assert.deepEqual(scheduler.schedules, [{ jobId: 'tickJob', everyMs: 250 }]);
      assert.deepEqual(calls.map(({ at }) => at - started), [250, 500, 750], 'one run each 250 ms, on the grid');
      for (const { event, context, left } of calls) {
        const { id, time, ...rest } = event;
        assert.match(id, /^[0-9a-f-]{36}$/);
        assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.deepEqual(rest, {
          version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', region: process.env.AWS_REGION ?? 'us-east-1',
          resources: [`arn:aws:events:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:rule/tickJobSchedule`], detail: {},
        });
        assert.equal(context.functionName, 'tickJob');
        assert.equal(left, 7_000, 'the job\'s timeout, when it starts');
      }
      assert.equal(new Set(calls.map(({ event }) => event.id)).size, calls.length, 'each event has its own id');
      assert.ok(scheduler.runs().every((run) => run.outcome === 'succeeded' && (run.result as { ok: boolean }).ok));
    } finally {
      mock.timers.reset();
      await scheduler.stop();
    }
    const count = calls.length;
    await sleep(400);
    assert.equal(calls.length, count, 'nothing runs after stop');
  });

  it('sends a run that throws or times out to the on-failure destination, and skips a run due while one is going', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00Z') });
    let runs = 0;
    const scheduler = startScheduler({
      jobs: [
        { job: testJob({ id: 'failingJob' }), handler: async () => { throw Object.assign(new Error('2 due item(s) failed: a, b'), { name: 'JobItemsFailedError' }); } },
        { job: testJob({ id: 'slowJob', timeoutSeconds: 1 }), handler: () => { runs++; return new Promise(() => undefined); } },
      ],
      everyMs: 400, log: () => undefined,
    });
    try {
      await ticks(1_500);
    } finally {
      mock.timers.reset();
      await scheduler.stop();
    }
    const failures = scheduler.failures();
    const failing = failures.filter((f) => f.jobId === 'failingJob');
    assert.equal(failing.length, 3, 'the runs due at 400, 800 and 1200 ms');
    assert.deepEqual(failing[0]!.responsePayload, { errorType: 'JobItemsFailedError', errorMessage: '2 due item(s) failed: a, b' });
    assert.equal(failing[0]!.requestContext.condition, 'RetriesExhausted');
    assert.equal(failing[0]!.requestContext.approximateInvokeCount, 1);
    assert.equal(failing[0]!.requestPayload['detail-type'], 'Scheduled Event');
    // The slow job: its first run (at 400 ms) times out after 1 s; the runs due at 800 and 1200 ms are skipped meanwhile.
    const slow = failures.filter((f) => f.jobId === 'slowJob');
    assert.deepEqual(slow.map((f) => f.responsePayload), [{ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1 seconds' }]);
    assert.equal(runs, 1);
  });
});

describe('scheduled jobs in the local runtime', () => {
  let market: TestMarketplace;
  before(async () => { market = await startTestMarketplace({ seed: null, schedules: { everyMs: 300 } }); });
  after(async () => { await market?.stop(); });

  it('settle an ended auction on their schedule, and send a run that failed on an item to the on-failure destination', async () => {
    const fx = tradingFixtures(market);
    const { presaleId } = await fx.freshCollection();
    const [sold, poisoned] = [await fx.mint(presaleId, 'sched-seller'), await fx.mint(presaleId, 'sched-seller')];
    await fx.topUp('sched-bidder', 2_000);
    const endsAt = new Date(Date.now() + 2_000).toISOString();
    const auctions = [];
    for (const nftId of [sold, poisoned]) {
      const { auctionId } = fx.expectStatus(await fx.call('sched-seller', 'POST', '/auctions/create', { nftId, reservePrice: 500, endsAt }), 201);
      auctions.push(auctionId as string);
    }
    for (const auctionId of auctions) fx.expectStatus(await fx.call('sched-bidder', 'POST', `/auctions/${auctionId}/bids`, { amount: 1_000 }), 200);
    // A corrupt field on the second: its collection does not exist, so its sale cannot pay the royalty.
    await market.doc.send(new UpdateCommand({
      TableName: market.tableName, Key: keys.auction(auctions[1]!), UpdateExpression: 'SET collectionId = :gone', ExpressionAttributeValues: { ':gone': 'col-gone' },
    }));

    const owner = async (nftId: string) =>
      (await market.doc.send(new GetCommand({ TableName: market.tableName, Key: keys.nft(nftId), ConsistentRead: true }))).Item!.owner;
    const deadline = Date.now() + 15_000;
    while ((await owner(sold)) !== 'sched-bidder' && Date.now() < deadline) await sleep(100);
    assert.equal(await owner(sold), 'sched-bidder', 'the job settled it: nobody called settle');

    const schedules = market.runtime.schedules!;
    assert.deepEqual(schedules.schedules.map((s) => s.jobId).sort(), jobs.map((job) => job.id).sort());
    const settleRuns = schedules.runs().filter((run) => run.jobId === 'settleEndedAuctions');
    assert.ok(settleRuns.length >= 2);
    assert.ok(settleRuns.every((run) => run.event.source === 'aws.events' && run.event.resources[0]!.endsWith('rule/settleEndedAuctionsSchedule')));
    while (!schedules.failures().some((f) => f.jobId === 'settleEndedAuctions') && Date.now() < deadline) await sleep(100);
    const [failure] = schedules.failures().filter((f) => f.jobId === 'settleEndedAuctions');
    assert.ok(failure, 'the run that failed on the poisoned auction reached the on-failure destination');
    assert.equal(failure.responsePayload.errorType, 'JobItemsFailedError');
    assert.match(failure.responsePayload.errorMessage, new RegExp(`: ${auctions[1]}$`));
    assert.ok(schedules.runs().some((run) => run.jobId === 'expireOffers' && run.outcome === 'succeeded'));
  });
});

// After the marketplace above has stopped: a runtime sets the table name its handlers use for the whole process.
describe('the local runtime\'s schedules switch', () => {
  it('is off in tests unless asked, and on by default in the runtime npm start runs', async () => {
    const quiet = await startTestMarketplace({ seed: null, streams: false });
    try {
      assert.equal(quiet.runtime.schedules, null);
    } finally {
      await quiet.stop();
    }
    const runtime = await startLocalRuntime({
      port: 0, tableName: `test-${randomUUID()}`, seedSize: null, dynamoDbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
      dynamoDbPort: 18_000 + Math.floor(Math.random() * 1000), throttleStage: null, streams: false,
    });
    try {
      assert.deepEqual(runtime.schedules?.schedules, jobs.map((job) => ({ jobId: job.id, everyMs: rateMs(job.schedule) })));
    } finally {
      await runtime.stop();
    }
  });
});

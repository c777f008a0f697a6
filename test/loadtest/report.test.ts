// The load test report and thresholds (test/load/report.ts) and the duration parser, on fixed data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkThresholds, classifyError, conflictsByCode, dropOutcome, formatComparison, formatReport, serverAndConnectionErrors, type EndpointStats,
  type LocustSummary,
} from '../load/report.js';
import { parseDuration, parseOptions } from '../load/run.js';

const entry = (name: string, requests: number, failures: number, p95Ms: number, method = 'GET'): EndpointStats => ({
  method, name, requests, failures, avgMs: 10, minMs: 1, maxMs: 900, medianMs: 6, p95Ms, p99Ms: p95Ms * 2, avgBytes: 100, rps: requests / 60,
});

function summary(failures: number, p95Ms: number): LocustSummary {
  const endpoints = [entry('/accounts', 1000, failures, p95Ms), entry('/local/token (login)', 100, 0, 300, 'POST')];
  return {
    exitCode: 0, startTime: 0, lastRequestTime: 60,
    total: entry('Aggregated', 1100, failures, p95Ms, ''),
    api: entry('API requests (no logins)', 1000, failures, p95Ms, ''),
    endpoints,
    errors: failures > 0
      ? [
        { method: 'GET', name: '/accounts', error: 'HTTP 500', occurrences: failures - 1 },
        { method: 'GET', name: '/accounts', error: "ConnectionResetError(104, 'Connection reset by peer')", occurrences: 1 },
      ]
      : [],
    cpuWarning: false, writes: false,
  };
}

describe('load test report', () => {
  it('groups failures as the seed report does: connection errors by exception, application errors by status', () => {
    assert.deepEqual(classifyError('HTTP 500'), { kind: 'application', label: '500 Server Errors' });
    assert.deepEqual(classifyError('HTTP 404'), { kind: 'application', label: '404 Not Found' });
    assert.equal(classifyError("ConnectionResetError(104, 'Connection reset by peer')").kind, 'connection');
    assert.equal(classifyError("ConnectionResetError(104, 'Connection reset by peer')").label, 'ConnectionResetError');
    assert.equal(classifyError('RemoteDisconnected()').kind, 'connection');
    assert.equal(classifyError('timeout()').kind, 'connection');
  });

  it('passes and fails thresholds on the API requests, logins left out', () => {
    assert.deepEqual(checkThresholds(summary(0, 150), { maxFailureRate: 0, maxP95Ms: 200 }).map((v) => v.passed), [true, true]);
    assert.deepEqual(checkThresholds(summary(5, 150), { maxFailureRate: 0, maxP95Ms: 200 }).map((v) => v.passed), [false, true]);
    assert.deepEqual(checkThresholds(summary(5, 250), { maxFailureRate: 1, maxP95Ms: 200 }).map((v) => v.passed), [true, false]);
    assert.deepEqual(checkThresholds(summary(0, 150), {}), []);
  });

  it('prints the seed report sections with the error breakdown by kind and endpoint', () => {
    const text = formatReport(summary(5, 250), {
      date: '2025-12-02', target: 'http://127.0.0.1:3100', targetNote: '', users: 1000, spawnRate: 100, durationSeconds: 60,
      thinkTime: '1-3 s', locustProcesses: 'one process',
    }, checkThresholds(summary(5, 250), { maxP95Ms: 200 }), null);
    assert.match(text, /LOAD TEST RESULTS - 1,000 Concurrent Users/);
    assert.match(text, /Total Requests: 1,000 +\(API requests; plus 100 logins/);
    assert.match(text, /Total Failures: 5 \(0\.50%\)/);
    assert.match(text, /95th Percentile: 250ms/);
    assert.match(text, /Application Errors: 4 \(80\.0% of failures\)\n- 500 Server Errors: 4\n {2}\* GET \/accounts: 4 failures/);
    assert.match(text, /Connection Errors: 1 \(20\.0% of failures\)\n- ConnectionResetError: 1/);
    assert.match(text, /FAIL {2}p95 response time: 250 ms \(limit <= 200 ms\)/);
  });

  it('counts 5xx answers and connection errors apart, and fails the run on any (the runner\'s default gate)', () => {
    assert.deepEqual(serverAndConnectionErrors(summary(5, 150)), { serverErrors: 4, connectionErrors: 1 });
    assert.deepEqual(serverAndConnectionErrors(summary(0, 150)), { serverErrors: 0, connectionErrors: 0 });
    const gate = (s: LocustSummary) => checkThresholds(s, { maxServerErrors: 0 })[0]!;
    assert.equal(gate(summary(0, 150)).passed, true);
    assert.equal(gate(summary(5, 150)).passed, false);
    assert.equal(gate(summary(5, 150)).measured, '4 5xx, 1 connection errors');
    // A 404 is a failure but not a server error.
    const notFound = { ...summary(0, 150), errors: [{ method: 'GET', name: '/accounts', error: 'HTTP 404', occurrences: 3 }] };
    assert.equal(gate(notFound).passed, true);
  });

  it('counts 409s by error code and reports a drop: sold, SOLD_OUT, other answers, mints per second', () => {
    const purchase = 'POST /presale/{presaleId}/purchase (drop)'.split(' ');
    const drop: LocustSummary = {
      ...summary(0, 150),
      scenario: 'drop',
      answers: [
        { method: purchase[0]!, name: purchase.slice(1).join(' '), status: 201, code: '', count: 1500 },
        { method: purchase[0]!, name: purchase.slice(1).join(' '), status: 409, code: 'SOLD_OUT', count: 480 },
        { method: purchase[0]!, name: purchase.slice(1).join(' '), status: 409, code: 'WALLET_LIMIT', count: 20 },
        { method: 'POST', name: '/users/balance-topups (top-up)', status: 201, code: '', count: 2000 },
      ],
      drop: { presaleId: 'pre-1', supply: 1500, startsAt: 1000, firstSaleAt: 1000.2, lastSaleAt: 1012.5, salesBySecond: { 0: 300, 1: 700, 12: 500 } },
    };
    assert.deepEqual(conflictsByCode(drop.answers!).map((c) => [c.code, c.count]), [['SOLD_OUT', 480], ['WALLET_LIMIT', 20]]);
    const outcome = dropOutcome(drop)!;
    assert.deepEqual([outcome.sold, outcome.soldOut, outcome.others], [1500, 480, [{ answer: '409 WALLET_LIMIT', count: 20 }]]);
    assert.equal(outcome.mintsPerSecond, 1500 / 12.5);
    assert.deepEqual(outcome.peak, { second: 1, sales: 700 });
    assert.deepEqual(checkThresholds(drop, {}).map((v) => [v.name, v.passed]), [['drop: sold within supply', true]]);
    const oversold = { ...drop, drop: { ...drop.drop!, supply: 1499 } };
    assert.equal(checkThresholds(oversold, {})[0]!.passed, false);

    const text = formatReport(drop, {
      date: '2026-12-01', target: 'http://127.0.0.1:3100', targetNote: '', users: 2000, spawnRate: 100, durationSeconds: 60,
      thinkTime: '1-1 s', locustProcesses: 'one process', scenario: 'drop', setup: 'presale pre-1 ...',
    }, [], null);
    assert.match(text, /Scenario: drop \(presale pre-1 \.\.\.\)/);
    assert.match(text, /5xx answers: 0; connection errors: 0 \(both must be 0\)/);
    assert.match(text, /409 BY ERROR CODE: 500\n- SOLD_OUT: 480 \(POST \/presale\/\{presaleId\}\/purchase \(drop\) 480\)\n- WALLET_LIMIT: 20/);
    assert.match(text, /Presale pre-1: supply 1,500; sold 1,500; SOLD_OUT 480; other answers: 409 WALLET_LIMIT 20/);
    assert.match(text, /Mints: 120\.0\/s over the sale \(1,500 in 12\.5 s from the start to the last sale\); peak 700 in second 1/);
  });

  it('sets runs with the public read cache off and on side by side, and says which in each report', () => {
    const text = formatComparison([
      { label: 'cache off', summary: summary(0, 40), verdicts: checkThresholds(summary(0, 40), { maxP95Ms: 50 }) },
      { label: 'cache on', summary: summary(5, 60), verdicts: checkThresholds(summary(5, 60), { maxP95Ms: 50 }) },
    ]);
    assert.match(text, /^SIDE BY SIDE: cache off \/ cache on\n/);
    assert.match(text, /p95 ms +40 +60\n/);
    assert.match(text, /failures +0 \(0\.00%\) +5 \(0\.50%\)\n/);
    assert.match(text, /thresholds +PASS +FAIL\n/);
    assert.match(text, /GET \/accounts +6 +40 +6 +60\n/);
    assert.doesNotMatch(text, /login/);
    const report = formatReport(summary(0, 40), {
      date: '2026-12-01', target: 'http://127.0.0.1:3100', targetNote: '', readCache: 'off (every public read goes to DynamoDB)', users: 10,
      spawnRate: 10, durationSeconds: 20, thinkTime: '1-3 s', locustProcesses: 'one process',
    }, [], null);
    assert.match(report, /\nPublic read cache: off \(every public read goes to DynamoDB\)\n/);
  });

  it('runs the local seed mix with the read cache off and on by default, a write scenario or a target with it on', () => {
    assert.deepEqual(parseOptions([]).readCache, ['off', 'on']);
    assert.deepEqual(parseOptions(['--read-cache', 'off']).readCache, ['off']);
    assert.deepEqual(parseOptions(['--scenario', 'sweep']).readCache, ['on']);
    assert.deepEqual(parseOptions(['--target', 'https://d1.cloudfront.net']).readCache, ['on']);
    assert.throws(() => parseOptions(['--target', 'https://d1.cloudfront.net', '--read-cache', 'both']), /only for the local marketplace/);
    assert.throws(() => parseOptions(['--read-cache', 'sometimes']), /on, off or both/);
  });

  it('reads Locust durations', () => {
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('5m'), 300);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.throws(() => parseDuration('soon'));
  });
});

// The load test report and thresholds (test/load/report.ts) and the duration parser, on fixed data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkThresholds, classifyError, formatReport, type EndpointStats, type LocustSummary } from '../load/report.js';
import { parseDuration } from '../load/run.js';

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

  it('reads Locust durations', () => {
    assert.equal(parseDuration('90'), 90);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('5m'), 300);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.throws(() => parseDuration('soon'));
  });
});

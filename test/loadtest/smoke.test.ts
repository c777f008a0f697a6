// A short Locust run (30 users, 10 s) through `npm run loadtest`'s runner against a test marketplace, so the
// load test harness (route table export, locustfile, runner, report, thresholds) cannot rot unnoticed.
// It asserts that the harness works, never how fast anything is. Needs Debian's python3-locust (.ci/run
// installs it); without Locust the test is skipped with the install command (and fails when CI=true).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { routes } from '../../functions/routes.js';
import { testSeedSize } from '../../local/seed.js';
import { findLocust, locustMissing } from '../load/run.js';
import type { LocustSummary } from '../load/report.js';
import { startTestMarketplace, type TestMarketplace } from '../support/marketplace.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');
const scenario = JSON.parse(readFileSync(join(projectRoot, 'test/load/scenario.json'), 'utf8')) as {
  tasks: Array<{ name: string | null; route: string }>;
};

/** The nine seed endpoints (ten entries: the market list and its filtered form), as the report names them. */
const seedEndpoints = scenario.tasks.map((task) => {
  const route = routes.find((r) => r.id === task.route)!;
  const path = route.seedPath ?? route.path;
  return `${route.method} ${task.name ? `${path} (${task.name})` : path}`;
});

const locust = findLocust();
const required = process.env.CI === 'true' || process.env.LOADTEST_SMOKE_REQUIRED === '1';
const skip = locust === null && !required ? `Locust not installed: ${locustMissing.split('\n').find((l) => l.includes('apt-get'))?.trim()}` : false;

describe('load test smoke: npm run loadtest against a test marketplace', { skip }, () => {
  let market: TestMarketplace;
  let outDir: string;
  let exitCode: number | null = null;
  let output = '';

  before(async () => {
    assert.ok(locust, locustMissing);
    market = await startTestMarketplace();
    outDir = mkdtempSync(join(tmpdir(), 'loadtest-smoke-'));
    const child = spawn(process.execPath, [
      '--import', 'tsx', 'test/load/run.ts',
      '--target', market.url, '--users', '30', '--spawn-rate', '30', '--duration', '10s',
      // A short think time so ten seconds reach every endpoint, the rare ones (2 % of the mix) included.
      '--think-time', '0.1-0.5', '--user-pool', String(testSeedSize.users),
      '--max-failure-rate', '0', '--out', outDir,
    ], { cwd: projectRoot, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    // The runner bounds Locust itself; this bounds the runner.
    const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
    exitCode = await new Promise<number>((done) => child.once('exit', (code) => done(code ?? 1)));
    clearTimeout(guard);
  });

  after(async () => {
    await market?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('completes and meets its threshold (exit status 0)', () => {
    assert.equal(exitCode, 0, output);
  });

  it('has no failed request', () => {
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as LocustSummary;
    assert.ok(summary.api.requests > 0, 'requests were made');
    assert.equal(summary.total.failures, 0, JSON.stringify(summary.errors));
  });

  it('sends every seed endpoint, with the seed paths, and logs every user in', () => {
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as LocustSummary;
    const seen = new Map(summary.endpoints.map((e) => [`${e.method} ${e.name}`, e.requests]));
    for (const endpoint of seedEndpoints) assert.ok((seen.get(endpoint) ?? 0) > 0, `${endpoint} got no request: ${[...seen.keys()]}`);
    for (const path of ['/market/', '/market/floor', '/market/collections', '/accounts', '/nft/my', '/offers/my', '/auctions/', '/presale/', '/users/balance-topups']) {
      assert.ok(seedEndpoints.some((e) => e.split(' ')[1] === path), `the scenario sends ${path}`);
    }
    assert.equal(seen.get('POST /local/token (login)'), 30);
  });

  it('writes the report in the seed format and the Locust HTML report', () => {
    const report = readFileSync(join(outDir, 'report.txt'), 'utf8');
    for (const heading of ['OVERALL PERFORMANCE', 'RESPONSE TIMES', '95th Percentile', '99th Percentile', 'ERROR BREAKDOWN', 'ENDPOINTS', 'THRESHOLDS']) {
      assert.match(report, new RegExp(heading));
    }
    assert.match(report, /PASS {2}failure rate/);
    assert.ok(existsSync(join(outDir, 'locust.html')));
  });
});

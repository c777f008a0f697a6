// A short Locust run (30 users, 10 s) through `npm run loadtest`'s runner against a test marketplace, so the
// load test harness (route table export, locustfile, runner, report, thresholds) cannot rot unnoticed; then
// the three write scenarios (drop, sweep, trade) side by side, a few users for a few seconds each.
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
import { dropOutcome, type LocustSummary } from '../load/report.js';
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

/** `npm run loadtest -- ...args` against a running marketplace: its exit status and console output. */
async function runLoadtest(args: string[]): Promise<{ exitCode: number; output: string }> {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/load/run.ts', ...args],
    { cwd: projectRoot, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  // The runner bounds Locust itself; this bounds the runner.
  const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const exitCode = await new Promise<number>((done) => child.once('exit', (code) => done(code ?? 1)));
  clearTimeout(guard);
  return { exitCode, output };
}

const readSummary = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as LocustSummary;

describe('load test smoke: npm run loadtest against a test marketplace', { skip }, () => {
  let market: TestMarketplace;
  let outDir: string;
  let exitCode: number | null = null;
  let output = '';

  before(async () => {
    assert.ok(locust, locustMissing);
    market = await startTestMarketplace();
    outDir = mkdtempSync(join(tmpdir(), 'loadtest-smoke-'));
    ({ exitCode, output } = await runLoadtest([
      '--target', market.url, '--users', '30', '--spawn-rate', '30', '--duration', '10s',
      // A short think time so ten seconds reach every endpoint, the rare ones (2 % of the mix) included.
      '--think-time', '0.1-0.5', '--user-pool', String(testSeedSize.users),
      '--max-failure-rate', '0', '--out', outDir,
    ]));
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

describe('load test smoke: the write scenarios (drop, sweep, trade)', { skip }, () => {
  let market: TestMarketplace;
  const outDirs: Record<string, string> = {};
  const runs: Record<string, { exitCode: number; output: string }> = {};
  const dropSupply = 5;

  before(async () => {
    assert.ok(locust, locustMissing);
    market = await startTestMarketplace();
    // The three at once, on one marketplace: a few users for a few seconds each keeps CI fast.
    const scenarios: Record<string, string[]> = {
      // 8 wallets for 5 NFTs: 5 sales and 3 SOLD_OUT, the sale 4 s after Locust starts.
      drop: ['--users', '8', '--spawn-rate', '8', '--duration', '9s', '--supply', String(dropSupply), '--drop-starts-in', '4'],
      sweep: ['--users', '5', '--spawn-rate', '5', '--duration', '8s', '--think-time', '0.1-0.3'],
      trade: ['--users', '5', '--spawn-rate', '5', '--duration', '8s', '--think-time', '0.1-0.3', '--user-pool', String(testSeedSize.users)],
    };
    await Promise.all(Object.entries(scenarios).map(async ([name, args]) => {
      outDirs[name] = mkdtempSync(join(tmpdir(), `loadtest-smoke-${name}-`));
      runs[name] = await runLoadtest(['--target', market.url, '--scenario', name, ...args, '--max-failure-rate', '0', '--out', outDirs[name]!]);
    }));
  });

  after(async () => {
    await market?.stop();
    for (const dir of Object.values(outDirs)) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['drop', 'sweep', 'trade']) {
    it(`${name}: completes with no failure, no 5xx and no connection error (exit status 0)`, () => {
      assert.equal(runs[name]?.exitCode, 0, runs[name]?.output);
      const summary = readSummary(outDirs[name]!);
      assert.equal(summary.scenario, name);
      assert.equal(summary.total.failures, 0, JSON.stringify(summary.errors));
      assert.match(readFileSync(join(outDirs[name]!, 'report.txt'), 'utf8'), /PASS {2}5xx and connection errors: 0 5xx, 0 connection errors/);
    });
  }

  it('drop: sells the supply exactly, answers the rest SOLD_OUT, and reports mints per second', () => {
    const drop = dropOutcome(readSummary(outDirs.drop!))!;
    assert.equal(drop.sold, dropSupply, JSON.stringify(drop));
    assert.equal(drop.soldOut, 8 - dropSupply, JSON.stringify(drop));
    assert.ok(drop.mintsPerSecond! > 0);
    assert.match(readFileSync(join(outDirs.drop!, 'report.txt'), 'utf8'), /DROP\n----\nPresale pre-\S+: supply 5; sold 5; SOLD_OUT 3; other answers: none/);
  });

  it('sweep and trade: buy, list, offer and bid through the API, every answer tallied by status and code', () => {
    const answered = (name: string, pattern: RegExp) => (readSummary(outDirs[name]!).answers ?? [])
      .filter((a) => pattern.test(`${a.method} ${a.name}`) && a.status < 300).reduce((sum, a) => sum + a.count, 0);
    assert.ok(answered('sweep', /^POST \/market\/listings\/\{listingId\}\/buy \(sweep\)$/) > 0, 'the sweep bought');
    assert.ok(answered('sweep', /^POST \/market\/listings \(sweep: relist\)$/) > 0, 'the sweep relisted');
    assert.ok(answered('trade', /^POST \/market\/listings \(trade\)$/) > 0, 'trade listed');
    assert.ok(answered('trade', /^POST \/offers \(trade\)$/) > 0, 'trade made offers');
    assert.ok(answered('trade', /\(top-up\)$/) >= 5, 'every trader topped up');
  });
});

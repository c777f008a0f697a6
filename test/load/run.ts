/**
 * `npm run loadtest`: the seed's Locust scenario (test/load/locustfile.py), headless, with a report in the
 * seed report's format. See docs/load-testing.md.
 *
 *   npm run loadtest                                   # starts the local marketplace itself (demo seed, no throttles)
 *   npm run loadtest -- --users 1000 --spawn-rate 100 --duration 2m --max-failure-rate 0 --max-p95-ms 200
 *   npm run loadtest -- --workers 2 --users 2000       # Locust master plus 2 workers on this machine
 *   npm run loadtest -- --target https://api.staging.example.com --auth tokens --tokens-file tokens.json
 *   npm run loadtest -- --scenario drop --users 500 --supply 1500  # a write scenario: drop, sweep or trade
 *
 * Exit status: 0 when the run completed and met every threshold given, 1 when a threshold was missed,
 * 2 when the run itself failed (Locust missing or crashed, no results).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stageConfig } from '../../lib/stage-config.js';
import { exportRoutes } from './export-routes.js';
import {
  checkThresholds, formatComparison, formatReport, type LocustSummary, type ResourceUsage, type RunDescription, type ThresholdVerdict,
  type Thresholds,
} from './report.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { freePort } from '../../local/free-port.js';
import { loadScenario, writeScenarioNames, type WriteScenarioName } from './scenario.js';
import { prepareScenario, type ScenarioSetup } from './write-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

const usage = `Usage: npm run loadtest -- [options]

Target
  --target URL            API to load (e.g. https://<distribution>.cloudfront.net). Without it, the local
                          marketplace is started on free ports (DynamoDB Local + the seed + the local gateway)
  --seed demo|small       local only: the seeded data (default demo, the npm start data: 1,000 users)
  --throttle off|staging|prod
                          local only: the stage throttles the local gateway enforces (default off)
  --conflicts             local only: the conflict-faithful proxy (local/conflict-proxy.ts) cancels concurrent
                          transactions on one item as DynamoDB does (hold CONFLICT_HOLD_MS, default 15 ms);
                          DynamoDB Local alone runs them one after another and never conflicts
  --read-cache on|off|both
                          local only: the public read cache of each simulated Lambda environment
                          (PUBLIC_READ_CACHE_MS, default the stages' 1000 ms). both: the same run twice, cache
                          off then on, reported side by side (default for the seed's mix; on for write scenarios)
Scenario
  --scenario NAME         seed (default): the seed's mix. Write scenarios (scenario.json "writeScenarios"):
                          drop   a new presale starts a few seconds after every user has spawned; each buys one
                          sweep  users buy the cheapest listings of one collection and relist them higher
                          trade  list, buy, offer, bid, cancel
  --supply N              drop: the presale's supply (default 1500)
  --drop-starts-in S      drop: seconds from the setup (just before Locust starts) to the sale's start
                          (default 3 + users / spawn rate + 5: every user has spawned and topped up)
  --creator-token TOKEN   drop against a stage: a token of a user in the Cognito group creators, who creates the
                          collection and presale (or LOADTEST_CREATOR_TOKEN); locally POST /local/token makes one
  --collection ID         sweep: the collection to sweep (default: the one with the most listings)
Load
  --users N               concurrent users (default 100)
  --spawn-rate R          users started per second (default min(users, 100))
  --duration T            run time including the ramp: 90s, 5m, 1h30m (default 60s)
  --workers N             distributed: a Locust master plus N worker processes on this machine (default 0: one process)
  --writes                add the write traffic of scenario.json (top-ups, buys, bids); off by default
  --reset-stats           leave the ramp-up out of the statistics
  --warmup T              first run the same scenario for T (e.g. 60s), not counted: warms the JVM of DynamoDB
                          Local and Node's JIT as a deployed stage is warm (default 0)
  --think-time MIN-MAX    seconds between a user's requests, instead of scenario.json's 1-3 (the CI smoke uses 0.1-0.5)
Users
  --auth local|cognito|tokens
                          local: POST /local/token (default); cognito: InitiateAuth with COGNITO_CLIENT_ID,
                          COGNITO_REGION, LOADTEST_PASSWORD; tokens: bearer tokens from --tokens-file
  --tokens-file FILE      JSON array of tokens (test/load/create-cognito-users.sh --tokens-out FILE)
  --user-pool N           distinct users to log in as (default: the seed's users, or 1000)
Thresholds (exit status 1 when missed)
  --max-failure-rate P    most failures allowed, in percent of API requests (0 = none)
  --max-p95-ms MS         highest p95 response time allowed
  --max-server-errors N   most 5xx answers plus connection errors allowed (default 0: any fails the run)
Output
  --out DIR               report folder (default test/load/reports/<time>-<users>u)
`;

type ReadCacheSetting = 'off' | 'on';

interface Options {
  scenario: 'seed' | WriteScenarioName;
  supply: number;
  dropStartsInSeconds: number | undefined;
  creatorToken: string | undefined;
  collection: string | undefined;
  target: string | undefined;
  seed: 'demo' | 'small';
  throttle: string | null;
  conflicts: boolean;
  /** The public read cache in each run: off, on, or one run of each (a local target only). */
  readCache: ReadCacheSetting[];
  users: number;
  spawnRate: number;
  duration: string;
  durationSeconds: number;
  workers: number;
  writes: boolean;
  resetStats: boolean;
  /** A run of the same scenario before the measured one, not counted (warms DynamoDB Local's JVM and Node's JIT). */
  warmupSeconds: number;
  /** "min-max" seconds, overriding scenario.json (the smoke test's short run uses it). */
  thinkTime: { min: number; max: number } | undefined;
  auth: string;
  tokensFile: string | undefined;
  userPool: number | undefined;
  thresholds: Thresholds;
  out: string | undefined;
}

export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`--duration ${text}: use e.g. 90s, 5m or 1h30m`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'seed' }, supply: { type: 'string', default: '1500' }, 'drop-starts-in': { type: 'string' },
      'creator-token': { type: 'string' }, collection: { type: 'string' }, 'max-server-errors': { type: 'string', default: '0' },
      target: { type: 'string' }, seed: { type: 'string', default: 'demo' }, throttle: { type: 'string', default: 'off' }, conflicts: { type: 'boolean', default: false },
      'read-cache': { type: 'string' },
      users: { type: 'string', default: '100' }, 'spawn-rate': { type: 'string' }, duration: { type: 'string', default: '60s' },
      workers: { type: 'string', default: '0' }, writes: { type: 'boolean', default: false },
      'reset-stats': { type: 'boolean', default: false }, warmup: { type: 'string', default: '0' }, 'think-time': { type: 'string' }, auth: { type: 'string', default: 'local' },
      'tokens-file': { type: 'string' }, 'user-pool': { type: 'string' },
      'max-failure-rate': { type: 'string' }, 'max-p95-ms': { type: 'string' }, out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} ${raw}: must be a number >= ${min}`);
    return value;
  };
  const users = Math.floor(number('users', values.users, 1)!);
  if (values.seed !== 'demo' && values.seed !== 'small') throw new Error('--seed: demo or small');
  if (!['local', 'cognito', 'tokens'].includes(values.auth!)) throw new Error('--auth: local, cognito or tokens');
  if (values.auth === 'tokens' && !values['tokens-file']) throw new Error('--auth tokens needs --tokens-file');
  let thinkTime: Options['thinkTime'];
  if (values['think-time'] !== undefined) {
    const match = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(values['think-time']);
    if (!match || Number(match[1]) > Number(match[2])) throw new Error('--think-time: min-max seconds, e.g. 1-3');
    thinkTime = { min: Number(match[1]), max: Number(match[2]) };
  }
  if (values.target && !/^https?:\/\/[^/]+/.test(values.target)) throw new Error('--target: an http(s) URL');
  const scenario = values.scenario!;
  if (scenario !== 'seed' && !(writeScenarioNames as readonly string[]).includes(scenario)) {
    throw new Error(`--scenario: seed, ${writeScenarioNames.join(', ')}`);
  }
  const readCache = values['read-cache'] ?? (values.target || scenario !== 'seed' ? 'on' : 'both');
  if (!['on', 'off', 'both'].includes(readCache)) throw new Error('--read-cache: on, off or both');
  if (values.target && readCache !== 'on') throw new Error('--read-cache off|both: only for the local marketplace; a target caches as it is deployed');
  return {
    scenario: scenario as Options['scenario'],
    supply: Math.floor(number('supply', values.supply, 1)!),
    dropStartsInSeconds: number('drop-starts-in', values['drop-starts-in'], 0),
    creatorToken: values['creator-token'] ?? process.env.LOADTEST_CREATOR_TOKEN,
    collection: values.collection,
    target: values.target?.replace(/\/+$/, ''),
    seed: values.seed,
    throttle: values.throttle === 'off' ? null : values.throttle!,
    conflicts: values.conflicts!,
    readCache: readCache === 'both' ? ['off', 'on'] : [readCache as ReadCacheSetting],
    users,
    spawnRate: number('spawn-rate', values['spawn-rate'], 0.1) ?? Math.min(users, 100),
    duration: values.duration!,
    durationSeconds: parseDuration(values.duration!),
    workers: Math.floor(number('workers', values.workers, 0)!),
    writes: values.writes!,
    resetStats: values['reset-stats']!,
    warmupSeconds: parseDuration(values.warmup!),
    thinkTime,
    auth: values.auth!,
    tokensFile: values['tokens-file'] ? resolve(values['tokens-file']) : undefined,
    userPool: number('user-pool', values['user-pool'], 1),
    thresholds: {
      maxFailureRate: number('max-failure-rate', values['max-failure-rate'], 0),
      maxP95Ms: number('max-p95-ms', values['max-p95-ms'], 0),
      maxServerErrors: number('max-server-errors', values['max-server-errors'], 0),
    },
    out: values.out,
  };
}

/** Debian's python3-locust installs /usr/bin/locust. LOCUST_BIN points elsewhere. */
export function findLocust(): string | null {
  const candidates = [process.env.LOCUST_BIN, '/usr/bin/locust', 'locust'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (!probe.error && probe.status === 0) return candidate;
  }
  return null;
}

export const locustMissing = `Locust is not installed. This load test uses Debian's python3-locust (Locust 2.12.1 with gevent and
geventhttpclient; nothing from pip):

    sudo apt-get update && sudo apt-get install -y python3-locust     # installs /usr/bin/locust

or set LOCUST_BIN to a locust executable.`;


// ---- CPU accounting from /proc (Linux); everything degrades to null elsewhere -------------------------------

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  return ticksPerSecond;
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - cpu[3]! - cpu[4]!, total };
  } catch {
    return null;
  }
}

function findDynamoDbLocalPid(port: number): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        const portAt = args.indexOf('-port');
        if (args.some((a) => a.endsWith('DynamoDBLocal.jar')) && portAt >= 0 && args[portAt + 1] === String(port)) return Number(entry);
      } catch {
        // The process went away.
      }
    }
  } catch {
    // No /proc.
  }
  return null;
}

interface CpuSampler {
  stop(): ResourceUsage;
}

function startCpuSampler(pids: { locust: number[]; java: number | null }, measureApi: boolean): CpuSampler {
  const startedAt = performance.now();
  const ticks = (list: number[]) => list.reduce((sum, pid) => sum + (processTicks(pid) ?? 0), 0);
  const locust0 = ticks(pids.locust);
  const java0 = pids.java ? processTicks(pids.java) : null;
  const own0 = process.cpuUsage();
  const machine0 = machineTicks();
  // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
  const resolution = 5;
  const delay = monitorEventLoopDelay({ resolution });
  const lateness = (ns: number) => Math.max(0, ns / 1e6 - resolution);
  const gc = { total: 0, max: 0, count: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.total += entry.duration;
      gc.max = Math.max(gc.max, entry.duration);
      gc.count += 1;
    }
  });
  if (measureApi) {
    delay.enable();
    observer.observe({ entryTypes: ['gc'] });
  }
  // Locust's processes are gone by the time the run ends: keep their last reading.
  let locustLast = locust0;
  const poll = setInterval(() => {
    const now = ticks(pids.locust);
    if (now > locustLast) locustLast = now;
  }, 1000);
  return {
    stop() {
      clearInterval(poll);
      delay.disable();
      observer.disconnect();
      const seconds = (performance.now() - startedAt) / 1000;
      const percent = (tickDelta: number) => (100 * tickDelta) / clockTicks() / seconds;
      const own = process.cpuUsage(own0);
      const machine1 = machineTicks();
      const cores = availableParallelism();
      const locust = percent(locustLast - locust0);
      const java = pids.java && java0 !== null ? percent((processTicks(pids.java) ?? java0) - java0) : null;
      const api = measureApi ? (100 * (own.user + own.system)) / 1e6 / seconds : null;
      const machineBusy = machine0 && machine1
        ? (100 * cores * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total)
        : null;
      const other = machineBusy !== null ? Math.max(0, machineBusy - locust - (java ?? 0) - (api ?? 0)) : null;
      return {
        locust, api, dynamoDbLocal: java, otherProcesses: other, machineBusy, cores,
        eventLoopDelayMs: measureApi && delay.count > 0
          ? { p50: lateness(delay.percentile(50)), p99: lateness(delay.percentile(99)), max: lateness(delay.max) }
          : null,
        gcPauseMs: measureApi ? gc : null,
      };
    },
  };
}

// ---- the run -------------------------------------------------------------------------------------------------

function exitWith(child: ChildProcess): Promise<number> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null) return resolveExit(child.exitCode);
    child.once('exit', (code, signal) => resolveExit(code ?? (signal ? 128 : 0)));
  });
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 5000).unref();
}

interface LocustRun {
  locust: string;
  target: string;
  env: NodeJS.ProcessEnv;
  options: Options;
  javaPid: number | null;
  measureApi: boolean;
  outDir: string;
  durationSeconds: number;
}

/** One headless Locust run (one process, or a master and workers), bounded in time; results in run.outDir. */
async function runLocust(run: LocustRun): Promise<{ codes: number[]; timedOut: boolean; resources: ResourceUsage }> {
  const { options, outDir } = run;
  mkdirSync(outDir, { recursive: true });
  const env = { ...run.env, LOADTEST_SUMMARY_JSON: join(outDir, 'summary.json') };
  const locustfile = join(here, 'locustfile.py');
  const common = [
    '-f', locustfile, '--headless', '-H', run.target, '-u', String(options.users), '-r', String(options.spawnRate),
    '-t', `${run.durationSeconds}s`, '--stop-timeout', '5', '--exit-code-on-error', '0', '--only-summary',
    '--csv', join(outDir, 'locust'), '--html', join(outDir, 'locust.html'),
    ...(options.resetStats ? ['--reset-stats'] : []),
  ];
  const log = createWriteStream(join(outDir, 'locust.log'));
  const stdout = createWriteStream(join(outDir, 'locust-summary.txt'));
  const children: ChildProcess[] = [];
  if (options.workers > 0) {
    const masterPort = await freePort();
    children.push(spawn(run.locust, [...common, '--master', '--master-bind-host', '127.0.0.1', '--master-bind-port', String(masterPort),
      '--expect-workers', String(options.workers), '--expect-workers-max-wait', '60'], { env, cwd: projectRoot }));
    const perWorker = Math.ceil(options.users / options.workers);
    for (let i = 0; i < options.workers; i++) {
      children.push(spawn(run.locust, ['-f', locustfile, '--worker', '--master-host', '127.0.0.1', '--master-port', String(masterPort),
        ...(options.resetStats ? ['--reset-stats'] : [])],
      { env: { ...env, LOADTEST_USER_OFFSET: String(i * perWorker) }, cwd: projectRoot }));
    }
  } else {
    children.push(spawn(run.locust, common, { env, cwd: projectRoot }));
  }
  children.forEach((child, i) => {
    const prefix = options.workers > 0 ? (i === 0 ? '[master] ' : `[worker ${i}] `) : '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.write(text.replace(/^/gm, prefix));
      // Progress and warnings on the console; the rest is in locust.log.
      for (const line of text.split('\n')) {
        if (/Ramping|All users spawned|CPU usage|WARNING|ERROR|Traceback|locustfile:/i.test(line) && (i === 0 || /WARNING|ERROR|Traceback/.test(line))) {
          console.log(`  locust ${prefix}${line.replace(/^\[[^\]]*\] [^ ]+ /, '')}`);
        }
      }
    });
    if (i === 0) child.stdout?.pipe(stdout);
    else child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  });

  const sampler = startCpuSampler({ locust: children.map((c) => c.pid!).filter(Boolean), java: run.javaPid }, run.measureApi);
  console.log(`Locust: ${options.users} users at ${options.spawnRate}/s for ${run.durationSeconds} s against ${run.target}` +
    `${options.workers > 0 ? ` (master + ${options.workers} workers)` : ''}; results in ${relative(process.cwd(), outDir) || '.'}`);

  // Every run is bounded: Locust stops itself at --run-time; this is the backstop.
  const deadlineMs = (run.durationSeconds + options.users / options.spawnRate + 120) * 1000;
  let timedOut = false;
  const deadline = setTimeout(() => { timedOut = true; children.forEach(stopChild); }, deadlineMs);
  const interrupt = () => { children.forEach(stopChild); };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const codes = await Promise.all(children.map(exitWith));
  clearTimeout(deadline);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  const resources = sampler.stop();
  await new Promise<void>((r) => log.end(r));
  await new Promise<void>((r) => stdout.end(r));
  return { codes, timedOut, resources };
}

export async function runLoadTest(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const locust = findLocust();
  if (!locust) {
    console.error(locustMissing);
    return 2;
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const outDir = resolve(options.out ?? join(here, 'reports', `${stamp}-${options.users}u${options.target ? '-remote' : ''}`));
  mkdirSync(outDir, { recursive: true });
  const routesFile = exportRoutes(join(outDir, 'routes.json'));
  const scenarioFile = loadScenario();
  const writeSettings = options.scenario === 'seed' ? null : scenarioFile.writeScenarios[options.scenario];
  const wait = options.thinkTime ?? writeSettings?.waitSeconds ?? scenarioFile.waitSeconds;

  let target = options.target;
  let targetNote = 'given with --target, not started by the runner';
  let runtime: LocalRuntime | null = null;
  let dynamoDbPort: number | null = null;
  let userPool = options.userPool ?? 1000;
  // As deployed: public-read Lambdas reuse first pages and floors for a moment, each environment its own.
  const cacheOnMs = Number(process.env.PUBLIC_READ_CACHE_MS ?? stageConfig('staging').publicReadCacheMs);
  if (!target) {
    // The marketplace exactly as `npm start` runs it, in this process, on free ports.
    const [{ startLocalRuntime }, { defaultSeedSize, testSeedSize }, { loadHandler }, { routes, fallbackRoute }] = await Promise.all([
      import('../../local/runtime.js'), import('../../local/seed.js'), import('../../local/handler-loader.js'), import('../../functions/routes.js'),
    ]);
    const seedSize = options.seed === 'small' ? testSeedSize : defaultSeedSize;
    dynamoDbPort = await freePort();
    console.log(`Starting the local marketplace (DynamoDB Local on :${dynamoDbPort}, ${options.seed} seed, throttles ${options.throttle ?? 'off'})...`);
    const started = performance.now();
    const local = await startLocalRuntime({
      port: 0, tableName: 'marketplace-loadtest', seedSize, dynamoDbPort, throttleStage: options.throttle,
      conflicts: options.conflicts ? { holdMs: Number(process.env.CONFLICT_HOLD_MS ?? 15) } : null, publicReadCacheMs: cacheOnMs,
    });
    runtime = local;
    // The gateway imports a handler module on its first request (through tsx: a one-off compile a Lambda
    // bundle never does). Import them all now so the run measures serving, not compiling.
    await Promise.all([...new Set([...routes.map((r) => r.handler), fallbackRoute.handler])].map((h) => loadHandler(h)));
    const port = new URL(local.url).port;
    target = `http://127.0.0.1:${port}`;
    targetNote = `local marketplace in this process: gateway + handlers + DynamoDB Local, ${options.seed} seed, throttles ${options.throttle ?? 'off'}, ` +
      `${options.conflicts ? `conflict-faithful (hold ${process.env.CONFLICT_HOLD_MS ?? 15} ms)` : 'no transaction conflicts (DynamoDB Local)'}, stream consumers on`;
    userPool = options.userPool ?? seedSize.users;
    console.log(`Local marketplace ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${target}`);
  }

  // A drop's wallets must be distinct (one purchase each): users beyond the seed's log in as new users.
  if (options.scenario === 'drop' && options.auth === 'local') userPool = Math.max(userPool, options.users);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONUNBUFFERED: '1',
    LOADTEST_ROUTES: routesFile,
    LOADTEST_AUTH: options.auth,
    LOADTEST_USER_POOL: String(userPool),
    LOADTEST_WRITES: options.writes ? '1' : '0',
    LOADTEST_SCENARIO_NAME: options.scenario,
    ...(options.thinkTime ? { LOADTEST_WAIT: `${options.thinkTime.min}-${options.thinkTime.max}` } : {}),
    ...(options.tokensFile ? { LOADTEST_TOKENS_FILE: options.tokensFile } : {}),
  };
  const locustRun = { locust, target, env, options, javaPid: dynamoDbPort ? findDynamoDbLocalPid(dynamoDbPort) : null, measureApi: runtime !== null };
  const apiTarget = target;
  // A write scenario's setup, made again for every Locust run (a warm-up's drop sells its own presale).
  const setUp = async (durationSeconds: number): Promise<ScenarioSetup | null> => {
    if (options.scenario === 'seed') return null;
    // The drop starts once every user has spawned and topped up: Locust's start (~3 s; workers connecting, 5 s
    // more), the ramp, 5 s more.
    const startsIn = options.dropStartsInSeconds ?? 3 + (options.workers > 0 ? 5 : 0) + options.users / options.spawnRate + 5;
    const startsAt = new Date(Date.now() + startsIn * 1000);
    const setup = await prepareScenario(options.scenario, {
      target: apiTarget, auth: options.auth, creatorToken: options.creatorToken, supply: options.supply, startsAt,
      endsAt: new Date(startsAt.getTime() + (durationSeconds + 300) * 1000), collectionId: options.collection, settings: writeSettings!,
    });
    console.log(`Scenario ${options.scenario}: ${setup.description}`);
    return setup;
  };
  /** Every simulated environment retired (as by a deploy), the new ones caching as the setting says. */
  const useReadCache = (setting: ReadCacheSetting) => runtime?.environments.reset(setting === 'on' ? cacheOnMs : 0);
  const measured: MeasuredRun[] = [];
  try {
    if (options.warmupSeconds > 0) {
      const warmupDir = join(outDir, 'warmup');
      console.log(`Warm-up: the same scenario for ${options.warmupSeconds} s, not counted (its report: ${relative(process.cwd(), warmupDir)})`);
      useReadCache(options.readCache[0]!);
      const warmupSetup = await setUp(options.warmupSeconds);
      await runLocust({ ...locustRun, env: { ...env, ...warmupSetup?.env }, outDir: warmupDir, durationSeconds: options.warmupSeconds });
    }
    for (const setting of options.readCache) {
      const dir = options.readCache.length > 1 ? join(outDir, `cache-${setting}`) : outDir;
      if (options.readCache.length > 1) console.log(`Run with the public read cache ${setting}`);
      useReadCache(setting);
      const setup = await setUp(options.durationSeconds);
      const result = await runLocust({ ...locustRun, env: { ...env, ...setup?.env }, outDir: dir, durationSeconds: options.durationSeconds });
      measured.push({ setting, dir, setup, ...result, environments: runtime?.environments.started() ?? {} });
    }
  } finally {
    await runtime?.stop();
  }

  const reports: Array<{ label: string; summary: LocustSummary; verdicts: ThresholdVerdict[]; text: string }> = [];
  for (const result of measured) {
    const summaryFile = join(result.dir, 'summary.json');
    if (!existsSync(summaryFile)) {
      console.error(`Locust ended (exit ${result.codes.join(', ')}${result.timedOut ? ', stopped at the deadline' : ''}) without results: see ${join(result.dir, 'locust.log')}`);
      return 2;
    }
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as LocustSummary;
    const run: RunDescription = {
      date: new Date().toISOString().slice(0, 10),
      target,
      targetNote,
      ...(runtime ? { readCache: readCacheNote(result.setting === 'on' ? cacheOnMs : 0, result.environments) } : {}),
      users: options.users,
      spawnRate: options.spawnRate,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      thinkTime: `${wait.min}-${wait.max} s between a user's requests${options.thinkTime ? ' (--think-time)' : ' (test/load/scenario.json)'}`,
      locustProcesses: options.workers > 0 ? `master + ${options.workers} workers` : 'one process',
      scenario: options.scenario,
      ...(result.setup ? { setup: result.setup.description } : {}),
    };
    const verdicts = checkThresholds(summary, options.thresholds);
    const resources = runtime ? result.resources : { ...result.resources, api: null, dynamoDbLocal: null };
    const text = formatReport(summary, run, verdicts, resources);
    writeFileSync(join(result.dir, 'report.txt'), text);
    writeFileSync(join(result.dir, 'report.json'), `${JSON.stringify({ run, options: { ...options, creatorToken: options.creatorToken ? '(given, not written)' : undefined, userPool }, summary, verdicts, resources }, null, 2)}\n`);
    reports.push({ label: `cache ${result.setting}`, summary, verdicts, text });
  }
  if (reports.length > 1) {
    const text = [formatComparison(reports), ...reports.map((r) => `${'#'.repeat(64)}\n# PUBLIC READ ${r.label.toUpperCase()}\n${'#'.repeat(64)}\n${r.text}`)].join('\n');
    writeFileSync(join(outDir, 'report.txt'), text);
    console.log(`\n${text}\nFiles: ${relative(process.cwd(), outDir)}/report.txt (both runs); cache-off/ and cache-on/: each run's report.txt, report.json, locust.html, locust_*.csv, locust.log`);
  } else {
    console.log(`\n${reports[0]!.text}\nFiles: ${relative(process.cwd(), outDir)}/report.txt, report.json, locust.html (Locust's report with charts), locust_*.csv, locust.log`);
  }
  if (measured.some((m) => m.timedOut)) {
    console.error('Locust did not stop by itself and was stopped at the deadline.');
    return 2;
  }
  return reports.every((r) => r.verdicts.every((v) => v.passed)) ? 0 : 1;
}

interface MeasuredRun {
  setting: ReadCacheSetting;
  dir: string;
  setup: ScenarioSetup | null;
  codes: number[];
  timedOut: boolean;
  resources: ResourceUsage;
  /** Simulated Lambda environments started per function during the run (each one a cache). */
  environments: Record<string, number>;
}

function readCacheNote(ttlMs: number, environments: Record<string, number>): string {
  if (!(ttlMs > 0)) return 'off (every public read goes to DynamoDB)';
  const started = Object.entries(environments).sort((a, b) => b[1] - a[1]).map(([fn, n]) => `${fn} ${n}`).join(', ');
  return `on, ${ttlMs} ms in each simulated Lambda environment (environments started: ${started || 'none'})`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let code = 2;
  try {
    code = await runLoadTest(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  }
  // Handler modules keep DynamoDB client sockets; nothing is left to wait for.
  process.exit(code);
}

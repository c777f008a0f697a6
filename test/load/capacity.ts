/**
 * `npm run capacity -- --users 10000`: what the seed's users would ask of AWS, from the bench results
 * (bench/results/bench.json: round trips, consumed capacity and partitions per request) and the scenario's
 * mix (test/load/scenario.json), held against AWS default quotas and the stage's throttles, with a cost
 * estimate. Every assumption is an option and is printed with the result. See docs/load-testing.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { routes, type Route } from '../../functions/routes.js';
import { stageConfig } from '../../lib/stage-config.js';
import type { BenchResult, CaseResult } from './bench.js';
import { loadScenario, taskLabel, type Scenario } from './scenario.js';
import { defaultFeedInputs, feedCapacity, formatFeedCapacity } from './feed-capacity.js';
import { formatTopupCapacity, topupCapacity, type TopupCapacity } from './topup-capacity.js';
import { codeConstants, formatWriteModel, writeModel, type WorkloadResult } from './write-capacity.js';

/**
 * AWS list prices, us-east-1, as published on the AWS pricing pages and recorded 2025-11-15 (this machine has
 * no internet to re-check them; verify before budgeting). Lambda: arm64 (lib/marketplace-function.ts).
 */
export const prices = {
  recorded: '2025-11-15',
  region: 'us-east-1',
  lambdaRequestPerMillion: 0.20,
  lambdaArmGbSecond: 0.0000133334,
  httpApiPerMillion: 1.00, // first 300 million a month; 0.90 beyond
  dynamoDbReadRequestUnitPerMillion: 0.125, // on-demand, after the November 2024 price cut
  dynamoDbWriteRequestUnitPerMillion: 0.625,
  cloudFrontHttpsPerMillion: 1.00, // $0.0100 per 10,000 HTTPS requests, US/Europe
  cloudFrontTransferOutPerGb: 0.085, // first 10 TB a month, US/Europe
  cloudFrontToOriginPerGb: 0.020,
  wafPerMillionRequests: 0.60,
  wafMonthlyFixed: 5 + 2 * 1, // one web ACL ($5) and two rules ($1 each): lib/marketplace-web-acl.ts
  cloudWatchLogsIngestPerGb: 0.50,
} as const;

/** AWS default quotas the model checks. */
export const quotas = {
  lambdaAccountConcurrency: 1_000,
  lambdaNewEnvironmentsPer10sPerFunction: 1_000,
  httpApiRpsPerAccountRegion: 10_000,
  dynamoDbTableRru: 40_000,
  dynamoDbTableWru: 40_000,
  dynamoDbNewTableRru: 12_000,
  dynamoDbNewTableWru: 4_000,
  dynamoDbPartitionRcu: 3_000,
  dynamoDbPartitionWcu: 1_000,
  cognitoUserAuthenticationRps: 120,
} as const;

const usage = `Usage: npm run capacity -- [--users 10000] [options]

  --users N                concurrent users (default 10000, the seed's test)
  --bench FILE             bench results (default bench/results/bench.json; npm run bench writes it)
  --stage prod|staging     the stage whose throttles apply (default prod)
  --think-seconds S        mean think time (default: scenario.json's waitSeconds mean, 2 s)
  --response-ms MS         response time a user waits for, on top of thinking (default 60)
  --cpu-ms MS              Lambda time per request besides DynamoDB (default 5, warm, 1024 MB arm64)
  --trip-ms MS             one DynamoDB round trip from Lambda in-region (default 8)
  --hot-collection-share F share of collection-scoped requests that go to the busiest collection (default 0.2)
  --collections N          collections in the market (default: the bench seed's)
  --cloudfront-edges N     CloudFront caches that each fetch a cached key from the API once per TTL (default 13:
                           the regional edge caches; 1 with Origin Shield)
  --spawn-rate R           users starting per second, i.e. logins per second (default 100, the seed's)
  --writes                 add scenario.json's write traffic (top-ups, buys, bids)
Write side (a drop and a sweep; needs no bench results)
  --drop-supply N          the presale's supply (default: one per user)
  --drop-seconds S         every user tries to buy once within the first S seconds (default 10)
  --sweep-seconds-per-buy S  a sweeping user buys one listing every S seconds (default 1)
  --stream-shards N        the table's stream shards, about its partitions (default 4: a new on-demand table)
  --consumer-chunk N       activities per collection transaction of the stream consumer (default: as many as the code fits
                           in DynamoDB's 100 items, 49 mints or 33 sales)
  --drop-full-read-share F share of purchases whose sample of ${codeConstants.shardSample.value} shards cannot fill them, so they read every shard again
                           (default: the last shard's worth of supply, 1 / shards)
  --fail-on-exceed         exit 1 when a quota or throttle would be exceeded
  --out FILE               JSON result (default bench/results/capacity.json)
`;

interface Options {
  dropSupply: number | undefined; dropSeconds: number; sweepSecondsPerBuy: number; streamShards: number; consumerChunk: number | undefined;
  dropFullReadShare: number | undefined;
  users: number; bench: string; stage: string; thinkSeconds: number | undefined; responseMs: number; cpuMs: number; tripMs: number;
  hotCollectionShare: number; collections: number | undefined; cloudFrontEdges: number; spawnRate: number; writes: boolean;
  failOnExceed: boolean; out: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' }, bench: { type: 'string', default: 'bench/results/bench.json' },
      stage: { type: 'string', default: 'prod' }, 'think-seconds': { type: 'string' }, 'response-ms': { type: 'string', default: '60' },
      'cpu-ms': { type: 'string', default: '5' }, 'trip-ms': { type: 'string', default: '8' },
      'hot-collection-share': { type: 'string', default: '0.2' }, collections: { type: 'string' },
      'cloudfront-edges': { type: 'string', default: '13' }, 'spawn-rate': { type: 'string', default: '100' },
      'drop-supply': { type: 'string' }, 'drop-seconds': { type: 'string', default: '10' },
      'sweep-seconds-per-buy': { type: 'string', default: '1' }, 'stream-shards': { type: 'string', default: '4' }, 'consumer-chunk': { type: 'string' },
      'drop-full-read-share': { type: 'string' },
      writes: { type: 'boolean', default: false }, 'fail-on-exceed': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results/capacity.json' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const num = (name: string, raw: string | undefined, min = 0) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} ${raw}: a number >= ${min}`);
    return n;
  };
  stageConfig(values.stage);
  return {
    dropSupply: num('drop-supply', values['drop-supply'], 1), dropSeconds: num('drop-seconds', values['drop-seconds'], 0.001)!,
    sweepSecondsPerBuy: num('sweep-seconds-per-buy', values['sweep-seconds-per-buy'], 0.001)!, streamShards: num('stream-shards', values['stream-shards'], 1)!,
    consumerChunk: num('consumer-chunk', values['consumer-chunk'], 1),
    dropFullReadShare: num('drop-full-read-share', values['drop-full-read-share']),
    users: num('users', values.users, 1)!, bench: resolve(values.bench!), stage: values.stage!,
    thinkSeconds: num('think-seconds', values['think-seconds']), responseMs: num('response-ms', values['response-ms'])!,
    cpuMs: num('cpu-ms', values['cpu-ms'])!, tripMs: num('trip-ms', values['trip-ms'])!,
    hotCollectionShare: Math.min(1, num('hot-collection-share', values['hot-collection-share'])!),
    collections: num('collections', values.collections, 1), cloudFrontEdges: num('cloudfront-edges', values['cloudfront-edges'], 1)!,
    spawnRate: num('spawn-rate', values['spawn-rate'])!, writes: values.writes!, failOnExceed: values['fail-on-exceed']!,
    out: resolve(values.out!),
  };
}

// ---- the model ------------------------------------------------------------------------------------------------------

/** One kind of request in the mix: a bench case and how many per second. */
interface Load { label: string; route: Route; benchCase: CaseResult; rps: number; cacheKeys: number; originRps: number }

interface ClientMode {
  name: string;
  description: string;
  /** The route a request is sent to: the seed's POST forms, or their cacheable GET twins. */
  routeFor(route: Route): Route;
}

const twinOf = (route: Route): Route =>
  route.method === 'POST' && route.cache === null
    ? routes.find((r) => r.method === 'GET' && r.path === route.path && r.handler === route.handler && r.cache !== null) ?? route
    : route;

const clientModes: ClientMode[] = [
  { name: 'seed clients', description: 'the seed\'s clients as they are: POST /market/, /market/floor, /auctions/, /presale/ (never cached)', routeFor: (r) => r },
  { name: 'GET twins', description: 'clients moved to the cacheable GET twins of those four', routeFor: twinOf },
];

export interface CapacityResult {
  assumptions: Record<string, unknown>;
  prices: typeof prices;
  quotas: typeof quotas;
  modes: ModeResult[];
}

/** Warm environments a function keeps: at least its peak concurrency (Lambda keeps what a peak started). */
export function peakConcurrency(mean: number): number {
  // Concurrency at a steady arrival rate is about Poisson: mean + 3 standard deviations is its 99.9th percentile.
  return mean > 0 ? Math.ceil(mean + 3 * Math.sqrt(mean)) : 0;
}

interface QuotaCheck { name: string; limit: number; load: number; unit: string; percent: number; exceeded: boolean; note?: string }

interface ModeResult {
  mode: string;
  description: string;
  rps: { total: number; perUser: number; byEndpoint: Array<{ label: string; route: string; rps: number; cacheHitRatio: number; originRps: number }> };
  apiRps: number;
  lambda: Array<{ handler: string; rps: number; durationMs: number; localP50Ms: number; concurrency: number; peakConcurrency: number; initMs: number | null }>;
  lambdaConcurrencyTotal: number;
  dynamoDb: { rru: number; wru: number; partitions: Array<{ partition: string; rcu: number; wcu: number; how: string }> };
  throttles: Array<{ throttleClass: string; rps: number; rateLimit: number }>;
  checks: QuotaCheck[];
  cost: { perHour: Record<string, number>; perMonthSustained: Record<string, number>; totalPerHour: number; totalPerMonthSustained: number };
}

export function model(bench: BenchResult, scenario: Scenario, o: Options): CapacityResult {
  const thinkSeconds = o.thinkSeconds ?? (scenario.waitSeconds.min + scenario.waitSeconds.max) / 2;
  const perUser = 1 / (thinkSeconds + o.responseMs / 1000);
  const collections = o.collections ?? bench.seed?.collections ?? 50;
  const stage = stageConfig(o.stage);
  const memoryGb = stage.lambda.memoryMb / 1024;

  const tasks = scenario.tasks.map((t) => ({ label: taskLabel(t), route: t.route, weight: t.weight }));
  if (o.writes) {
    for (const w of scenario.writes.tasks) {
      const route = routes.find((r) => r.method === w.method && r.path === w.path);
      if (route) tasks.push({ label: `${w.method} ${w.path} (${w.name})`, route: route.id, weight: w.weight });
    }
  }
  const totalWeight = tasks.reduce((s, t) => s + t.weight, 0);
  const totalRps = o.users * perUser;

  const caseFor = (routeId: string, taskLabelText: string, variantIndex: number | null): CaseResult | undefined =>
    bench.cases.find((c) => c.routeId === routeId && (variantIndex === null || (c.scenario?.task === taskLabelText && c.scenario.variantIndex === variantIndex)));

  return {
    assumptions: {
      users: o.users, thinkSeconds, responseMs: o.responseMs, requestsPerUserPerSecond: perUser,
      lambda: { cpuMsPerRequest: o.cpuMs, dynamoDbRoundTripMs: o.tripMs, memoryMb: stage.lambda.memoryMb, architecture: 'arm64' },
      hotCollectionShare: o.hotCollectionShare, collections, cloudFrontEdges: o.cloudFrontEdges, loginsPerSecond: o.spawnRate,
      publicReadCacheMs: stage.publicReadCacheMs,
      stage: o.stage, writes: o.writes, bench: relative(process.cwd(), o.bench), benchGeneratedAt: bench.generatedAt,
    },
    prices,
    quotas,
    modes: clientModes.map((mode) => {
      const loads: Load[] = [];
      for (const task of tasks) {
        const scenarioTask = scenario.tasks.find((t) => taskLabel(t) === task.label);
        const seedRoute = routes.find((r) => r.id === task.route)!;
        const route = mode.routeFor(seedRoute);
        const rps = (totalRps * task.weight) / totalWeight;
        const variants = scenarioTask?.variants ?? [{ weight: 1 }];
        const variantTotal = variants.reduce((s, v) => s + v.weight, 0);
        variants.forEach((variant, i) => {
          // The GET twin runs the same handler and query as the POST form: the POST form's bench case serves both.
          const benchCase = caseFor(seedRoute.id, task.label, scenarioTask ? i : null) ?? caseFor(route.id, task.label, null);
          if (!benchCase) throw new Error(`bench.json has no request for ${task.label} (${route.id}): run npm run bench`);
          // Distinct cache keys this request shape makes: one per collection for {collection}, one per page of N for {collections:N}.
          const shape = JSON.stringify(variant);
          const pageOf = /\{collections:(\d+)\}/.exec(shape);
          const cacheKeys = shape.includes('{collection}') ? collections : pageOf ? Math.ceil(collections / Number(pageOf[1])) : 1;
          loads.push({ label: task.label, route, benchCase, rps: (rps * variant.weight) / variantTotal, cacheKeys, originRps: 0 });
        });
      }

      // CloudFront: a cached key is fetched from the API about once per TTL per edge cache (stale-while-revalidate
      // refreshes in the background but still fetches). Keys: one per distinct request; {collection} makes one per collection.
      const byEndpoint = new Map<string, { label: string; route: string; rps: number; originRps: number }>();
      for (const load of loads) {
        let originRps = load.rps;
        if (load.route.cache) originRps = Math.min(load.rps, (load.cacheKeys * o.cloudFrontEdges) / load.route.cache.maxAgeSeconds);
        const entry = byEndpoint.get(load.label) ?? { label: load.label, route: `${load.route.method} ${load.route.path}`, rps: 0, originRps: 0 };
        entry.rps += load.rps;
        entry.originRps += originRps;
        byEndpoint.set(load.label, entry);
        load.originRps = originRps;
      }
      const origin = (l: Load) => l.originRps;
      const apiRps = loads.reduce((s, l) => s + origin(l), 0);

      // Lambda: concurrency = arrival rate x duration (Little's law), per function (handler module).
      const lambdaByHandler = new Map<string, { rps: number; busy: number; localBusy: number }>();
      for (const l of loads) {
        const duration = (o.cpuMs + l.benchCase.roundTrips.wire * o.tripMs) / 1000;
        const entry = lambdaByHandler.get(l.route.handler) ?? { rps: 0, busy: 0, localBusy: 0 };
        entry.rps += origin(l);
        entry.busy += origin(l) * duration;
        entry.localBusy += origin(l) * l.benchCase.latencyMs.p50;
        lambdaByHandler.set(l.route.handler, entry);
      }
      const lambda = [...lambdaByHandler].map(([handler, e]) => {
        const fn = bench.functions.find((f) => f.handler === handler);
        return {
          handler, rps: e.rps, durationMs: e.rps > 0 ? (1000 * e.busy) / e.rps : 0, localP50Ms: e.rps > 0 ? e.localBusy / e.rps : 0,
          concurrency: e.busy, peakConcurrency: peakConcurrency(e.busy), initMs: fn?.importMs.sourceMaps?.p50 ?? null,
        };
      }).sort((a, b) => b.concurrency - a.concurrency);
      const lambdaConcurrencyTotal = lambda.reduce((s, f) => s + f.concurrency, 0);

      // Public-read Lambdas reuse a first page or floor for PUBLIC_READ_CACHE_MS (functions/data/read-cache.ts):
      // each warm environment reads a given key from DynamoDB at most once per that time. Warm environments are
      // counted at the peak concurrency, not the mean: more environments, more reads (the cautious side).
      const readCacheSeconds = stage.publicReadCacheMs / 1000;
      const dynamoRps = (l: Load) => {
        if (!(readCacheSeconds > 0) || l.route.auth !== 'public' || l.route.access !== 'read') return origin(l);
        const environments = Math.max(1, peakConcurrency(lambdaByHandler.get(l.route.handler)?.busy ?? 1));
        return Math.min(origin(l), (environments * l.cacheKeys) / readCacheSeconds);
      };

      // DynamoDB: units per request from the bench, partitions generalised ({user}, {collection}).
      let rru = 0;
      let wru = 0;
      const partitions = new Map<string, { rcu: number; wcu: number; how: string }>();
      for (const l of loads) {
        rru += dynamoRps(l) * l.benchCase.readUnits;
        wru += dynamoRps(l) * l.benchCase.writeUnits;
        for (const p of l.benchCase.partitions) {
          const [share, how] = p.template.includes('{user}')
            ? [1 / o.users, `one user's partition (1/${o.users} of the load)`]
            : p.template.includes('{collection}')
              ? [o.hotCollectionShare, `the busiest collection (${(100 * o.hotCollectionShare).toFixed(0)}% of collection-scoped load)`]
              : p.template.includes('{id}')
                ? [1 / 100, 'one item (1% of the requests: assumed spread)']
                : [1, 'one partition key: every such request'];
          const name = p.template.replace('{collection}', 'col-busiest').replace('{user}', 'user-any').replace('{id}', 'any');
          const entry = partitions.get(name) ?? { rcu: 0, wcu: 0, how };
          entry.rcu += dynamoRps(l) * p.readUnits * share;
          entry.wcu += dynamoRps(l) * p.writeUnits * share;
          partitions.set(name, entry);
        }
      }
      const partitionList = [...partitions].map(([partition, e]) => ({ partition, ...e })).sort((a, b) => Math.max(b.rcu / 3, b.wcu) - Math.max(a.rcu / 3, a.wcu));

      // The stage's API Gateway throttles, per route class.
      const byClass = new Map<string, number>();
      for (const l of loads) byClass.set(l.route.throttle, (byClass.get(l.route.throttle) ?? 0) + origin(l));
      const throttles = [...byClass].map(([throttleClass, rps]) => ({
        throttleClass, rps, rateLimit: stage.throttle.classes[throttleClass as keyof typeof stage.throttle.classes].rateLimit,
      }));

      const check = (name: string, load: number, limit: number, unit: string, note?: string): QuotaCheck =>
        ({ name, limit, load, unit, percent: (100 * load) / limit, exceeded: load > limit, ...(note ? { note } : {}) });
      const hottest = partitionList[0];
      const hottestWrite = [...partitionList].sort((a, b) => b.wcu - a.wcu)[0];
      const checks: QuotaCheck[] = [
        check('Lambda concurrent executions (account)', lambdaConcurrencyTotal, quotas.lambdaAccountConcurrency, 'executions'),
        check('Lambda scaling: new environments per 10 s (busiest function)', lambda[0]?.concurrency ?? 0, quotas.lambdaNewEnvironmentsPer10sPerFunction, 'environments',
          'its whole steady concurrency, as if it all arrived within 10 s'),
        check('API Gateway HTTP API requests/s (account, region)', apiRps, quotas.httpApiRpsPerAccountRegion, 'RPS'),
        check('DynamoDB table read units/s (on-demand table quota)', rru, quotas.dynamoDbTableRru, 'RRU/s'),
        check('DynamoDB table write units/s (on-demand table quota)', wru, quotas.dynamoDbTableWru, 'WRU/s'),
        check('DynamoDB new on-demand table, read units/s at once', rru, quotas.dynamoDbNewTableRru, 'RRU/s', 'above it a new table throttles until it scales (or set warm throughput)'),
        check('DynamoDB new on-demand table, write units/s at once', wru, quotas.dynamoDbNewTableWru, 'WRU/s'),
        ...(hottest ? [check(`DynamoDB hottest partition reads: ${hottest.partition}`, hottest.rcu, quotas.dynamoDbPartitionRcu, 'RCU/s', hottest.how)] : []),
        ...(hottestWrite && hottestWrite.wcu > 0 ? [check(`DynamoDB hottest partition writes: ${hottestWrite.partition}`, hottestWrite.wcu, quotas.dynamoDbPartitionWcu, 'WCU/s', hottestWrite.how)] : []),
        ...throttles.map((t) => check(`${o.stage} stage throttle ${t.throttleClass}`, t.rps, t.rateLimit, 'RPS', 'lib/stage-config.ts')),
        check('Cognito InitiateAuth (UserAuthentication category) requests/s', o.spawnRate, quotas.cognitoUserAuthenticationRps, 'RPS',
          'logins while users ramp up at --spawn-rate; after that only token refreshes'),
      ];

      // Cost at this load.
      const hour = 3600;
      const requestsPerHour = totalRps * hour;
      const apiPerHour = apiRps * hour;
      const gbSeconds = lambda.reduce((s, f) => s + f.rps * hour * (Math.ceil(f.durationMs) / 1000) * memoryGb, 0);
      const bytesOut = loads.reduce((s, l) => s + l.rps * l.benchCase.responseBytes, 0) * hour;
      const bytesFromOrigin = loads.reduce((s, l) => s + origin(l) * l.benchCase.responseBytes, 0) * hour;
      const perHour: Record<string, number> = {
        'Lambda requests': (apiPerHour / 1e6) * prices.lambdaRequestPerMillion,
        'Lambda compute (GB-s)': gbSeconds * prices.lambdaArmGbSecond,
        'API Gateway HTTP API': (apiPerHour / 1e6) * prices.httpApiPerMillion,
        'DynamoDB reads (RRU)': ((rru * hour) / 1e6) * prices.dynamoDbReadRequestUnitPerMillion,
        'DynamoDB writes (WRU)': ((wru * hour) / 1e6) * prices.dynamoDbWriteRequestUnitPerMillion,
        'CloudFront requests': (requestsPerHour / 1e6) * prices.cloudFrontHttpsPerMillion,
        'CloudFront data out': (bytesOut / 1e9) * prices.cloudFrontTransferOutPerGb,
        'CloudFront to origin': (bytesFromOrigin / 1e9) * prices.cloudFrontToOriginPerGb,
        'WAF requests': (requestsPerHour / 1e6) * prices.wafPerMillionRequests + prices.wafMonthlyFixed / 730,
        // Lambda's START/END/REPORT lines, about 0.3 KB per invocation, plus little else at WARN/INFO.
        'CloudWatch Logs': ((apiPerHour * 400) / 1e9) * prices.cloudWatchLogsIngestPerGb,
      };
      const totalPerHour = Object.values(perHour).reduce((a, b) => a + b, 0);
      const perMonthSustained = Object.fromEntries(Object.entries(perHour).map(([k, v]) => [k, v * 730]));
      return {
        mode: mode.name,
        description: mode.description,
        rps: { total: totalRps, perUser, byEndpoint: [...byEndpoint.values()].map((e) => ({ ...e, cacheHitRatio: e.rps > 0 ? 1 - e.originRps / e.rps : 0 })) },
        apiRps,
        lambda,
        lambdaConcurrencyTotal,
        dynamoDb: { rru, wru, partitions: partitionList },
        throttles,
        checks,
        cost: { perHour, perMonthSustained, totalPerHour, totalPerMonthSustained: totalPerHour * 730 },
      };
    }),
  };
}

// ---- output ---------------------------------------------------------------------------------------------------------

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const usd = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 })}`;

export function formatCapacity(result: CapacityResult): string {
  const a = result.assumptions as Record<string, any>;
  const out: string[] = [];
  out.push(`CAPACITY MODEL - ${f0(a.users)} concurrent users, the seed's mix`, '='.repeat(64));
  out.push(`Think time ${a.thinkSeconds} s (scenario.json, uniform ${a.thinkSeconds - 1}-${a.thinkSeconds + 1} s) + ${a.responseMs} ms response: ${a.requestsPerUserPerSecond.toFixed(3)} requests/s per user`);
  out.push(`Lambda: ${a.lambda.memoryMb} MB arm64, ${a.lambda.cpuMsPerRequest} ms per request + ${a.lambda.dynamoDbRoundTripMs} ms per DynamoDB round trip (bench round trips)`);
  out.push(`DynamoDB units per request: measured by the bench (${a.bench}, ${a.benchGeneratedAt}); busiest collection takes ${(100 * a.hotCollectionShare).toFixed(0)}% of collection-scoped requests`);
  out.push(`Lambda read cache: public-read environments read each distinct first page or floor from DynamoDB at most once per ${a.publicReadCacheMs} ms; warm environments = peak concurrency (mean + 3 sqrt(mean))`);
  out.push(`CloudFront: a cached key is fetched once per TTL by each of ${a.cloudFrontEdges} edge caches; stage throttles: ${a.stage}; logins ${a.loginsPerSecond}/s during the ramp${a.writes ? '; write traffic on' : ''}`);
  for (const m of result.modes) {
    out.push('', `--- ${m.mode.toUpperCase()}: ${m.description} ---`);
    out.push(`Requests/s: ${f0(m.rps.total)} from users; ${f0(m.apiRps)} reach API Gateway and Lambda (CloudFront answers the rest)`);
    out.push(table(['endpoint', 'RPS', 'route', 'CloudFront hit', 'to API RPS'],
      m.rps.byEndpoint.map((e) => [e.label, f0(e.rps), e.route, `${(100 * e.cacheHitRatio).toFixed(1)}%`, f1(e.originRps)])));
    out.push('', `Lambda concurrency: ${f1(m.lambdaConcurrencyTotal)} in total`);
    out.push(table(['function', 'RPS', 'duration ms (model)', 'p50 ms (bench, DynamoDB Local)', 'concurrency', 'peak (warm envs)', 'cold init ms (import)'],
      m.lambda.map((f) => [f.handler, f0(f.rps), f1(f.durationMs), f1(f.localP50Ms), f1(f.concurrency), f0(f.peakConcurrency), f.initMs === null ? '-' : f0(f.initMs)])));
    out.push('', `DynamoDB: ${f0(m.dynamoDb.rru)} RRU/s, ${f0(m.dynamoDb.wru)} WRU/s`);
    out.push(table(['partition (index:key)', 'RCU/s', 'WCU/s', 'load on it'], m.dynamoDb.partitions.slice(0, 8).map((p) => [p.partition, f0(p.rcu), f0(p.wcu), p.how])));
    out.push('', 'QUOTAS AND THROTTLES');
    out.push(table(['quota', 'load', 'limit', 'used', ''], [...m.checks].sort((x, y) => y.percent - x.percent).map((c) => [
      c.name, `${f0(c.load)} ${c.unit}`, f0(c.limit), `${c.percent.toFixed(0)}%`, c.exceeded ? 'EXCEEDED' : c.percent >= 70 ? 'close' : '',
    ])));
    const ranked = [...m.checks].sort((x, y) => y.percent - x.percent);
    const closest = ranked[0]!;
    out.push(`Closest: ${closest.name} at ${closest.percent.toFixed(0)}%${closest.note ? ` (${closest.note})` : ''}`);
    const serving = ranked.find((c) => !c.name.startsWith('Cognito'));
    if (serving && serving !== closest) out.push(`Closest while serving (logins aside): ${serving.name} at ${serving.percent.toFixed(0)}%${serving.note ? ` (${serving.note})` : ''}`);
    for (const c of m.checks.filter((x) => x.exceeded)) out.push(`FLAG: ${c.name}: ${f0(c.load)} ${c.unit} exceeds ${f0(c.limit)}`);
    out.push('', `COST at this load (prices ${result.prices.region}, recorded ${result.prices.recorded})`);
    out.push(table(['item', 'per hour', 'per month if sustained 24x7'],
      [...Object.keys(m.cost.perHour).map((k) => [k, usd(m.cost.perHour[k]!), usd(m.cost.perMonthSustained[k]!)]),
        ['TOTAL', usd(m.cost.totalPerHour), usd(m.cost.totalPerMonthSustained)]]));
  }
  out.push('', 'Not in the cost: Cognito (per monthly active user), DynamoDB storage and backups, CloudWatch metrics/alarms/dashboard, data transfer of requests in,',
    'Contributor Insights, WAF logs of blocked requests, Secrets Manager reads of the origin secret (2 per warm API function every 5 minutes).');
  return `${out.join('\n')}\n`;
}

export function writeSide(o: Options): WorkloadResult[] {
  return writeModel({
    users: o.users, dropSupply: o.dropSupply ?? o.users, dropSeconds: o.dropSeconds, sweepSecondsPerBuy: o.sweepSecondsPerBuy,
    userWriteRate: stageConfig(o.stage).throttle.classes['user-write'].rateLimit, streamShards: o.streamShards,
    ...(o.consumerChunk ? { activitiesPerTransaction: o.consumerChunk } : {}),
    ...(o.dropFullReadShare !== undefined ? { fullReadShare: Math.min(1, o.dropFullReadShare) } : {}),
  });
}

/** Top-ups/s at this many users, old and new idempotency records, against their limits (needs no bench results). */
export function topupSide(o: Pick<Options, 'users' | 'thinkSeconds' | 'responseMs' | 'dropSeconds' | 'stage'>, scenario: Scenario = loadScenario()): TopupCapacity {
  const thinkSeconds = o.thinkSeconds ?? (scenario.waitSeconds.min + scenario.waitSeconds.max) / 2;
  const weights = [...scenario.tasks, ...scenario.writes.tasks].reduce((sum, task) => sum + task.weight, 0);
  const topups = scenario.writes.tasks.filter((task) => task.kind === 'topup').reduce((sum, task) => sum + task.weight, 0);
  return topupCapacity({
    users: o.users, requestsPerSecond: o.users / (thinkSeconds + o.responseMs / 1000), topupShare: topups / weights,
    rushSeconds: o.dropSeconds, userWriteRate: stageConfig(o.stage).throttle.classes['user-write'].rateLimit, stage: o.stage,
  });
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  // The read side needs the bench's measurements; the write side is a model of the write sets alone.
  const result = existsSync(o.bench) ? model(JSON.parse(readFileSync(o.bench, 'utf8')) as BenchResult, loadScenario(), o) : null;
  const writes = writeSide(o);
  const topups = topupSide(o);
  const scenario = loadScenario();
  const thinkSeconds = o.thinkSeconds ?? (scenario.waitSeconds.min + scenario.waitSeconds.max) / 2;
  const feed = feedCapacity({
    ...defaultFeedInputs, subscribers: o.users, requestsPerUserPerSecond: 1 / (thinkSeconds + o.responseMs / 1000),
  }, scenario);
  const text = `${result ? formatCapacity(result) : `Read side skipped: ${relative(process.cwd(), o.bench)} not found (npm run bench measures what it needs).\n`}` +
    `${formatWriteModel(writes)}\n${formatTopupCapacity(topups)}\n${formatFeedCapacity(feed)}`;
  process.stdout.write(text);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify({ ...result, writeSide: writes, topups, feed }, null, 2)}\n`);
  writeFileSync(o.out.replace(/\.json$/, '.txt'), text);
  console.log(`\nWrote ${relative(process.cwd(), o.out)} and ${relative(process.cwd(), o.out.replace(/\.json$/, '.txt'))}`);
  const exceeded = result?.modes.some((m) => m.checks.some((c) => c.exceeded)) ?? false;
  process.exit(o.failOnExceed && exceeded ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}

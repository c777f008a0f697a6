/**
 * `npm run bench`: benchmarks (not tests) of every function. See docs/load-testing.md.
 *
 * 1. Bundles every handler under functions/handlers/ with the stack's esbuild options (lib/bundling.ts),
 *    plus two references: the DynamoDB document client alone (the floor for a handler that talks to
 *    DynamoDB) and an empty handler.
 * 2. Against DynamoDB Local with the seed data, runs each route's handler in this process with the
 *    capacity meter on: DynamoDB round trips and consumed capacity per request, partitions touched, items
 *    read, warm latency p50/p99. Round trips are also counted on the wire (a counting proxy in front of
 *    DynamoDB Local), which sees clients the meter does not (e.g. Powertools' idempotency store).
 * 3. Imports every bundle in a fresh Node process, interleaved with the references, several rounds, with
 *    and without --enable-source-maps (the stack sets NODE_OPTIONS=--enable-source-maps): median import time.
 *
 *   npm run bench                       # full seed (as npm start), ~3 minutes
 *   npm run bench -- --seed small --runs 50 --import-runs 3
 *   npm run bench -- --skip-import      # DynamoDB part only
 *
 * Writes bench/results/bench.json (gitignored) for `npm run capacity`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, Agent } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commandLine, numberOption, usageError } from '../../bin/cli-args.js';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { build, version as esbuildVersion, type Metafile } from 'esbuild';
import { bundling, handlerEntry } from '../../lib/bundling.js';
import { fallbackRoute, routes, type Route } from '../../functions/routes.js';
import { expandFixed, loadScenario, taskLabel, type ScenarioTask } from './scenario.js';
import { freePort } from '../../local/free-port.js';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

// ---- result shapes (read by capacity.ts) ----------------------------------------------------------------------

export interface Stat { p50: number; p99: number; mean: number }

export interface PartitionUse {
  /** index:partition key value, e.g. "gsi1:LISTINGS" or "table:USER#user-17". */
  key: string;
  /** The key with ids generalised: "table:USER#{user}", "gsi3:LISTINGS#{collection}". */
  template: string;
  readUnits: number;
  writeUnits: number;
}

export interface CaseResult {
  id: string;
  routeId: string;
  method: string;
  path: string;
  handler: string;
  description: string;
  /** Present for the seed scenario's request shapes: which task and variant, and the variant's share of the task. */
  scenario?: { task: string; variantIndex: number; variantShare: number };
  runs: number;
  statuses: Record<string, number>;
  roundTrips: { metered: number; meteredMax: number; wire: number; wireMax: number };
  operations: string[];
  readUnits: number;
  writeUnits: number;
  partitions: PartitionUse[];
  items: { returned: number; scanned: number };
  responseBytes: number;
  latencyMs: Stat;
}

export interface FunctionResult {
  handler: string;
  kind: 'route' | 'job' | 'fallback' | 'reference';
  routes: string[];
  bundleBytes: number;
  gzipBytes: number;
  mapBytes: number;
  packages: Array<{ name: string; bytes: number }>;
  /** Wall time of the import in a fresh process, with --enable-source-maps (as deployed) and without. */
  importMs: { sourceMaps: Stat | null; plain: Stat | null };
  /** CPU time of the same imports: what a core spent, whatever else the machine was doing. */
  importCpuMs: { sourceMaps: Stat | null; plain: Stat | null };
  /** Percent above the floor reference in import CPU time, as deployed (with --enable-source-maps) and plain. */
  vsFloorPct: number | null;
  vsFloorPlainPct: number | null;
  /** The same in wall time. */
  vsFloorWallPct: number | null;
  vsFloorWallPlainPct: number | null;
  /** The reference this function is held to: the document client, or the empty handler (no DynamoDB). */
  floor: 'docClient' | 'empty';
}

export interface BenchResult {
  generatedAt: string;
  machine: { cores: number; node: string; loadavgAtStart: number[]; esbuild: string };
  seed: Record<string, number> | null;
  options: Record<string, unknown>;
  cases: CaseResult[];
  routes: Array<{ routeId: string; method: string; path: string; handler: string; access: string; auth: string; cases: string[] }>;
  functions: FunctionResult[];
  references: { docClient: FunctionResult; empty: FunctionResult } | null;
  notes: string[];
}

// ---- options ----------------------------------------------------------------------------------------------------

function parseOptions() {
  const { values } = commandLine('Usage: npm run bench -- [--seed demo|small] [--runs 200] [--write-runs 30] [--import-runs 9] [--skip-import] [--skip-dynamodb] [--out bench/results/bench.json]', {
    seed: { type: 'string', default: 'demo' },
    runs: { type: 'string', default: '200' },
    'write-runs': { type: 'string', default: '30' },
    'import-runs': { type: 'string', default: '9' },
    'skip-import': { type: 'boolean', default: false },
    'skip-dynamodb': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/bench.json' },
  });
  const positive = (name: string, raw: string | undefined) => numberOption(name, raw, { min: 1, whole: true });
  if (values.seed !== 'demo' && values.seed !== 'small') usageError(`--seed ${values.seed}: demo or small`);
  return {
    seed: values.seed,
    runs: positive('runs', values.runs),
    writeRuns: positive('write-runs', values['write-runs']),
    importRuns: positive('import-runs', values['import-runs']),
    skipImport: values['skip-import']!,
    skipDynamoDb: values['skip-dynamodb']!,
    out: resolve(values.out!),
  };
}
let options: ReturnType<typeof parseOptions>;
let resultsDir: string;
let bundlesDir: string;

// ---- helpers --------------------------------------------------------------------------------------------------

function stat(samples: number[]): Stat {
  if (samples.length === 0) return { p50: 0, p99: 0, mean: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { p50: rank(0.5), p99: rank(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}


function shuffle<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function handlerFiles(dir = join(projectRoot, 'functions', 'handlers')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return handlerFiles(path);
    return name.endsWith('.ts') ? [relative(join(projectRoot, 'functions', 'handlers'), path).replace(/\.ts$/, '')] : [];
  }).sort();
}

const packageOf = (input: string) =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? (input.startsWith('functions/') ? '(app: functions/)' : input.split('/')[0]!);

// ---- 1. bundles -------------------------------------------------------------------------------------------------

interface Bundle { name: string; file: string; bytes: number; gzipBytes: number; mapBytes: number; packages: Array<{ name: string; bytes: number }> }

async function bundle(name: string, entry: { file: string } | { contents: string }): Promise<Bundle> {
  const outfile = join(bundlesDir, name, 'index.mjs');
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [join(projectRoot, entry.file)] }
      : { stdin: { contents: entry.contents, resolveDir: projectRoot, sourcefile: `${name}.ts`, loader: 'ts' as const } }),
    bundle: true,
    platform: bundling.platform,
    format: bundling.format,
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    banner: { js: bundling.banner },
    mainFields: bundling.mainFields,
    external: bundling.externalModules,
    outfile,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: projectRoot,
  });
  const code = readFileSync(outfile);
  const output = (result.metafile as Metafile).outputs[relative(projectRoot, outfile)];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  let mapBytes = 0;
  try { mapBytes = statSync(`${outfile}.map`).size; } catch { /* no map */ }
  return {
    name, file: outfile, bytes: code.length, gzipBytes: gzipSync(code).length, mapBytes,
    packages: [...byPackage].map(([n, bytes]) => ({ name: n, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

const references = {
  docClient: `
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
    export const handler = async (event: { id?: string }) => event.id
      ? (await db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.id, sk: 'x' } }))).Item
      : (await db.send(new QueryCommand({ TableName: process.env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'x' } }))).Items;
  `,
  empty: `export const handler = async () => ({ statusCode: 200, body: '' });`,
};

// ---- 2. DynamoDB: round trips, capacity, latency ------------------------------------------------------------------

interface WireCounter { calls: number; operations: string[] }

async function startCountingProxy(targetPort: number): Promise<{ endpoint: string; counter: WireCounter; stop(): Promise<void> }> {
  const counter: WireCounter = { calls: 0, operations: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createHttpServer((req, res) => {
    counter.calls += 1;
    counter.operations.push(String(req.headers['x-amz-target'] ?? '?').replace(/^DynamoDB_\d+\./, ''));
    const upstream = httpRequest(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => { res.writeHead(answer.statusCode ?? 502, answer.headers); answer.pipe(res); },
    );
    upstream.on('error', (error) => res.destroy(error));
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counter,
    stop: () => new Promise<void>((done) => { server.closeAllConnections(); agent.destroy(); server.close(() => done()); }),
  };
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

interface Invocation { userId?: string; pathParameters?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> }

interface CaseDefinition {
  id: string;
  route: Route;
  description: string;
  scenario?: CaseResult['scenario'];
  write: boolean;
  /** Builds the i-th request; async so write cases can look up fresh targets. */
  request(i: number): Promise<Invocation> | Invocation;
}

function apiEvent(route: Route, input: Invocation): APIGatewayProxyEventV2 {
  let rawPath = route.path;
  for (const [name, value] of Object.entries(input.pathParameters ?? {})) rawPath = rawPath.replace(`{${name}}`, encodeURIComponent(value));
  const headers: Record<string, string> = { host: 'bench.local', 'user-agent': 'bench', ...input.headers };
  const body = input.body === undefined ? undefined : JSON.stringify(input.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const query = input.query && Object.keys(input.query).length > 0 ? input.query : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000', apiId: 'bench', domainName: 'bench.local', domainPrefix: 'bench',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(), routeKey: `${route.method} ${route.path}`, stage: '$default',
      time: now.toUTCString(), timeEpoch: now.getTime(),
      ...(input.userId ? { authorizer: { jwt: { claims: { sub: input.userId, token_use: 'id' }, scopes: [] } } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const generalise = (key: string) => key.replace(/user-\d+/g, '{user}').replace(/col-\d+/g, '{collection}')
  .replace(/(LISTING|NFT|AUCTION|OFFER|PRESALE)#[A-Za-z0-9_-]+/g, '$1#{id}');

async function dynamoDbBench(notes: string[]): Promise<{ cases: CaseResult[]; seed: Record<string, number> }> {
  const [{ startDynamoDbLocal }, { createIdempotencyTable, createTable, localClient }, { writeSeed, defaultSeedSize, testSeedSize }, { lambdaContext }] = await Promise.all([
    import('../../local/dynamodb-local.js'), import('../../local/table.js'), import('../../local/seed.js'), import('../../local/handler-loader.js'),
  ]);
  const size = options.seed === 'small' ? testSeedSize : defaultSeedSize;
  const tableName = 'marketplace-bench';
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_SERVICE_NAME = 'marketplace-bench';
  process.env.TABLE_NAME = tableName;
  process.env.IDEMPOTENCY_TABLE_NAME = `${tableName}-idempotency`;

  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const direct = localClient(dynamo.endpoint);
  const proxy = await startCountingProxy(dynamo.port);
  try {
    console.log(`Seeding DynamoDB Local (${options.seed} seed: ${JSON.stringify(size)})...`);
    const seedStart = performance.now();
    await createTable(direct, tableName);
    await createIdempotencyTable(direct, process.env.IDEMPOTENCY_TABLE_NAME);
    await writeSeed(direct, tableName, size);
    console.log(`  seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    // The handlers' clients are built at import from the environment, exactly as in Lambda: point them at the proxy.
    process.env.DYNAMODB_ENDPOINT = proxy.endpoint;
    const [{ capacityMeter }, { db }, { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand }, { keys }] = await Promise.all([
      import('../../functions/data/capacity-meter.js'), import('../../functions/data/client.js'),
      import('@aws-sdk/lib-dynamodb'), import('../../functions/data/keys.js'),
    ]);
    capacityMeter.enable();

    // Which partitions each call reads or writes, and how many items a query read versus returned.
    const calls: Array<{ partitions: string[]; readUnits: number; writeUnits: number; count: number; scanned: number }> = [];
    const value = (v: unknown) => (v && typeof v === 'object' && 'S' in v ? (v as { S: string }).S : String(v));
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, any>;
        const result = await next(args);
        const output = result.output as Record<string, any>;
        const partitions: string[] = [];
        const index = input.IndexName ?? 'table';
        if (input.KeyConditionExpression) partitions.push(`${index}:${value(input.ExpressionAttributeValues?.[':pk'])}`);
        if (input.Key) partitions.push(`table:${value(input.Key.pk)}`);
        if (input.Item) partitions.push(`table:${value(input.Item.pk)}`);
        for (const request of Object.values<any>(input.RequestItems ?? {})) {
          for (const key of request.Keys ?? []) partitions.push(`table:${value(key.pk)}`);
          for (const write of Array.isArray(request) ? request : []) partitions.push(`table:${value((write.PutRequest?.Item ?? write.DeleteRequest?.Key)?.pk)}`);
        }
        for (const item of input.TransactItems ?? []) {
          const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck ?? item.Get;
          partitions.push(`table:${value(op?.Item?.pk ?? op?.Key?.pk)}`);
        }
        const consumed = ([] as any[]).concat(output.ConsumedCapacity ?? []);
        const units = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        const isWrite = /Put|Update|Delete|Write/.test(context.commandName ?? '');
        calls.push({
          partitions,
          readUnits: isWrite ? consumed.reduce((s, c) => s + (c.ReadCapacityUnits ?? 0), 0) : units,
          writeUnits: isWrite ? consumed.reduce((s, c) => s + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0) : 0,
          count: output.Count ?? output.Items?.length ?? (output.Item ? 1 : 0) + Object.values<any>(output.Responses ?? {}).reduce((s, r) => s + (Array.isArray(r) ? r.length : 0), 0),
          scanned: output.ScannedCount ?? output.Count ?? (output.Item ? 1 : 0) + Object.values<any>(output.Responses ?? {}).reduce((s, r) => s + (Array.isArray(r) ? r.length : 0), 0),
        });
        return result;
      },
      { step: 'initialize', name: 'benchPartitions', priority: 'low' },
    );

    const admin = DynamoDBDocumentClient.from(direct);
    const collections = Array.from({ length: size.collections }, (_, i) => `col-${i + 1}`);
    const reader = `user-${Math.min(17, size.users)}`;
    const fund = (userId: string) => admin.send(new UpdateCommand({
      TableName: tableName, Key: keys.account(userId), UpdateExpression: 'ADD balance :big', ExpressionAttributeValues: { ':big': 1e11 }, // under maxBalance, so top-ups still go through
    }));

    const definitions: CaseDefinition[] = [];
    const scenario = loadScenario();
    for (const task of scenario.tasks) {
      const route = routes.find((r) => r.id === task.route)!;
      const total = task.variants.reduce((s, v) => s + v.weight, 0);
      task.variants.forEach((variant, variantIndex) => {
        const id = `${route.id}${task.name ? `/${slug(task.name)}` : ''}${task.variants.length > 1 ? `#${variantIndex + 1}` : ''}`;
        const query = variant.query ? Object.fromEntries(Object.entries(expandFixed(variant.query, collections)).map(([k, v]) => [k, String(v)])) : undefined;
        const body = variant.body === undefined ? undefined : expandFixed(variant.body, collections);
        const pathParameters = variant.path ? expandFixed(variant.path, collections) : undefined;
        definitions.push({
          id, route, write: false,
          description: `${taskLabel(task as ScenarioTask)}${pathParameters ? ` ${JSON.stringify(pathParameters)}` : ''}${body ? ` ${JSON.stringify(body)}` : ''}${query ? ` ?${new URLSearchParams(query)}` : ''}`,
          scenario: { task: taskLabel(task), variantIndex, variantShare: variant.weight / total },
          request: () => ({
            ...(route.auth === 'user' ? { userId: reader } : {}), ...(pathParameters ? { pathParameters } : {}),
            ...(query ? { query } : {}), ...(body !== undefined ? { body } : {}),
          }),
        });
      });
    }
    // Routes the seed's clients do not call: one representative request each.
    const extraReads: Record<string, Invocation> = {
      getMarketListings: {},
      getMarketFloor: { query: { collectionIds: collections.slice(0, 10).join(',') } },
      getAuctions: {},
      getPresales: {},
      listActivity: {},
      getCollectionDepth: { pathParameters: { collectionId: collections[0]! }, query: { side: 'listings' } },
      getCollectionHistory: { pathParameters: { collectionId: collections[0]! }, query: { interval: '1h', from: new Date(Date.now() - 7 * 86_400_000).toISOString() } },
      listCollectionHolders: { pathParameters: { collectionId: collections[0]! } },
      'listActivity/types': { query: { types: 'sale,listing' } },
      listMyActivity: { userId: reader },
      'listMyActivity/types': { userId: reader, query: { types: 'listing,cancel' } },
      getCollectionTraits: { pathParameters: { collectionId: collections[0]! } },
      readFeed: { userId: reader, query: { channel: '/market/all', since: '0', limit: '100' } },
    };
    for (const [id, input] of Object.entries(extraReads)) {
      const route = routes.find((r) => r.id === id.split('/')[0]);
      if (!route) continue;
      definitions.push({ id, route, write: false, description: `${route.method} ${route.path}${input.query ? `?${new URLSearchParams(input.query)}` : ''}`, request: () => input });
    }
    // The trait filter: two Background partitions read in parallel, Eyes checked on what they carry.
    const traitFilter: Invocation = {
      query: { collectionId: collections[0]!, sort: 'price_asc', attributes: JSON.stringify({ Background: ['Red', 'Blue'], Eyes: ['Bored'] }) },
    };
    const listingsRoute = routes.find((r) => r.id === 'getMarketListings');
    if (listingsRoute) {
      definitions.push({
        id: 'getMarketListings/traits', route: listingsRoute, write: false,
        description: `GET /market?${new URLSearchParams(traitFilter.query)}`, request: () => traitFilter,
      });
    }

    // Writes: fresh targets for every request, from users with money to spend.
    const writer = (offset: number) => `user-${Math.max(1, size.users - offset)}`;
    const writeCase = (routeId: string, description: string, make: (i: number) => Promise<Invocation> | Invocation) => {
      const route = routes.find((r) => r.id === routeId);
      if (route) definitions.push({ id: routeId, route, write: true, description, request: make });
    };
    writeCase('createTopup', 'POST /users/balance-topups {amount: 1000} with a new Idempotency-Key', () => ({
      userId: writer(3), body: { amount: 1000 }, headers: { 'idempotency-key': randomUUID() },
    }));
    const nowIso = () => new Date().toISOString();
    const listingQueue: string[] = [];
    writeCase('buyListing', 'POST /market/listings/{listingId}/buy, a different active listing each time', async () => {
      if (listingQueue.length === 0) {
        const page = await admin.send(new QueryCommand({
          TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'LISTINGS' },
          ScanIndexForward: false, Limit: 200,
        }));
        listingQueue.push(...(page.Items ?? []).filter((l) => l.seller !== writer(0)).map((l) => l.listingId as string));
      }
      return { userId: writer(0), pathParameters: { listingId: listingQueue.shift() ?? 'lst-none' } };
    });
    let liveAuctions: string[] | null = null;
    writeCase('placeBid', 'POST /auctions/{auctionId}/bids, above the top bid, a live auction in turn', async (i) => {
      liveAuctions ??= ((await admin.send(new QueryCommand({
        TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :now',
        FilterExpression: 'startsAt <= :at', ExpressionAttributeValues: { ':pk': 'AUCTIONS', ':now': nowIso(), ':at': nowIso() },
        Limit: 500,
        // The page is small enough (200 auctions in the demo seed) for one call; the filter keeps started ones.
      }))).Items ?? []).filter((a) => a.seller !== writer(1)).map((a) => a.auctionId as string);
      const auctionId = liveAuctions[i % Math.max(1, liveAuctions.length)] ?? 'auc-none';
      const current = (await admin.send(new GetCommand({ TableName: tableName, Key: keys.auction(auctionId) }))).Item ?? {};
      const amount = Math.max(Number(current.reservePrice ?? 1000), Math.ceil(Number(current.highestBid ?? 0) * 1.5) + 1);
      return { userId: writer(1), pathParameters: { auctionId }, body: { amount } };
    });
    writeCase('createOffer', 'POST /offers {collectionId, amount, expiresAt} with a new Idempotency-Key', () => ({
      userId: writer(2), body: { collectionId: collections[0], amount: 1000, expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
      headers: { 'idempotency-key': randomUUID() },
    }));
    writeCase('sweepCollection', 'POST /market/sweep {collectionId, maxItems: 5, maxPricePerItem: 10^8} with a new Idempotency-Key, a collection in turn', (i) => ({
      userId: writer(4), body: { collectionId: collections[i % collections.length], maxItems: 5, maxPricePerItem: 100_000_000 },
      headers: { 'idempotency-key': randomUUID() },
    }));
    // Batches: 5 free NFTs of a seed NFT's owner (seed NFTs in turn), listed; then 5 listings of those owners, cancelled.
    const ownedBy = async (owner: string) => ((await admin.send(new QueryCommand({
      TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `OWNER#${owner}` },
    }))).Items ?? []);
    let nextSeedNft = 1;
    const batchSellers: string[] = [];
    writeCase('createListingsBatch', 'POST /market/listings/batch with 5 free NFTs of one owner', async () => {
      for (let tries = 0; tries < 50; tries++) {
        const owner = (await admin.send(new GetCommand({ TableName: tableName, Key: keys.nft(`nft-${nextSeedNft++}`) }))).Item?.owner as string | undefined;
        const free = owner ? (await ownedBy(owner)).filter((n) => !n.listingId && !n.auctionId).slice(0, 5) : [];
        if (free.length === 0) continue;
        batchSellers.push(owner!);
        return { userId: owner!, body: { items: free.map((n) => ({ nftId: n.nftId as string, price: 5_000 })) } };
      }
      return { userId: writer(5), body: { items: [{ nftId: 'nft-none', price: 5_000 }] } };
    });
    writeCase('cancelListingsBatch', 'POST /market/listings/cancel-batch with 5 listings of one seller', async () => {
      const seller = batchSellers.shift() ?? writer(5);
      const listed = (await ownedBy(seller)).filter((n) => n.listingId).slice(0, 5).map((n) => n.listingId as string);
      return { userId: seller, body: { listingIds: listed.length ? listed : ['lst-none'] } };
    });
    for (let offset = 0; offset < 5; offset++) await fund(writer(offset));

    const handlers = new Map<string, Handler>();
    const results: CaseResult[] = [];
    console.log(`Measuring ${definitions.length} request shapes (${options.runs} runs each, writes ${options.writeRuns})...`);
    for (const definition of definitions) {
      let handler = handlers.get(definition.route.handler);
      if (!handler) {
        const module = await import(pathToFileURL(join(projectRoot, handlerEntry(definition.route.handler))).href) as { handler: Handler };
        handler = module.handler;
        handlers.set(definition.route.handler, handler);
      }
      const runs = definition.write ? options.writeRuns : options.runs;
      const warmup = definition.write ? 3 : 10;
      const latencies: number[] = [];
      const metered: number[] = [];
      const wire: number[] = [];
      const statuses: Record<string, number> = {};
      let readUnits = 0;
      let writeUnits = 0;
      let returned = 0;
      let scanned = 0;
      let responseBytes = 0;
      let operations: string[] = [];
      const partitions = new Map<string, PartitionUse>();
      for (let i = 0; i < warmup + runs; i++) {
        const event = apiEvent(definition.route, await definition.request(i));
        capacityMeter.reset();
        calls.length = 0;
        proxy.counter.calls = 0;
        proxy.counter.operations = [];
        const started = performance.now();
        const answer = await handler(event, lambdaContext(definition.route.id, event.requestContext.requestId)) as { statusCode?: number; body?: string };
        const elapsed = performance.now() - started;
        const reading = capacityMeter.reset();
        if (i < warmup) continue;
        latencies.push(elapsed);
        metered.push(reading.calls);
        wire.push(proxy.counter.calls);
        statuses[String(answer.statusCode ?? 200)] = (statuses[String(answer.statusCode ?? 200)] ?? 0) + 1;
        readUnits += reading.readUnits;
        writeUnits += reading.writeUnits;
        responseBytes += Buffer.byteLength(answer.body ?? '');
        if (operations.length === 0 || proxy.counter.operations.length > operations.length) operations = [...proxy.counter.operations];
        for (const call of calls) {
          returned += call.count;
          scanned += call.scanned;
          const share = call.partitions.length || 1;
          for (const key of call.partitions) {
            const use = partitions.get(key) ?? { key, template: generalise(key), readUnits: 0, writeUnits: 0 };
            use.readUnits += call.readUnits / share;
            use.writeUnits += call.writeUnits / share;
            partitions.set(key, use);
          }
        }
      }
      const per = (n: number) => n / runs;
      const byTemplate = new Map<string, PartitionUse>();
      for (const use of partitions.values()) {
        const merged = byTemplate.get(use.template) ?? { key: use.key, template: use.template, readUnits: 0, writeUnits: 0 };
        merged.readUnits += per(use.readUnits);
        merged.writeUnits += per(use.writeUnits);
        byTemplate.set(use.template, merged);
      }
      results.push({
        id: definition.id,
        routeId: definition.route.id,
        method: definition.route.method,
        path: definition.route.seedPath ?? definition.route.path,
        handler: definition.route.handler,
        description: definition.description,
        ...(definition.scenario ? { scenario: definition.scenario } : {}),
        runs,
        statuses,
        roundTrips: { metered: per(metered.reduce((a, b) => a + b, 0)), meteredMax: Math.max(...metered), wire: per(wire.reduce((a, b) => a + b, 0)), wireMax: Math.max(...wire) },
        operations,
        readUnits: per(readUnits),
        writeUnits: per(writeUnits),
        partitions: [...byTemplate.values()].sort((a, b) => b.readUnits + b.writeUnits - a.readUnits - a.writeUnits),
        items: { returned: per(returned), scanned: per(scanned) },
        responseBytes: per(responseBytes),
        latencyMs: stat(latencies),
      });
      const last = results.at(-1)!;
      console.log(`  ${last.id.padEnd(36)} ${JSON.stringify(last.statuses).padEnd(12)} trips ${last.roundTrips.wire.toFixed(2)} ${last.operations.join('+')}`);
    }
    const unmetered = results.filter((r) => r.roundTrips.wire > r.roundTrips.metered + 0.01);
    for (const r of unmetered) {
      notes.push(`${r.routeId}: ${r.roundTrips.wire.toFixed(1)} round trips on the wire but ${r.roundTrips.metered.toFixed(1)} metered: a DynamoDB client other than functions/data/client.ts (its capacity is not in the RCU/WCU columns)`);
    }
    return { cases: results, seed: { ...size } };
  } finally {
    await proxy.stop();
    direct.destroy();
    await dynamo.stop();
  }
}

// ---- 3. import time in fresh processes -----------------------------------------------------------------------------

interface ImportSamples { sourceMaps: number[]; plain: number[]; cpuSourceMaps: number[]; cpuPlain: number[] }

function importTimes(bundles: Bundle[], rounds: number): Map<string, ImportSamples> {
  const probe = join(here, 'import-probe.mjs');
  const times = new Map(bundles.map((b): [string, ImportSamples] => [b.name, { sourceMaps: [], plain: [], cpuSourceMaps: [], cpuPlain: [] }]));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    TABLE_NAME: 'marketplace-bench',
    POWERTOOLS_SERVICE_NAME: 'marketplace',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // Lambda runs Node 22+: keep the SDK's Node 20 notice out of the measurement.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (let round = 1; round <= rounds; round++) {
    const jobs = shuffle(bundles.flatMap((b) => [{ b, mode: 'sourceMaps' as const }, { b, mode: 'plain' as const }]));
    for (const { b, mode } of jobs) {
      const run = spawnSync(process.execPath, [probe, pathToFileURL(b.file).href], {
        encoding: 'utf8', timeout: 60_000,
        env: { ...env, NODE_OPTIONS: mode === 'sourceMaps' ? '--enable-source-maps' : '' },
      });
      const line = run.stdout.trim().split('\n').at(-1) ?? '';
      let measured: { importMs: number; cpuMs: number; handler: boolean } | null = null;
      try { measured = JSON.parse(line); } catch { /* reported below */ }
      if (run.status !== 0 || !measured) throw new Error(`importing ${b.name} failed (${run.status}): ${run.stderr.slice(0, 500)}`);
      if (!measured.handler) throw new Error(`${b.name} exports no handler function`);
      const samples = times.get(b.name)!;
      samples[mode].push(measured.importMs);
      samples[mode === 'sourceMaps' ? 'cpuSourceMaps' : 'cpuPlain'].push(measured.cpuMs);
    }
    process.stdout.write(`  import round ${round}/${rounds} done\n`);
  }
  return times;
}

// ---- report ---------------------------------------------------------------------------------------------------------

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** "GetItem x3 + TransactWriteItems": the calls of one request, in order of first use. */
export function countOperations(operations: string[]): string {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n > 1 ? `${op} x${n}` : op)).join(' + ');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)}`;
const ms = (n: number) => n.toFixed(1);

export function printBench(result: BenchResult): void {
  if (result.cases.length > 0) {
    console.log('\nDYNAMODB PER REQUEST (seeded data; handlers in process against DynamoDB Local; latency is warm, one request at a time)');
    console.log(table(
      ['case', 'status', 'trips', 'max', 'operations', 'RCU', 'WCU', 'items read/returned', 'bytes', 'p50 ms', 'p99 ms'],
      result.cases.map((c) => [
        c.id, Object.entries(c.statuses).map(([s, n]) => (Object.keys(c.statuses).length > 1 ? `${s}x${n}` : s)).join(' '),
        c.roundTrips.wire.toFixed(2), String(c.roundTrips.wireMax), countOperations(c.operations),
        c.readUnits.toFixed(1), c.writeUnits.toFixed(1), `${c.items.scanned.toFixed(0)}/${c.items.returned.toFixed(0)}`,
        c.responseBytes.toFixed(0), ms(c.latencyMs.p50), ms(c.latencyMs.p99),
      ]),
    ));
    const without = result.routes.filter((r) => r.cases.length === 0);
    if (without.length > 0) console.log(`Routes without a bench request (bundle and import measured only): ${without.map((r) => r.routeId).join(', ')}`);
  }
  if (result.functions.length > 0 && result.references) {
    const ref = result.references;
    console.log(`\nBUNDLES AND IMPORT TIME (esbuild ${result.machine.esbuild} with lib/bundling.ts options; median import in a fresh Node ${result.machine.node} process)`);
    const pct = (v: number | null) => (v === null ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(0)}%`);
    const med = (v: Stat | null) => (v ? ms(v.p50) : '-');
    const rows = [ref.docClient, ref.empty, ...result.functions].map((f) => [
      f.kind === 'reference' ? `[reference] ${f.handler}` : f.handler,
      kb(f.bundleBytes), kb(f.gzipBytes), kb(f.mapBytes),
      med(f.importMs.sourceMaps), med(f.importCpuMs.sourceMaps), pct(f.vsFloorPct),
      med(f.importMs.plain), med(f.importCpuMs.plain), pct(f.vsFloorPlainPct),
      f.packages.filter((p) => !p.name.startsWith('@aws-sdk') && !p.name.startsWith('@smithy') && !p.name.startsWith('@aws-crypto') && p.bytes > 2048)
        .slice(0, 4).map((p) => `${p.name} ${kb(p.bytes)}K`).join(', '),
    ]);
    console.log(table(['function', 'KB', 'gzip KB', 'map KB', 'wall ms (source maps)', 'CPU ms', 'vs floor', 'wall ms (plain)', 'CPU ms', 'vs floor', 'largest non-SDK inputs'], rows));
    console.log('Medians of the imports. vs floor: CPU time above the document-client reference (functions that use DynamoDB) or the empty handler; goal within +10%.');
    console.log('"source maps": NODE_OPTIONS=--enable-source-maps, as the stack deploys; "plain": without.');
  }
  for (const note of result.notes) console.log(`note: ${note}`);
}

// ---- main -------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  options = parseOptions();
  resultsDir = dirname(options.out);
  bundlesDir = join(resultsDir, 'bundles');
  const notes: string[] = [];
  const loadAtStart = loadavg();
  mkdirSync(bundlesDir, { recursive: true });

  console.log('Bundling every function with lib/bundling.ts options...');
  const handlerNames = handlerFiles();
  const bundles = await Promise.all(handlerNames.map((h) => bundle(h, { file: handlerEntry(h) })));
  const refBundles = { docClient: await bundle('_reference/document-client', { contents: references.docClient }), empty: await bundle('_reference/empty-handler', { contents: references.empty }) };

  let cases: CaseResult[] = [];
  let seed: Record<string, number> | null = null;
  if (!options.skipDynamoDb) ({ cases, seed } = await dynamoDbBench(notes));

  let times: Map<string, ImportSamples> | null = null;
  if (!options.skipImport) {
    console.log(`Import times: ${options.importRuns} interleaved rounds of ${bundles.length + 2} bundles x 2 modes...`);
    times = importTimes([...bundles, refBundles.docClient, refBundles.empty], options.importRuns);
  }
  const usesDynamoDb = (b: Bundle) => b.packages.some((p) => p.name === '@aws-sdk/client-dynamodb');
  const toResult = (b: Bundle, kind: FunctionResult['kind']): FunctionResult => {
    const t = times?.get(b.name);
    return {
      handler: b.name.replace(/^_reference\//, ''), kind,
      routes: kind === 'reference' ? [] : routes.filter((r) => r.handler === b.name).map((r) => r.id).concat(b.name === fallbackRoute.handler ? [fallbackRoute.id] : []),
      bundleBytes: b.bytes, gzipBytes: b.gzipBytes, mapBytes: b.mapBytes, packages: b.packages,
      importMs: { sourceMaps: t ? stat(t.sourceMaps) : null, plain: t ? stat(t.plain) : null },
      importCpuMs: { sourceMaps: t ? stat(t.cpuSourceMaps) : null, plain: t ? stat(t.cpuPlain) : null },
      vsFloorPct: null, vsFloorPlainPct: null, vsFloorWallPct: null, vsFloorWallPlainPct: null, floor: usesDynamoDb(b) || b.name.includes('document-client') ? 'docClient' : 'empty',
    };
  };
  const refs = { docClient: toResult(refBundles.docClient, 'reference'), empty: toResult(refBundles.empty, 'reference') };
  const functions = bundles.map((b) => toResult(b, b.name.startsWith('jobs/') ? 'job' : b.name === fallbackRoute.handler ? 'fallback' : 'route'));
  const above = (value: Stat | null, floor: Stat | null) => (value && floor ? (100 * (value.p50 - floor.p50)) / floor.p50 : null);
  for (const f of functions) {
    const floor = refs[f.floor];
    f.vsFloorPct = above(f.importCpuMs.sourceMaps, floor.importCpuMs.sourceMaps);
    f.vsFloorPlainPct = above(f.importCpuMs.plain, floor.importCpuMs.plain);
    f.vsFloorWallPct = above(f.importMs.sourceMaps, floor.importMs.sourceMaps);
    f.vsFloorWallPlainPct = above(f.importMs.plain, floor.importMs.plain);
  }

  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    machine: { cores: availableParallelism(), node: process.version, loadavgAtStart: loadAtStart, esbuild: esbuildVersion },
    seed,
    options: { ...options, out: relative(projectRoot, options.out) },
    cases,
    routes: routes.map((r) => ({
      routeId: r.id, method: r.method, path: r.seedPath ?? r.path, handler: r.handler, access: r.access, auth: r.auth,
      cases: cases.filter((c) => c.routeId === r.id).map((c) => c.id),
    })),
    functions,
    references: refs,
    notes,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
  printBench(result);
  console.log(`\nWrote ${relative(process.cwd(), options.out)} (bundles in ${relative(process.cwd(), bundlesDir)}/)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}

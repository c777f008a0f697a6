/**
 * `npm start`: the marketplace on this machine. DynamoDB Local (in memory unless --data-dir), the table,
 * a deterministic demo marketplace, and a local API Gateway on http://localhost:3000.
 *
 *   npm start                          # defaults
 *   npm start -- --data-dir .local-data # keep data between runs (seeded once)
 *   npm start -- --seed small           # the small test marketplace, starts in a second or two
 *   PORT=4000 DYNAMODB_PORT=8001 npm start
 *   SEED_NFTS=50000 SEED_LISTINGS=10000 npm start
 *   THROTTLE=off npm start              # no 429s (the default enforces the staging stage's throttles)
 *   PUBLIC_READ_CACHE_MS=0 npm start    # every public read goes to DynamoDB (default: 1 s reuse per simulated
 *                                       # Lambda environment, as deployed)
 *   CONFLICT_FAITHFUL=1 npm start       # concurrent transactions on one item are cancelled, as DynamoDB does
 *   CONFLICT_HOLD_MS=25 CONFLICT_FAITHFUL=1 npm start  # how long a transaction holds its items (default 15)
 *   STREAMS=off npm start               # no stream consumers (by default they run, as Lambda runs them)
 *   ORIGIN_SECRET=a,b npm start         # 403 without x-origin-verify: a or b (the deployed API's CloudFront-only check)
 *   SCHEDULES=off npm start             # no scheduled jobs (by default they run on their schedules, as EventBridge runs them)
 *   TLS_PORT=3443 npm start             # https:// and wss:// on this port (the default; TLS=off: none), for AppSync Events' clients
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine, usageError } from './cli-args.js';
import { defaultSeedSize, testSeedSize, type SeedSize } from '../local/seed.js';
import { startLocalRuntime } from '../local/runtime.js';
import { startTlsListener } from '../local/tls-listener.js';

const { values } = commandLine(`Usage: npm start -- [--seed demo|small|none] [--data-dir DIR] [--port 3000]
  The marketplace on this machine: DynamoDB Local, the seeded table and a local API Gateway. Environment settings
  (PORT, DYNAMODB_PORT, SEED_*, THROTTLE, PUBLIC_READ_CACHE_MS, CONFLICT_FAITHFUL, STREAMS, SCHEDULES...): bin/local.ts.`, {
  'data-dir': { type: 'string' },
  seed: { type: 'string', default: 'demo' },
  port: { type: 'string' },
});
if (!['demo', 'small', 'none'].includes(values.seed)) usageError(`--seed ${values.seed}: demo, small or none`);
if (values.port !== undefined && !/^\d+$/.test(values.port)) usageError(`--port ${values.port}: must be a port number`);

function seedSize(): SeedSize | null {
  if (values.seed === 'none') return null;
  const base = values.seed === 'small' ? testSeedSize : defaultSeedSize;
  const fromEnv = (name: string, fallback: number) => {
    const raw = process.env[`SEED_${name}`];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`SEED_${name} must be a whole number`);
    return value;
  };
  return {
    collections: Math.max(1, fromEnv('COLLECTIONS', base.collections)),
    nfts: fromEnv('NFTS', base.nfts),
    listings: fromEnv('LISTINGS', base.listings),
    auctions: fromEnv('AUCTIONS', base.auctions),
    presales: fromEnv('PRESALES', base.presales),
    users: Math.max(1, fromEnv('USERS', base.users)),
  };
}

function conflicts(): { holdMs: number } | null {
  if (!['1', 'true', 'on'].includes(process.env.CONFLICT_FAITHFUL ?? '')) return null;
  const holdMs = Number(process.env.CONFLICT_HOLD_MS ?? 15);
  if (!Number.isFinite(holdMs) || holdMs < 0) throw new Error('CONFLICT_HOLD_MS must be a number of milliseconds');
  return { holdMs };
}

/** SEED_SNAPSHOT=off seeds afresh every time; SEED_SNAPSHOT_MAX_AGE_HOURS bounds how old a reused seed may be. */
function snapshotMaxAgeHours(): number {
  if (process.env.SEED_SNAPSHOT === 'off') return 0;
  const hours = Number(process.env.SEED_SNAPSHOT_MAX_AGE_HOURS ?? 6);
  if (!Number.isFinite(hours) || hours < 0) throw new Error('SEED_SNAPSHOT_MAX_AGE_HOURS must be a number of hours');
  return hours;
}

const startedAt = performance.now();
const size = seedSize();
if (size && size.listings + size.auctions > size.nfts) throw new Error('SEED_LISTINGS + SEED_AUCTIONS must not exceed SEED_NFTS');
console.log('Starting DynamoDB Local and seeding the demo marketplace...');
const runtime = await startLocalRuntime({
  port: Number(values.port ?? process.env.PORT ?? 3000),
  dynamoDbPort: Number(process.env.DYNAMODB_PORT ?? 8000),
  dataDir: values['data-dir'] ?? process.env.LOCAL_DATA_DIR,
  tableName: process.env.TABLE_NAME ?? 'marketplace-local',
  seedSize: size,
  throttleStage: process.env.THROTTLE === 'off' ? null : (process.env.THROTTLE ?? 'staging'),
  conflicts: conflicts(),
  streams: process.env.STREAMS !== 'off',
  schedules: process.env.SCHEDULES !== 'off',
  seedSnapshot: snapshotMaxAgeHours() > 0 ? { maxAgeHours: snapshotMaxAgeHours() } : undefined,
});
const tls = process.env.TLS === 'off' ? null
  : await startTlsListener({ targetPort: Number(new URL(runtime.url).port), port: Number(process.env.TLS_PORT ?? 3443) });
const certFile = join(tmpdir(), 'nft-marketplace-local-cert.pem');
if (tls) writeFileSync(certFile, tls.cert);
const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);

console.log(`
NFT marketplace running locally (ready in ${seconds} s)
  API           ${runtime.url}
  OpenAPI       ${runtime.url}/openapi.json
  DynamoDB      ${runtime.endpoint} (table ${process.env.TABLE_NAME}${values['data-dir'] ?? process.env.LOCAL_DATA_DIR ? ', persistent' : ', in memory'})
  Seed          ${runtime.seed ? `${runtime.seed.items} items: ${JSON.stringify(runtime.seed.size)}` : 'existing data kept'}${runtime.seedSnapshot === 'restored' ? `
                copied from the snapshot of the seed written at ${runtime.seed!.now} (SEED_SNAPSHOT=off seeds afresh)` : runtime.seedSnapshot === 'saved' ? '\n                kept as a snapshot: the next starts copy it (SEED_SNAPSHOT=off: never)' : ''}
  Streams       ${runtime.streams ? 'on: the stream consumers run as Lambda runs them (STREAMS=off turns them off)' : 'off'}
  Schedules     ${runtime.schedules ? `on: ${runtime.schedules.schedules.map((s) => `${s.jobId} every ${s.everyMs / 1000} s`).join(', ')} (SCHEDULES=off turns them off)` : 'off'}
  Live feed     ${runtime.feed ? `${runtime.url.replace(/^http/, 'ws')}/event/realtime (AppSync Events' protocol, in a process of its own; npm run watch prints it)` : 'off'}
  TLS           ${tls ? `${tls.url} and ${tls.url.replace(/^https/, 'wss')}/event/realtime (Amplify's events: endpoint ${tls.url}/event); certificate made at start: NODE_EXTRA_CA_CERTS=${certFile}` : 'off'}
  Conflicts     ${runtime.conflicts ? `faithful: transactions on one item conflict as in DynamoDB (hold ${runtime.conflicts.holdMs} ms)` : 'off: DynamoDB Local runs concurrent transactions one by one (CONFLICT_FAITHFUL=1 turns it on)'}

  Get a token:  curl -s -X POST ${runtime.url}/local/token -d '{"userId":"user-1"}'
  Then:         curl -s ${runtime.url}/accounts -H "authorization: Bearer $TOKEN"
Ctrl-C stops the API and DynamoDB Local.`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the API and DynamoDB Local...`);
  await tls?.close();
  await runtime.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/**
 * `npm run loadtest:feed`: N live-feed subscribers while pairs of traders list and buy the same NFTs back and
 * forth through the API, starting --trade-rate trades (a listing and its sale) a second. The subscribers run in
 * processes of their own at a low CPU priority (test/load/feed-subscribers.ts), as clients run on their own
 * devices; every few seconds a share of them lose their connection and catch up. Reports delivery latency
 * (trade → subscriber) p50/p95/p99, events lost, subscribers left behind, duplicates and client errors (a
 * session that failed and was started again). Not part of `npm test`.
 *
 *   npm run loadtest:feed -- --subscribers 2000 --duration 600 --disconnect-every 5 --disconnect-share 0.1 --trade-rate 2
 *   npm run loadtest:feed -- --target http://localhost:3000 ...   # a running `npm start` (tokens from /local/token)
 *
 * Without --target it starts the local marketplace (test seed, no throttles) on free ports. A third of the
 * subscribers follow /market/all, the rest the collections the traders trade in. Exit status 1 when an event was
 * lost or duplicated, or the p95 is over --max-p95-ms.
 */
import { fork } from 'node:child_process';
import { niceEveryThread } from '../../local/process-priority.js';
import { fileURLToPath } from 'node:url';
import { commandLine, numberOption, usageError } from '../../bin/cli-args.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalRuntime } from '../../local/runtime.js';
import type { Answered, FromWorker, SubscriberPlan, SubscriberResults } from './feed-subscribers.js';

const { values } = commandLine(`Usage: npm run loadtest:feed -- [--subscribers 200] [--duration 60] [--disconnect-every 5] [--disconnect-share 0.1]
       [--pairs 4] [--trade-rate 2] [--client-processes 2] [--client-nice 19] [--max-p95-ms N] [--target URL]
  --duration in seconds; without --target it starts the local marketplace on free ports.`, {
  target: { type: 'string' },
  subscribers: { type: 'string', default: '200' },
  duration: { type: 'string', default: '60' },
  'disconnect-every': { type: 'string', default: '5' },
  'disconnect-share': { type: 'string', default: '0.1' },
  pairs: { type: 'string', default: '4' },
  'trade-rate': { type: 'string', default: '2' },
  'client-processes': { type: 'string', default: '2' },
  'max-p95-ms': { type: 'string' },
  'client-nice': { type: 'string', default: '19' },
});
for (const name of ['subscribers', 'duration', 'disconnect-every', 'disconnect-share', 'pairs', 'trade-rate', 'client-processes', 'client-nice'] as const) {
  numberOption(name, values[name]);
}
if (values['max-p95-ms'] !== undefined) numberOption('max-p95-ms', values['max-p95-ms']);
if (values.target !== undefined && !/^https?:\/\//.test(values.target)) usageError(`--target ${values.target}: must be an http(s) URL`);
const subscriberCount = Number(values.subscribers);
const durationMs = Number(values.duration) * 1000;
const pairCount = Number(values.pairs);
const processCount = Math.max(1, Math.min(Number(values['client-processes']), subscriberCount || 1));

let runtime: LocalRuntime | undefined;
if (!values.target) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { startLocalRuntime } = await import('../../local/runtime.js');
  const { testSeedSize } = await import('../../local/seed.js');
  runtime = await startLocalRuntime({
    port: 0, tableName: `feed-load-${Date.now()}`, seedSize: testSeedSize, throttleStage: null, schedules: false,
    dynamoDbPort: 18_500 + Math.floor(Math.random() * 400),
  });
}
const api = (values.target ?? runtime!.url).replace(/\/$/, '');
const realtimeUrl = `${api.replace(/^http/, 'ws')}/event/realtime`;

const tokens = new Map<string, string>();
async function token(userId: string): Promise<string> {
  if (!tokens.has(userId)) {
    if (runtime) tokens.set(userId, await runtime.issuer.sign({ sub: userId, expiresInSeconds: 7200 }));
    else {
      const response = await fetch(`${api}/local/token`, { method: 'POST', body: JSON.stringify({ userId, expiresInSeconds: 7200 }) });
      if (!response.ok) throw new Error(`${api}/local/token answered ${response.status}: --target must be a local gateway`);
      tokens.set(userId, ((await response.json()) as { token: string }).token);
    }
  }
  return tokens.get(userId)!;
}
async function call(userId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api}${path}`, {
    method, headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

// ---- traders: each pair lists and buys one NFT back and forth -------------------------------------------------------
async function freeNft(userId: string): Promise<{ nftId: string; collectionId: string }> {
  const page = await call(userId, 'GET', '/nft/my?limit=100');
  for (const nft of page.body.items as { nftId: string; collectionId: string }[]) {
    const listing = await call(userId, 'POST', '/market/listings', { nftId: nft.nftId, price: 1000 });
    if (listing.status === 201) {
      await call(userId, 'DELETE', `/market/listings/${listing.body.listingId}`);
      return nft;
    }
  }
  throw new Error(`${userId} has no free NFT`);
}
const runId = Date.now();
const pairs = await Promise.all(Array.from({ length: pairCount }, async (_, k) => {
  const users = [`user-${2 * k + 1}`, `user-${2 * k + 2}`] as const;
  for (const user of users) await call(user, 'POST', '/users/balance-topups', { amount: 100_000_000 }, { 'idempotency-key': `feed-load-${user}-${runId}` });
  return { users, nft: await freeNft(users[0]) };
}));

let trades = 0;
let tradeErrors = 0;
let trading = true;
const answered = (answer: Answered) => { for (const { child } of workers) child.send({ type: 'answered', answered: answer }); };
/** Trades start at a steady rate across the pairs (an open loop: a slow answer does not slow the load down). */
const tradeIntervalMs = 1000 / Number(values['trade-rate']);
let nextTradeAt = 0;
async function trade(pair: (typeof pairs)[number]): Promise<void> {
  let owner = 0;
  while (trading) {
    nextTradeAt = Math.max(nextTradeAt + tradeIntervalMs, Date.now());
    await sleep(nextTradeAt - Date.now());
    if (!trading) break;
    const [seller, buyer] = [pair.users[owner]!, pair.users[1 - owner]!];
    const listing = await call(seller, 'POST', '/market/listings', { nftId: pair.nft.nftId, price: 1000 + trades }).catch(() => null);
    if (listing?.status !== 201) {
      // Refused or no answer: if a sale went through unanswered, the other one owns the NFT now.
      tradeErrors++;
      owner = 1 - owner;
      await sleep(100);
      continue;
    }
    answered({ key: `listing.created:${listing.body.listingId}`, at: Date.now() });
    const sale = await call(buyer, 'POST', `/market/listings/${listing.body.listingId}/buy`).catch(() => null);
    if (sale?.status !== 200) {
      tradeErrors++;
      await call(seller, 'DELETE', `/market/listings/${listing.body.listingId}`).catch(() => null);
      continue;
    }
    answered({ key: `sale:${listing.body.listingId}`, at: Date.now() });
    trades++;
    owner = 1 - owner;
  }
}

// ---- subscribers, in their own processes -----------------------------------------------------------------------------
const tradedCollections = [...new Set(pairs.map((p) => p.nft.collectionId))];
const channelOf = (i: number) => (i % 3 === 0 ? '/market/all' : `/market/collections/${tradedCollections[i % tradedCollections.length]}`);
const plans: SubscriberPlan[] = Array.from({ length: processCount }, () => ({
  realtimeUrl, apiUrl: api, subscribers: [], disconnectEveryMs: Number(values['disconnect-every']) * 1000,
  disconnectShare: Number(values['disconnect-share']),
}));
for (let i = 0; i < subscriberCount; i++) plans[i % processCount]!.subscribers.push({ channel: channelOf(i), token: await token(`watcher-${i}`) });

const workers = plans.filter((plan) => plan.subscribers.length > 0).map((plan) => {
  const child = fork(fileURLToPath(new URL('./feed-subscribers.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  // The subscribers stand for other people's devices: below the marketplace's processes on this machine's CPU.
  const nice = Number(values['client-nice']);
  niceEveryThread(child.pid!, nice);
  const results = new Promise<SubscriberResults>((resolve, reject) => {
    child.on('message', (message: FromWorker) => {
      if (message.type === 'results') resolve(message.results);
      if (message.type === 'failed') reject(new Error(message.error));
    });
    child.on('exit', (code) => reject(new Error(`a subscriber process exited (${code}) before its results`)));
  });
  const ready = new Promise<void>((resolve) => child.on('message', (message: FromWorker) => {
    if (message.type !== 'ready') return;
    niceEveryThread(child.pid!, nice);
    resolve();
  }));
  child.send({ type: 'start', plan });
  return { child, ready, results };
});
const readyAll = Promise.all(workers.map((w) => w.ready));
await Promise.race([readyAll, ...workers.map((w) => w.results)]);
console.log(`${subscriberCount} subscribers connected in ${workers.length} processes${runtime?.feed ? ` (${await runtime.feed.connections()} connections)` : ''}`);

const started = Date.now();
const traders = pairs.map(trade);
await sleep(durationMs);
trading = false;
await Promise.all(traders);
const seconds = (Date.now() - started) / 1000;
if (runtime) {
  await runtime.streams?.drain();
  await runtime.streams?.drain();
} else await sleep(5000); // a running gateway's poller: let it publish the last trades
for (const { child } of workers) child.send({ type: 'finish' });
const results = await Promise.all(workers.map((w) => w.results));

// ---- figures --------------------------------------------------------------------------------------------------------------
function percentiles(histograms: [number, number][][]) {
  const merged = new Map<number, number>();
  for (const histogram of histograms) for (const [ms, n] of histogram) merged.set(ms, (merged.get(ms) ?? 0) + n);
  const ordered = [...merged].sort((a, b) => a[0] - b[0]);
  const samples = ordered.reduce((sum, [, n]) => sum + n, 0);
  const at = (p: number) => {
    let seen = 0;
    for (const [ms, n] of ordered) if ((seen += n) >= (p / 100) * samples) return ms;
    return NaN;
  };
  return { samples, p50: at(50), p95: at(95), p99: at(99), max: ordered.at(-1)?.[0] };
}
const total = (field: 'expected' | 'lost' | 'behind' | 'duplicates' | 'drops' | 'clientErrors') => results.reduce((n, r) => n + r[field], 0);
const latencyMs = {
  fromTradeAt: percentiles(results.map((r) => r.fromTradeAt)),
  fromAnswer: percentiles(results.map((r) => r.fromAnswer)),
};
console.log(JSON.stringify({
  subscribers: subscriberCount, clientProcesses: workers.length, durationSeconds: Math.round(seconds),
  disconnects: { everySeconds: Number(values['disconnect-every']), share: Number(values['disconnect-share']), drops: total('drops') },
  trades, tradeErrors, tradesPerSecond: Number((trades / seconds).toFixed(1)), collections: tradedCollections,
  deliveriesExpected: total('expected'), lost: total('lost'), subscribersBehind: total('behind'), duplicates: total('duplicates'), clientErrors: total('clientErrors'),
  clientErrorKinds: results.reduce<Record<string, number>>((kinds, r) => {
    for (const [kind, n] of Object.entries(r.clientErrorKinds)) kinds[kind] = (kinds[kind] ?? 0) + n;
    return kinds;
  }, {}),
  latencyMs,
  ...(runtime ? { poller: runtime.streams?.stats() } : {}),
}, null, 2));
await runtime?.stop();
const maxP95 = values['max-p95-ms'] === undefined ? Infinity : Number(values['max-p95-ms']);
process.exit(total('lost') === 0 && total('duplicates') === 0 && latencyMs.fromTradeAt.p95 <= maxP95 ? 0 : 1);

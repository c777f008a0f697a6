/**
 * `npm run loadtest:feed`: N live-feed subscribers (the Node client loop of local/feed-client.ts) while pairs of
 * traders list and buy the same NFTs back and forth through the API, on a local marketplace started here (its
 * stream poller feeds the publisher, the gateway serves the AppSync Events WebSocket). Every few seconds every
 * connection is dropped; each client reconnects and catches up from its last seq. Reports delivery latency
 * (trade committed, i.e. its 201/200 answered, → event received by a subscriber) p50/p95/p99, events lost
 * (in the channel's log, never delivered), duplicates (delivered twice to the application), out-of-order
 * deliveries and client errors (a reconnect that failed and was retried). Not part of `npm test`.
 *
 *   npm run loadtest:feed -- --subscribers 200 --duration 60 --disconnect-every 5 --pairs 4
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchSince, followChannel, type FeedEvent, type Follower } from '../../local/feed-client.js';
import { startLocalRuntime } from '../../local/runtime.js';
import { testSeedSize } from '../../local/seed.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '200' },
    duration: { type: 'string', default: '60' },
    'disconnect-every': { type: 'string', default: '5' },
    pairs: { type: 'string', default: '4' },
  },
});
const subscriberCount = Number(values.subscribers);
const durationMs = Number(values.duration) * 1000;
const disconnectEveryMs = Number(values['disconnect-every']) * 1000;
const pairCount = Number(values.pairs);

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const runtime = await startLocalRuntime({
  port: 0, tableName: `feed-load-${Date.now()}`, seedSize: testSeedSize, throttleStage: null, schedules: false,
  dynamoDbPort: 18_500 + Math.floor(Math.random() * 400),
});
const api = runtime.url;
const endpoints = { realtimeUrl: `${api.replace('http', 'ws')}/event/realtime`, apiUrl: api };
const tokens = new Map<string, string>();
const token = async (userId: string) => {
  if (!tokens.has(userId)) tokens.set(userId, await runtime.issuer.sign({ sub: userId, expiresInSeconds: 7200 }));
  return tokens.get(userId)!;
};
async function call(userId: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api}${path}`, {
    method, headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

// ---- subscribers ----------------------------------------------------------------------------------------------
const collections = Array.from({ length: testSeedSize.collections }, (_, i) => `col-${i + 1}`);
const channelOf = (i: number) => (i % 3 === 0 ? '/market/all' : `/market/collections/${collections[i % collections.length]}`);
interface Subscriber { channel: string; follower: Follower; seqs: number[]; receivedAt: Map<string, number> }
const subscribers: Subscriber[] = [];
/** When each trade's write was answered: `<type>:<listingId>`. */
const committedAt = new Map<string, number>();
let clientErrors = 0;
for (let i = 0; i < subscriberCount; i++) {
  const subscriber: Subscriber = { channel: channelOf(i), follower: undefined as unknown as Follower, seqs: [], receivedAt: new Map() };
  subscriber.follower = followChannel({
    endpoints, channel: subscriber.channel, token: await token(`watcher-${i}`), since: 0, reconnectDelayMs: 100,
    onEvent: (event: FeedEvent) => {
      subscriber.seqs.push(event.seq);
      if (event.listingId) subscriber.receivedAt.set(`${event.type}:${String(event.listingId)}`, Date.now());
    },
    onError: () => { clientErrors++; },
  });
  subscribers.push(subscriber);
}
await Promise.all(subscribers.map((s) => s.follower.ready()));
console.log(`${subscriberCount} subscribers connected (${runtime.feed.connections()} connections)`);

// ---- traders: pairs list and buy one NFT back and forth -----------------------------------------------------------
async function freeNft(userId: string): Promise<string> {
  const page = await call(userId, 'GET', '/nft/my?limit=100');
  for (const nft of page.body.items as { nftId: string }[]) {
    const listing = await call(userId, 'POST', '/market/listings', { nftId: nft.nftId, price: 1000 });
    if (listing.status === 201) {
      await call(userId, 'DELETE', `/market/listings/${listing.body.listingId}`);
      return nft.nftId;
    }
  }
  throw new Error(`${userId} has no free NFT`);
}

let trades = 0;
let tradeErrors = 0;
const stopAt = Date.now() + durationMs;
async function pair(k: number): Promise<void> {
  const users = [`user-${2 * k + 1}`, `user-${2 * k + 2}`];
  for (const user of users) await call(user, 'POST', '/users/balance-topups', { amount: 100_000_000 }, { 'idempotency-key': `feed-load-${user}-${Date.now()}` });
  const nftId = await freeNft(users[0]!);
  let owner = 0;
  while (Date.now() < stopAt) {
    const seller = users[owner]!;
    const buyer = users[1 - owner]!;
    const listing = await call(seller, 'POST', '/market/listings', { nftId, price: 1000 + trades });
    if (listing.status !== 201) { tradeErrors++; await sleep(100); continue; }
    committedAt.set(`listing.created:${listing.body.listingId}`, Date.now());
    const sale = await call(buyer, 'POST', `/market/listings/${listing.body.listingId}/buy`);
    if (sale.status !== 200) { tradeErrors++; continue; }
    committedAt.set(`sale:${listing.body.listingId}`, Date.now());
    trades++;
    owner = 1 - owner;
  }
}

const drops = setInterval(() => runtime.feed.disconnectAll(), disconnectEveryMs);
const started = Date.now();
await Promise.all(Array.from({ length: pairCount }, (_, k) => pair(k)));
clearInterval(drops);
await runtime.streams?.drain();
await runtime.streams?.drain();

// Let every client catch up (the last events may have been published during a reconnect).
const logs = new Map<string, FeedEvent[]>();
for (const channel of new Set(subscribers.map((s) => s.channel))) logs.set(channel, await fetchSince(api, channel, 0, await token('auditor')));
const deadline = Date.now() + 30_000;
while (Date.now() < deadline && subscribers.some((s) => s.follower.last() < (logs.get(s.channel)!.at(-1)?.seq ?? 0))) await sleep(100);
for (const s of subscribers) s.follower.stop();

// ---- figures ------------------------------------------------------------------------------------------------------
let expected = 0;
let lost = 0;
let duplicates = 0;
let outOfOrder = 0;
const latencies: number[] = [];
for (const s of subscribers) {
  const log = logs.get(s.channel)!;
  expected += log.length;
  const got = new Set(s.seqs);
  duplicates += s.seqs.length - got.size;
  lost += log.filter((e) => !got.has(e.seq)).length;
  outOfOrder += s.seqs.filter((seq, i) => i > 0 && seq <= s.seqs[i - 1]!).length;
  for (const [key, at] of s.receivedAt) {
    const committed = committedAt.get(key);
    if (committed !== undefined) latencies.push(at - committed);
  }
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : NaN);
const seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify({
  subscribers: subscriberCount, durationSeconds: Math.round(seconds), disconnectEverySeconds: disconnectEveryMs / 1000,
  trades, tradeErrors, tradesPerSecond: Number((trades / seconds).toFixed(1)),
  eventsInLogs: Object.fromEntries([...logs].map(([channel, log]) => [channel, log.length])),
  deliveriesExpected: expected, lost, duplicates, outOfOrder, clientErrors,
  latencyMs: { samples: latencies.length, p50: pct(50), p95: pct(95), p99: pct(99), max: latencies.at(-1) },
  poller: runtime.streams?.stats(),
}, null, 2));
await runtime.stop();
process.exit(lost === 0 && duplicates === 0 && outOfOrder === 0 ? 0 : 1);

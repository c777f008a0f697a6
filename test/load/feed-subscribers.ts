/**
 * One process of live-feed subscribers for `npm run loadtest:feed` (test/load/feed-load.ts forks a few, so the
 * clients do not share the event loop of the marketplace they measure). Each subscriber runs the documented
 * client loop (local/feed-client.ts). Every few seconds a share of them lose their connection as a network
 * failure would (the socket is destroyed); each reconnects and catches up from its last seq.
 *
 * What each subscriber checks, without keeping what it received: its seqs only go up (a seq not above the last
 * is a duplicate); at the end it must have applied every seq of its channel from where it started to the log's
 * head (the publisher numbers each channel 1, 2, 3… so the count tells what was lost). Latency is measured on
 * trade events, to the moment the subscriber applies the event (live or caught up), from two starts that bracket
 * the commit: the trade's `at` (taken by its Lambda before it reads and writes) and the trader's answer (just
 * after the commit; the load test sends each answer's time here).
 */
import { fetchSince, followChannel, type Follower } from '../../local/feed-client.js';

export interface SubscriberPlan {
  realtimeUrl: string;
  apiUrl: string;
  subscribers: { channel: string; token: string }[];
  disconnectEveryMs: number;
  /** Share of this process's subscribers dropped at each disconnect (1: all at once). */
  disconnectShare: number;
}

export interface SubscriberResults {
  subscribers: number;
  /** Seqs every subscriber should have applied: its channel's head at the end minus where it started. */
  expected: number;
  lost: number;
  /** Subscribers that had not reached their channel's head when the wait ended. */
  behind: number;
  duplicates: number;
  drops: number;
  clientErrors: number;
  /** The client errors by kind: their message with numbers, ids and URLs taken out. */
  clientErrorKinds: Record<string, number>;
  /** Latency (ms) → how many deliveries took it, from the trade's `at` and from its answer. */
  fromTradeAt: [number, number][];
  fromAnswer: [number, number][];
}

/** A trade answered: `key` is `<event type>:<listingId>`. */
export interface Answered { key: string; at: number }

type ToWorker = { type: 'start'; plan: SubscriberPlan } | { type: 'answered'; answered: Answered } | { type: 'finish' };
export type FromWorker = { type: 'ready' } | { type: 'results'; results: SubscriberResults } | { type: 'failed'; error: string };

interface Tracked { channel: string; start: number; last: number; applied: number; duplicates: number; follower: Follower }

/** A channel's newest seq: the last of its log (read once per channel and process). */
async function headOf(apiUrl: string, channel: string, token: string, since = 0): Promise<number> {
  return (await fetchSince(apiUrl, channel, since, token)).at(-1)?.seq ?? since;
}

const count = (histogram: Map<number, number>, ms: number) => histogram.set(ms, (histogram.get(ms) ?? 0) + 1);

/** Receipts matched with the trader's answer, which may come after the event (both race from the commit). */
class AnswerLatency {
  readonly histogram = new Map<number, number>();
  private readonly answered = new Map<string, number>();
  private readonly waiting = new Map<string, number[]>();

  received(key: string, at: number): void {
    const answer = this.answered.get(key);
    if (answer !== undefined) count(this.histogram, Math.max(0, at - answer));
    else this.waiting.set(key, [...this.waiting.get(key) ?? [], at]);
  }

  answer({ key, at }: Answered): void {
    this.answered.set(key, at);
    for (const receipt of this.waiting.get(key) ?? []) count(this.histogram, Math.max(0, receipt - at));
    this.waiting.delete(key);
  }
}
const answerLatency = new AnswerLatency();

async function run(plan: SubscriberPlan, finish: Promise<void>, send: (message: FromWorker) => Promise<void>): Promise<void> {
  const fromTradeAt = new Map<number, number>();
  let clientErrors = 0;
  const clientErrorKinds: Record<string, number> = {};
  let drops = 0;
  const heads = new Map<string, number>();
  const tracked: Tracked[] = [];
  for (const { channel, token } of plan.subscribers) {
    if (!heads.has(channel)) heads.set(channel, await headOf(plan.apiUrl, channel, token));
    const start = heads.get(channel)!;
    const entry: Tracked = { channel, start, last: start, applied: 0, duplicates: 0, follower: undefined as unknown as Follower };
    entry.follower = followChannel({
      endpoints: { realtimeUrl: plan.realtimeUrl, apiUrl: plan.apiUrl }, channel, token, since: start,
      reconnectDelayMs: 100 + Math.floor(Math.random() * 200),
      onEvent: (event) => {
        if (event.seq <= entry.last) entry.duplicates++;
        else entry.applied++;
        entry.last = Math.max(entry.last, event.seq);
        const now = Date.now();
        if (typeof event.activityId === 'string' && typeof event.at === 'string') count(fromTradeAt, Math.max(0, now - Date.parse(event.at)));
        if ((event.type === 'listing.created' || event.type === 'sale') && typeof event.listingId === 'string') {
          answerLatency.received(`${event.type}:${event.listingId}`, now);
        }
      },
      onError: (error) => {
        clientErrors++;
        const kind = error.message.replace(/https?:\/\/\S+/g, 'URL').replace(/[0-9a-f-]{8,}|\d+/g, 'N');
        clientErrorKinds[kind] = (clientErrorKinds[kind] ?? 0) + 1;
      },
    });
    tracked.push(entry);
  }
  await Promise.all(tracked.map((t) => t.follower.ready()));
  void send({ type: 'ready' });

  const perDrop = Math.max(1, Math.round(plan.subscribers.length * plan.disconnectShare));
  const dropping = plan.disconnectEveryMs > 0 ? setInterval(() => {
    for (let i = 0; i < perDrop; i++) tracked[Math.floor(Math.random() * tracked.length)]!.follower.drop();
    drops += perDrop;
  }, plan.disconnectEveryMs) : undefined;
  await finish;
  clearInterval(dropping);

  // The trades have stopped and the publisher has drained: wait for every subscriber to reach its channel's head.
  const token = plan.subscribers[0]!.token;
  for (const channel of heads.keys()) heads.set(channel, await headOf(plan.apiUrl, channel, token, heads.get(channel)!));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && tracked.some((t) => t.last < heads.get(t.channel)!)) await new Promise((r) => setTimeout(r, 100));
  for (const t of tracked) t.follower.stop();

  let expected = 0;
  let lost = 0;
  let duplicates = 0;
  let behind = 0;
  for (const t of tracked) {
    if (t.last < heads.get(t.channel)!) behind++;
    const owed = heads.get(t.channel)! - t.start;
    expected += owed;
    lost += Math.max(0, owed - t.applied);
    duplicates += t.duplicates;
  }
  await send({ type: 'results', results: { subscribers: tracked.length, expected, lost, behind, duplicates, drops, clientErrors, clientErrorKinds, fromTradeAt: [...fromTradeAt], fromAnswer: [...answerLatency.histogram] } });
}

if (process.send) {
  // Resolves once the message is written: the channel may be closed right after.
  const send = (message: FromWorker) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  let leaving = false;
  const leave = () => {
    leaving = true;
    process.disconnect();
  };
  let finished: () => void = () => undefined;
  const finish = new Promise<void>((resolve) => { finished = resolve; });
  process.on('message', (message: ToWorker) => {
    if (message.type === 'finish') finished();
    if (message.type === 'answered') answerLatency.answer(message.answered);
    if (message.type === 'start') {
      run(message.plan, finish, send).then(leave, (error: Error) => {
        void send({ type: 'failed', error: error.stack ?? String(error) }).then(leave);
      });
    }
  });
  // A load test that was stopped must not leave its subscribers reconnecting for ever.
  process.on('disconnect', () => leaving || process.exit(0));
}

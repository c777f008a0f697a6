import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameReader, opcodes } from './ws-frames.js';

/**
 * A Node client of AppSync Events (deployed, or the local gateway's): the WebSocket protocol, and on top of it
 * the documented client loop (docs/live-feed.md) that delivers each event of a channel once, in seq order, across
 * reconnects: subscribe, buffer, fetch what was missed since the last seq, drop duplicates, then go live.
 */
export interface FeedEvent { seq: number; channel: string; type: string; [field: string]: unknown }

export interface FeedEndpoints {
  /** `ws://localhost:3000/event/realtime` or `wss://<id>.appsync-realtime-api.<region>.amazonaws.com/event/realtime`. */
  realtimeUrl: string;
  /** The API's base URL, for GET /feed. */
  apiUrl: string;
}

/** The HTTP host AppSync wants in the auth headers: the realtime DNS name with appsync-api in it. */
const httpHostOf = (realtimeUrl: URL) => realtimeUrl.host.replace('appsync-realtime-api', 'appsync-api');

export interface Subscription { id: string; channel: string }

export interface FeedConnection {
  subscribe(channel: string, onEvent: (event: FeedEvent) => void): Promise<Subscription>;
  unsubscribe(subscription: Subscription): void;
  /** Resolves when the connection ends (closed by either side or dropped). */
  closed: Promise<void>;
  close(): void;
  /** Ends the connection without a close frame, as a network failure does. */
  drop(): void;
}

export class SubscribeError extends Error {
  constructor(readonly errorType: string, message: string) {
    super(message);
  }
}

/** How long a connect, an acknowledgement, a subscribe or a catch-up page may take before the client gives up on it and starts again. */
const defaultAnswerTimeoutMs = 10_000;

/** Rejects when `promise` has not settled in `ms`, after calling `giveUp`. */
function within<T>(promise: Promise<T>, ms: number, what: string, giveUp: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp();
      reject(new Error(`${what}: no answer in ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function connectFeed(realtimeUrl: string, token: string, answerTimeoutMs = defaultAnswerTimeoutMs): Promise<FeedConnection> {
  const url = new URL(realtimeUrl);
  const auth = { host: httpHostOf(url), Authorization: token };
  let upgrading: { destroy(): void } | undefined;
  const socket = await within(new Promise<Duplex>((resolve, reject) => {
    const request = (url.protocol === 'wss:' ? httpsRequest : httpRequest)({
      host: url.hostname, port: url.port || (url.protocol === 'wss:' ? 443 : 80), path: url.pathname,
      headers: {
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-protocol': `aws-appsync-event-ws, header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`,
      },
    });
    request.on('upgrade', (_response, upgraded) => resolve(upgraded));
    request.on('response', (response) => reject(new Error(`connection refused: HTTP ${response.statusCode}`)));
    request.on('error', reject);
    request.end();
    upgrading = request;
  }), answerTimeoutMs, 'connect', () => upgrading?.destroy());
  (socket as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);

  const send = (message: unknown) => { if (!socket.destroyed) socket.write(encodeFrame(opcodes.text, Buffer.from(JSON.stringify(message)), true)); };
  const handlers = new Map<string, (event: FeedEvent) => void>();
  const waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let acknowledged: () => void = () => undefined;
  let refused: (error: Error) => void = () => undefined;
  const ack = new Promise<void>((resolve, reject) => { acknowledged = resolve; refused = reject; });
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      for (const { reject } of waiting.values()) reject(new Error('connection closed'));
      resolve();
    });
  });
  socket.on('error', () => socket.destroy());
  const reader = new FrameReader(16 * 1024 * 1024);
  // AppSync's keep-alive: a connection that says nothing (not even `ka`) for connectionTimeoutMs is dead.
  let heardAt = Date.now();
  let deadAfterMs = 300_000;
  const watchdog = setInterval(() => { if (Date.now() - heardAt > deadAfterMs) socket.destroy(); }, 1000);
  watchdog.unref();
  socket.on('close', () => clearInterval(watchdog));
  socket.on('data', (chunk: Buffer) => {
    heardAt = Date.now();
    for (const frame of reader.push(chunk)) {
      if (frame.opcode === opcodes.ping) socket.write(encodeFrame(opcodes.pong, frame.payload, true));
      if (frame.opcode === opcodes.close) socket.destroy();
      if (frame.opcode !== opcodes.text) continue;
      const message = JSON.parse(frame.payload.toString('utf8')) as {
        type: string; id?: string; event?: string; connectionTimeoutMs?: number; errors?: { errorType: string; message?: string }[];
      };
      if (message.type === 'connection_ack') {
        deadAfterMs = message.connectionTimeoutMs ?? deadAfterMs;
        acknowledged();
      }
      else if (message.type === 'connection_error') {
        const error = message.errors?.[0];
        refused(new SubscribeError(error?.errorType ?? 'Error', error?.message ?? 'connection refused'));
      }
      else if (message.type === 'data') handlers.get(message.id ?? '')?.(JSON.parse(message.event ?? 'null') as FeedEvent);
      else if (message.type === 'subscribe_success') waiting.get(message.id ?? '')?.resolve();
      else if (message.type === 'subscribe_error') {
        const error = message.errors?.[0];
        waiting.get(message.id ?? '')?.reject(new SubscribeError(error?.errorType ?? 'Error', error?.message ?? 'subscribe refused'));
      }
    }
  });
  send({ type: 'connection_init' });
  await within(Promise.race([ack, closed.then(() => { throw new Error('connection closed before connection_ack'); })]), answerTimeoutMs,
    'connection_ack', () => socket.destroy());

  return {
    async subscribe(channel, onEvent) {
      const id = randomUUID();
      handlers.set(id, onEvent);
      const done = new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject }));
      send({ type: 'subscribe', id, channel, authorization: auth });
      try {
        await within(done, answerTimeoutMs, `subscribe ${channel}`, () => socket.destroy());
      } catch (error) {
        handlers.delete(id);
        throw error;
      } finally {
        waiting.delete(id);
      }
      return { id, channel };
    },
    unsubscribe(subscription) {
      handlers.delete(subscription.id);
      send({ type: 'unsubscribe', id: subscription.id });
    },
    closed,
    close() {
      if (!socket.destroyed) socket.end(encodeFrame(opcodes.close, Buffer.from([0x03, 0xe8]), true));
      setTimeout(() => socket.destroy(), 200).unref();
    },
    drop: () => socket.destroy(),
  };
}

/** GET /feed: the channel's log from `since`, every page. */
export async function fetchSince(apiUrl: string, channel: string, since: number, token: string, answerTimeoutMs = defaultAnswerTimeoutMs): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  for (let from = since; ;) {
    const url = `${apiUrl}/feed?channel=${encodeURIComponent(channel)}&since=${from}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(answerTimeoutMs) });
    if (response.status !== 200) throw new Error(`catch-up ${url} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { events: FeedEvent[]; more: boolean };
    events.push(...page.events);
    if (!page.more || page.events.length === 0) return events;
    from = page.events[page.events.length - 1]!.seq;
  }
}

export interface Follower {
  /** The last seq applied. */
  last(): number;
  /** Ends the connection as a network failure would; the follower reconnects and catches up. */
  drop(): void;
  stop(): void;
  /** Resolves once subscribed and caught up (again, after a reconnect). */
  ready(): Promise<void>;
}

/**
 * The client loop: each event of `channel` reaches `onEvent` once, in seq order, whatever the connection does.
 * `since`: the last seq the caller already has (0: from the start of the log; 'live': from the first live event).
 */
export function followChannel(options: {
  endpoints: FeedEndpoints; channel: string; token: string; since?: number | 'live';
  onEvent: (event: FeedEvent) => void;
  onError?: (error: Error) => void;
  reconnectDelayMs?: number;
  /** How long any step may go unanswered before the session starts again (10 s). */
  answerTimeoutMs?: number;
}): Follower {
  let fromLive = options.since === 'live';
  let last = options.since === 'live' ? 0 : options.since ?? 0;
  let stopped = false;
  let connection: FeedConnection | null = null;
  const dropConnection = () => connection?.drop();
  // One promise per wait: a session that fails before it is ready leaves the same promise to the next session.
  let readyNow!: Promise<void>;
  let markReady: (() => void) | null = null;
  const waitForReady = () => { readyNow = new Promise((resolve) => { markReady = () => { markReady = null; resolve(); }; }); };
  waitForReady();

  const apply = (events: readonly FeedEvent[]) => {
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      if (event.seq <= last) continue;
      last = event.seq;
      options.onEvent(event);
    }
  };

  async function session(): Promise<void> {
    const live: FeedEvent[] = [];
    let catchingUp = true;
    let filling: Promise<void> = Promise.resolve();
    const fill = () => {
      // A failed fill does not block the next one.
      filling = filling.catch(() => undefined).then(async () => apply(await fetchSince(options.endpoints.apiUrl, options.channel, last, options.token, options.answerTimeoutMs)));
      return filling;
    };
    connection = await connectFeed(options.endpoints.realtimeUrl, options.token, options.answerTimeoutMs);
    if (stopped) return connection.close();
    await connection.subscribe(options.channel, (event) => {
      if (fromLive) {
        fromLive = false;
        last = event.seq - 1;
      }
      if (catchingUp) return void live.push(event);
      if (event.seq > last + 1) {
        // A gap: something was published before this one that we have not seen; the log has it.
        live.push(event);
        void fill().then(() => apply(live.splice(0))).catch((error: Error) => {
          // The gap could not be filled: start the session again (reconnect, catch up from `last`).
          options.onError?.(error);
          dropConnection();
        });
        return;
      }
      apply([event]);
    });
    if (!fromLive) await fill();
    catchingUp = false;
    apply(live.splice(0));
    markReady?.();
    await connection.closed;
  }

  void (async () => {
    while (!stopped) {
      try {
        await session();
      } catch (error) {
        dropConnection();
        if (!stopped) options.onError?.(error as Error);
      }
      if (stopped) break;
      if (!markReady) waitForReady();
      await new Promise((resolve) => setTimeout(resolve, options.reconnectDelayMs ?? 200));
    }
  })();

  return {
    last: () => last,
    drop: dropConnection,
    stop() {
      stopped = true;
      connection?.close();
    },
    ready: () => readyNow,
  };
}

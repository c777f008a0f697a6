import { fork } from 'node:child_process';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LocalIssuer, VerifierSettings } from './jwt-issuer.js';
import { niceEveryThread } from './process-priority.js';

/** The gateway's side of the local AppSync Events, which runs in its own process (local/feed-process.ts). */
export interface FeedService {
  /** Hands a WebSocket upgrade on `/event/realtime` to the feed process, socket and all. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** AppSync Events' HTTP publish: `{ channel, events: [json strings] }` → `{ successful, failed }`. */
  publish(authorization: string | undefined, body: Buffer): Promise<{ status: number; body: unknown }>;
  connections(): Promise<number>;
  /** Drops every connection at once (tests force reconnects with it). */
  disconnectAll(): Promise<void>;
  close(): void;
}

export type FeedProcessRequest =
  | { type: 'start'; verifier: VerifierSettings }
  | { type: 'upgrade'; headers: IncomingHttpHeaders; url: string | undefined; head: string }
  | { type: 'publish'; id: number; authorization: string | undefined; body: string }
  | { type: 'connections'; id: number }
  | { type: 'disconnectAll'; id: number };

export type FeedProcessReply =
  | { type: 'started' }
  | { type: 'published'; id: number; answer: { status: number; body: unknown } }
  | { type: 'connections'; id: number; count: number }
  | { type: 'disconnected'; id: number };

/** Nice value of the feed's process (0 is the gateway's; higher runs only on what the API leaves). */
const feedProcessNice = 10;

export async function startFeedService(issuer: LocalIssuer): Promise<FeedService> {
  const child = fork(fileURLToPath(new URL('./feed-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  // AppSync's fan-out does not run on the API's compute when deployed: here it yields the CPU to the API's process.
  niceEveryThread(child.pid!, feedProcessNice);
  const waiting = new Map<number, { resolve: (reply: FeedProcessReply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;
  child.on('message', (reply: FeedProcessReply) => {
    if ('id' in reply) {
      waiting.get(reply.id)?.resolve(reply);
      waiting.delete(reply.id);
    }
  });
  child.on('exit', () => {
    exited = true;
    for (const { reject } of waiting.values()) reject(new Error('the local feed process has stopped'));
    waiting.clear();
  });
  const ask = <T extends FeedProcessReply>(request: FeedProcessRequest & { id: number }) => new Promise<T>((resolve, reject) => {
    if (exited) return reject(new Error('the local feed process has stopped'));
    waiting.set(request.id, { resolve: resolve as (reply: FeedProcessReply) => void, reject });
    child.send(request);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (reply: FeedProcessReply) => {
      if (reply.type !== 'started') return reject(new Error(`feed process: ${reply.type}`));
      niceEveryThread(child.pid!, feedProcessNice);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the local feed process exited (${code}) while starting`)));
    void issuer.verifierSettings().then((verifier) => child.send({ type: 'start', verifier } satisfies FeedProcessRequest));
  });
  // The feed process never keeps this one alive; it exits when this one does (local/feed-process.ts).
  child.unref();
  child.channel?.unref();
  return {
    upgrade(request, socket, head) {
      if (exited) return void socket.destroy();
      // Node's HTTP server leaves an upgraded socket reading, and once its handle is sent, what this process still
      // reads is thrown away (child_process gives it a no-op reader until the child acknowledges the handle). A
      // client's first message could land here and be lost, and it would wait for its connection_ack in vain.
      (socket as Socket & { _handle?: { readStop?(): number } })._handle?.readStop?.();
      child.send({ type: 'upgrade', headers: request.headers, url: request.url, head: head.toString('base64') } satisfies FeedProcessRequest, socket as Socket);
    },
    async publish(authorization, body) {
      const reply = await ask<Extract<FeedProcessReply, { type: 'published' }>>({ type: 'publish', id: nextId++, authorization, body: body.toString('base64') });
      return reply.answer;
    },
    async connections() {
      return (await ask<Extract<FeedProcessReply, { type: 'connections' }>>({ type: 'connections', id: nextId++ })).count;
    },
    async disconnectAll() {
      await ask({ type: 'disconnectAll', id: nextId++ });
    },
    close() {
      if (!exited) child.kill();
    },
  };
}

import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { channelPattern, isPrivateChannel } from '../functions/domain/feed-events.js';
import { callerOf, connectionAuthHeaders, type AuthHeaders, type Caller } from './feed-auth.js';
import type { TokenVerifier } from './jwt-issuer.js';
import { acceptKey, encodeFrame, FrameReader, opcodes } from './ws-frames.js';

/**
 * The local AppSync Events: its documented WebSocket protocol (docs/live-feed.md, "Locally") and the HTTP publish
 * the feed publisher calls. Callers are authorized as the stack configures the API (local/feed-auth.ts): the local
 * issuer's JWTs as AppSync checks Cognito tokens, `/users/<sub>` only for its own subject, as the stack's
 * `onSubscribe` handler decides, and publishing by IAM only.
 */
export const realtimePath = '/event/realtime';
export const publishPath = '/event';
const subprotocol = 'aws-appsync-event-ws';
const keepAliveMs = 60_000;
/** What AppSync tells a client: a connection with no message (ka included) for this long is dead. */
const connectionTimeoutMs = 300_000;

interface Connection {
  socket: Duplex;
  /** Who connected; a refused connection is upgraded and answers its first message with `connection_error`. */
  caller: Caller;
  /** Whether `connection_init` came: AppSync's protocol starts with it, before any subscribe or publish. */
  initialized: boolean;
  subscriptions: Map<string, string>;
  send(message: unknown): void;
  /** A close frame, then the end of the socket. */
  end(): void;
}

/** Who gets a channel's events: per connection, the ids it subscribed to that channel (or a wildcard over it) with. */
class SubscriptionIndex {
  private readonly exact = new Map<string, Map<Connection, Set<string>>>();
  /** `/market/*` kept as `/market/`: few, so a publish checks each. */
  private readonly wildcards = new Map<string, Map<Connection, Set<string>>>();

  private bucket(channel: string, create: boolean): Map<Connection, Set<string>> | undefined {
    const [map, key] = channel.endsWith('/*') ? [this.wildcards, channel.slice(0, -1)] : [this.exact, channel];
    let bucket = map.get(key);
    if (!bucket && create) map.set(key, (bucket = new Map()));
    return bucket;
  }

  add(connection: Connection, id: string, channel: string): void {
    const bucket = this.bucket(channel, true)!;
    const ids = bucket.get(connection) ?? new Set<string>();
    bucket.set(connection, ids.add(id));
  }

  remove(connection: Connection, id: string, channel: string): void {
    const bucket = this.bucket(channel, false);
    const ids = bucket?.get(connection);
    if (!bucket || !ids) return;
    ids.delete(id);
    if (ids.size === 0) bucket.delete(connection);
  }

  /** Every (connection, ids) a publish to `channel` reaches. */
  *reaching(channel: string): Generator<[Connection, Set<string>]> {
    yield* this.exact.get(channel) ?? [];
    for (const [prefix, bucket] of this.wildcards) if (channel.startsWith(prefix)) yield* bucket;
  }
}

/** What the hub reads of a WebSocket upgrade request. */
interface UpgradeRequest { headers: IncomingHttpHeaders; url?: string | undefined }

export interface FeedHub {
  upgrade(request: UpgradeRequest, socket: Duplex): void;
  /** AppSync Events' HTTP publish: `{ channel, events: [json strings] }` → `{ successful, failed }`. */
  publish(authorization: string | undefined, body: Buffer): { status: number; body: unknown };
  connections(): number;
  /** Drops every connection at once (load tests force reconnects with it). */
  disconnectAll(): void;
  close(): void;
}

interface ClientMessage { type?: unknown; id?: unknown; channel?: unknown; events?: unknown; authorization?: AuthHeaders }

type ErrorList = { errorType: string; message: string }[];
const errors = (errorType: string, message: string): ErrorList => [{ errorType, message }];
const unauthorized = (message: string) => errors('UnauthorizedException', message);
/** What the `users` namespace's onSubscribe handler answers with `util.unauthorized()`: Amplify's events client documents it as errorType `Unauthorized`. */
const deniedByHandler = (message: string) => errors('Unauthorized', message);
const badRequest = (message: string) => errors('BadRequestException', message);

/** AppSync reads a channel without its leading slash as the same channel (Amplify's docs connect to `default/channel`). */
const channelPath = (channel: unknown) => (typeof channel !== 'string' ? '' : channel.startsWith('/') ? channel : `/${channel}`);

/** What `<prefix>*` may name: every channel of the market namespace, or of its collections. `/users/*` is a path, but never one user's own. */
const wildcardPrefixes = new Set(['/market/', '/market/collections/', '/users/']);

/** Why a subscribe to `channel` (a path) is refused, or null. */
function subscribeRefusal(channel: string, caller: Caller): ErrorList | null {
  const wildcard = channel.endsWith('/*');
  if (wildcard ? !wildcardPrefixes.has(channel.slice(0, -1)) : !channelPattern.test(channel)) return badRequest(`no channel ${channel}`);
  if (caller.kind === 'refused') return unauthorized(caller.message);
  if (caller.kind !== 'user') return unauthorized('subscribing needs a Cognito token (the namespaces\' subscribe auth mode)');
  if (isPrivateChannel(channel) && channel !== `/users/${caller.sub}`) return deniedByHandler(`${channel} is not your channel`);
  return null;
}

export function createFeedHub(issuer: TokenVerifier): FeedHub {
  const connections = new Set<Connection>();
  const index = new SubscriptionIndex();

  /** Fans a publish out to every subscription it reaches; the answer AppSync gives, or why it is refused. */
  function fanOut(channel: string, events: unknown): { successful: { identifier: string; index: number }[]; failed: [] } | ErrorList {
    if (!channelPattern.test(channel)) return badRequest(`no channel ${channel}`);
    if (!Array.isArray(events) || events.length === 0 || events.length > 5 || events.some((e) => typeof e !== 'string')) {
      return badRequest('events: 1 to 5 JSON strings');
    }
    // Each event is serialized once; each connection gets all its frames of this publish in one write.
    const quoted = events.map((event) => JSON.stringify(event));
    for (const [connection, ids] of index.reaching(channel)) {
      if (connection.socket.destroyed) continue;
      const frames: Buffer[] = [];
      for (const id of ids) {
        const head = `{"type":"data","id":${JSON.stringify(id)},"event":`;
        for (const event of quoted) frames.push(encodeFrame(opcodes.text, Buffer.from(`${head}${event}}`), false));
      }
      connection.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    }
    return { successful: events.map((_, i) => ({ identifier: `${i}`, index: i })), failed: [] };
  }

  /** The caller of a subscribe or publish: its own authorization headers, else the connection's. */
  const callerFor = (connection: Connection, message: ClientMessage) =>
    (message.authorization ? callerOf(issuer, message.authorization) : Promise.resolve(connection.caller));

  async function onMessage(connection: Connection, text: string): Promise<void> {
    if (connection.caller.kind === 'refused') {
      // The upgrade completed; the refusal is AppSync's answer to the connection's first message.
      connection.send({ type: 'connection_error', errors: unauthorized(connection.caller.message) });
      return connection.end();
    }
    let message: ClientMessage;
    try {
      message = JSON.parse(text) as ClientMessage;
    } catch {
      return connection.send({ type: 'error', errors: badRequest('not JSON') });
    }
    if (message.type === 'connection_init') {
      connection.initialized = true;
      return connection.send({ type: 'connection_ack', connectionTimeoutMs });
    }
    if (message.type !== 'subscribe' && message.type !== 'unsubscribe' && message.type !== 'publish') {
      return connection.send({ type: 'error', errors: errors('UnsupportedOperation', `${String(message.type)} not supported through the realtime channel`) });
    }
    const type = message.type;
    const id = typeof message.id === 'string' ? message.id : '';
    const refuse = (list: ErrorList) => connection.send({ type: `${type}_error`, id, errors: list });
    if (!connection.initialized) return refuse(badRequest('send connection_init and wait for connection_ack first'));
    if (!id) return refuse(badRequest('every subscribe, unsubscribe and publish needs an id'));

    if (type === 'unsubscribe') {
      const channel = connection.subscriptions.get(id);
      if (channel === undefined) return refuse(errors('UnknownOperationError', `Unknown operation id ${id}`));
      index.remove(connection, id, channel);
      connection.subscriptions.delete(id);
      return connection.send({ type: 'unsubscribe_success', id });
    }

    const channel = channelPath(message.channel);
    const caller = await callerFor(connection, message);
    if (type === 'publish') {
      // Only the feed publisher (IAM) publishes, over HTTP or here; a client's token is refused.
      if (caller.kind !== 'iam') return refuse(unauthorized('publishing is IAM only (the feed publisher\'s role)'));
      const answer = fanOut(channel, message.events);
      return Array.isArray(answer) ? refuse(answer) : connection.send({ type: 'publish_success', id, ...answer });
    }
    if (connection.subscriptions.has(id)) return refuse(badRequest(`subscription id ${id} is in use on this connection`));
    const refusal = subscribeRefusal(channel, caller);
    if (refusal) return refuse(refusal);
    // The caller may have gone while its token was checked (a connection's messages are handled one at a time).
    if (connection.socket.destroyed) return;
    connection.subscriptions.set(id, channel);
    index.add(connection, id, channel);
    connection.send({ type: 'subscribe_success', id });
  }

  return {
    upgrade(request, socket) {
      // From the first moment: a client may reset the connection while its token is checked.
      socket.on('error', () => socket.destroy());
      const key = request.headers['sec-websocket-key'];
      const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== realtimePath || typeof key !== 'string' || !protocols.includes(subprotocol)) {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
        return;
      }
      void callerOf(issuer, connectionAuthHeaders(protocols, url, request.headers)).then((caller) => {
        if (socket.destroyed) return;
        socket.write(['HTTP/1.1 101 Switching Protocols', 'upgrade: websocket', 'connection: Upgrade',
          `sec-websocket-accept: ${acceptKey(key)}`, `sec-websocket-protocol: ${subprotocol}`, '', ''].join('\r\n'));
        const connection: Connection = {
          socket,
          caller,
          initialized: false,
          subscriptions: new Map(),
          send(message) {
            if (!socket.destroyed) socket.write(encodeFrame(opcodes.text, Buffer.from(JSON.stringify(message)), false));
          },
          end() {
            if (!socket.destroyed) socket.end(encodeFrame(opcodes.close, Buffer.from([0x03, 0xe8]), false));
          },
        };
        connections.add(connection);
        const keepAlive = caller.kind === 'refused' ? undefined : setInterval(() => connection.send({ type: 'ka' }), keepAliveMs);
        keepAlive?.unref();
        const reader = new FrameReader();
        let queue = Promise.resolve();
        socket.on('data', (chunk: Buffer) => {
          let frames;
          try {
            frames = reader.push(chunk);
          } catch {
            socket.destroy();
            return;
          }
          for (const frame of frames) {
            if (frame.opcode === opcodes.text) {
              const text = frame.payload.toString('utf8');
              queue = queue.then(() => onMessage(connection, text)).catch(() => { socket.destroy(); });
            } else if (frame.opcode === opcodes.ping) {
              socket.write(encodeFrame(opcodes.pong, frame.payload, false));
            } else if (frame.opcode === opcodes.close) {
              if (!socket.destroyed) socket.end(encodeFrame(opcodes.close, frame.payload.subarray(0, 2), false));
            }
          }
        });
        const drop = () => {
          clearInterval(keepAlive);
          for (const [id, channel] of connection.subscriptions) index.remove(connection, id, channel);
          connections.delete(connection);
        };
        socket.on('close', drop);
      });
    },

    publish(authorization, body) {
      // Publishing is IAM only, as deployed: a signed request (the local signature is not checked).
      if (!authorization?.startsWith('AWS4-HMAC-SHA256 ')) return { status: 401, body: { errors: unauthorized('publish needs IAM (SigV4)') } };
      let request: { channel?: unknown; events?: unknown };
      try {
        request = JSON.parse(body.toString('utf8')) as typeof request;
      } catch {
        return { status: 400, body: { errors: badRequest('not JSON') } };
      }
      const answer = fanOut(typeof request.channel === 'string' ? request.channel : '', request.events ?? []);
      return Array.isArray(answer) ? { status: 400, body: { errors: answer } } : { status: 200, body: answer };
    },

    connections: () => connections.size,

    disconnectAll() {
      for (const connection of connections) connection.socket.destroy();
    },

    close() {
      for (const connection of connections) connection.socket.destroy();
      connections.clear();
    },
  };
}

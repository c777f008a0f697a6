import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { channelPattern, isPrivateChannel } from '../functions/domain/feed-events.js';
import type { TokenVerifier } from './jwt-issuer.js';
import { acceptKey, encodeFrame, FrameReader, opcodes } from './ws-frames.js';

/**
 * The local AppSync Events: the WebSocket subset the feed uses (docs/live-feed.md) and the HTTP publish the feed
 * publisher calls. Connections and subscriptions are authorized with the local issuer's JWTs as AppSync checks
 * Cognito tokens; `/users/<sub>` only for its own subject, as the stack's `onSubscribe` handler decides.
 */
export const realtimePath = '/event/realtime';
export const publishPath = '/event';
const subprotocol = 'aws-appsync-event-ws';
const keepAliveMs = 60_000;
/** What AppSync tells a client: a connection with no message (ka included) for this long is dead. */
const connectionTimeoutMs = 300_000;

interface Connection { socket: Duplex; subscriptions: Map<string, string>; send(message: unknown): void }

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

type AuthHeaders = { Authorization?: string; authorization?: string };

/** The header-<base64url> subprotocol: the auth headers a browser cannot set on a WebSocket. */
function headersFromProtocols(value: string | undefined): AuthHeaders | null {
  const header = (value ?? '').split(',').map((p) => p.trim()).find((p) => p.startsWith('header-'));
  if (!header) return null;
  try {
    return JSON.parse(Buffer.from(header.slice('header-'.length), 'base64url').toString('utf8')) as AuthHeaders;
  } catch {
    return null;
  }
}

const tokenOf = (headers: AuthHeaders | null | undefined) => (headers?.Authorization ?? headers?.authorization ?? '').replace(/^Bearer\s+/i, '');

export function createFeedHub(issuer: TokenVerifier): FeedHub {
  const connections = new Set<Connection>();
  const index = new SubscriptionIndex();
  const unauthorized = (message: string) => [{ errorType: 'UnauthorizedException', message }];

  async function subject(headers: AuthHeaders | null | undefined): Promise<string | null> {
    const token = tokenOf(headers);
    if (!token) return null;
    try {
      return (await issuer.verify(token)).sub ?? null;
    } catch {
      return null;
    }
  }

  async function onMessage(connection: Connection, text: string, connectionSubject: string): Promise<void> {
    let message: { type?: string; id?: string; channel?: string; authorization?: AuthHeaders };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return connection.send({ type: 'error', errors: [{ errorType: 'BadRequestException', message: 'not JSON' }] });
    }
    if (message.type === 'connection_init') return connection.send({ type: 'connection_ack', connectionTimeoutMs });
    const id = message.id ?? '';
    if (message.type === 'unsubscribe') {
      const channel = connection.subscriptions.get(id);
      if (channel !== undefined) index.remove(connection, id, channel);
      connection.subscriptions.delete(id);
      return connection.send({ type: 'unsubscribe_success', id });
    }
    if (message.type !== 'subscribe') return connection.send({ type: 'error', errors: [{ errorType: 'UnsupportedOperation', message: `${message.type}` }] });
    const channel = message.channel ?? '';
    const concrete = channel.endsWith('/*') ? `${channel.slice(0, -2)}/x` : channel;
    if (!id || !channelPattern.test(concrete) || (channel.endsWith('/*') && channel.startsWith('/users'))) {
      return connection.send({ type: 'subscribe_error', id, errors: [{ errorType: 'BadRequestException', message: `no channel ${channel}` }] });
    }
    const sub = message.authorization ? await subject(message.authorization) : connectionSubject;
    if (!sub) return connection.send({ type: 'subscribe_error', id, errors: unauthorized('the token is not valid') });
    if (isPrivateChannel(channel) && channel !== `/users/${sub}`) {
      return connection.send({ type: 'subscribe_error', id, errors: unauthorized(`${channel} is another user's channel`) });
    }
    const previous = connection.subscriptions.get(id);
    if (previous !== undefined) index.remove(connection, id, previous);
    connection.subscriptions.set(id, channel);
    index.add(connection, id, channel);
    connection.send({ type: 'subscribe_success', id });
  }

  return {
    upgrade(request, socket) {
      // From the first moment: a client may reset the connection while its token is checked.
      socket.on('error', () => socket.destroy());
      const key = request.headers['sec-websocket-key'];
      const protocols = request.headers['sec-websocket-protocol'];
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== realtimePath || typeof key !== 'string' || !protocols?.split(',').map((p) => p.trim()).includes(subprotocol)) {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
        return;
      }
      void subject(headersFromProtocols(protocols)).then((sub) => {
        if (socket.destroyed) return;
        if (!sub) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
          return;
        }
        socket.write(['HTTP/1.1 101 Switching Protocols', 'upgrade: websocket', 'connection: Upgrade',
          `sec-websocket-accept: ${acceptKey(key)}`, `sec-websocket-protocol: ${subprotocol}`, '', ''].join('\r\n'));
        const connection: Connection = {
          socket,
          subscriptions: new Map(),
          send(message) {
            if (!socket.destroyed) socket.write(encodeFrame(opcodes.text, Buffer.from(JSON.stringify(message)), false));
          },
        };
        connections.add(connection);
        const keepAlive = setInterval(() => connection.send({ type: 'ka' }), keepAliveMs);
        keepAlive.unref();
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
              queue = queue.then(() => onMessage(connection, text, sub)).catch(() => { socket.destroy(); });
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
      let request: { channel?: string; events?: unknown[] };
      try {
        request = JSON.parse(body.toString('utf8')) as typeof request;
      } catch {
        return { status: 400, body: { errors: [{ errorType: 'BadRequestException', message: 'not JSON' }] } };
      }
      const { channel = '', events = [] } = request;
      if (!channelPattern.test(channel) || !Array.isArray(events) || events.length > 5 || events.some((e) => typeof e !== 'string')) {
        return { status: 400, body: { errors: [{ errorType: 'BadRequestException', message: 'channel or events not valid' }] } };
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
      return { status: 200, body: { successful: events.map((_, index) => ({ identifier: `${index}`, index })), failed: [] } };
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

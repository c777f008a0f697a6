// The local AppSync Events hub (local/feed-hub.ts) against the frames of AWS's documented WebSocket protocol, sent
// by a plain WebSocket client (the `ws` package): how a connection is authorized and refused, subscribe, publish
// and unsubscribe answers, channel paths and wildcards.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createFeedHub, type FeedHub } from '../../local/feed-hub.js';
import { createLocalIssuer, type LocalIssuer } from '../../local/jwt-issuer.js';

let server: Server;
let hub: FeedHub;
let issuer: LocalIssuer;
let realtimeUrl: string;
const sigV4 = 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261206/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=00';

before(async () => {
  issuer = await createLocalIssuer('http://localhost/local-issuer');
  hub = createFeedHub(issuer);
  server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket) => hub.upgrade(request, socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  realtimeUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/event/realtime`;
});
after(() => {
  hub.close();
  server.close();
});

interface Message { type: string; id?: string; errors?: { errorType: string; message: string }[]; event?: string; [key: string]: unknown }

/** A client of the documented protocol: every message it receives, and a wait for the next one that matches. */
class Client {
  readonly received: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(options: { headers?: Record<string, string>; query?: string; protocolHeaders?: Record<string, string> | null } = {}): Promise<Client> {
    const protocols = ['aws-appsync-event-ws'];
    if (options.protocolHeaders) protocols.push(`header-${Buffer.from(JSON.stringify(options.protocolHeaders)).toString('base64url')}`);
    const socket = new WebSocket(`${realtimeUrl}${options.query ?? ''}`, protocols, { headers: options.headers });
    const client = new Client(socket);
    await once(socket, 'open');
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first message from the `from`th on that matches, received or to come (an answer that never comes fails the test). */
  next(match: (m: Message) => boolean, from = 0): Promise<Message> {
    const seen = this.received.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such answer in 10 s; received ${JSON.stringify(this.received.slice(from))}`)), 10_000);
      this.waiters.push({ match, resolve: (message) => { clearTimeout(timer); resolve(message); } });
    });
  }

  /** Sends a message with an id and waits for the answer that names it. */
  async ask(message: Record<string, unknown> & { id: string }): Promise<Message> {
    const from = this.received.length;
    this.send(message);
    return this.next((m) => m.id === message.id, from);
  }

  async init(): Promise<Message> {
    this.send({ type: 'connection_init' });
    return this.next((m) => m.type === 'connection_ack' || m.type === 'connection_error');
  }
}

const cognito = async (sub: string) => ({ Authorization: await issuer.sign({ sub }), host: 'localhost' });
const errorType = (message: Message) => message.errors?.[0]?.errorType;
let ids = 0;
const nextId = () => `op-${++ids}`;
const publishHttp = (channel: string, events: unknown[]) => hub.publish(sigV4, Buffer.from(JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) })));

describe('local feed: connecting', () => {
  it('a bad, expired or Bearer-prefixed token completes the upgrade and gets connection_error UnauthorizedException, then the close', async () => {
    const valid = await issuer.sign({ sub: 'user-1' });
    const expired = await issuer.sign({ sub: 'user-1', expiresInSeconds: -60 });
    for (const Authorization of ['not-a-token', expired, `Bearer ${valid}`]) {
      const client = await Client.open({ protocolHeaders: { Authorization, host: 'localhost' } });
      const answer = await client.init();
      assert.equal(answer.type, 'connection_error', Authorization.slice(0, 12));
      assert.equal(errorType(answer), 'UnauthorizedException');
      await client.closed;
    }
    const none = await Client.open();
    assert.equal(errorType(await none.init()), 'UnauthorizedException');
  });

  it('reads the auth headers from the header- subprotocol, the header query parameter or the upgrade request', async () => {
    const own = await cognito('user-7');
    const query = `?header=${encodeURIComponent(Buffer.from(JSON.stringify(own)).toString('base64'))}&payload=e30=`;
    for (const client of [await Client.open({ protocolHeaders: own }), await Client.open({ query }), await Client.open({ headers: { authorization: own.Authorization } })]) {
      const ack = await client.init();
      assert.equal(ack.type, 'connection_ack');
      assert.equal(ack.connectionTimeoutMs, 300_000);
      // The connection is user-7's: a subscribe without its own authorization may take user-7's channel only.
      assert.equal((await client.ask({ type: 'subscribe', id: nextId(), channel: '/users/user-7' })).type, 'subscribe_success');
      assert.equal(errorType(await client.ask({ type: 'subscribe', id: nextId(), channel: '/users/user-8' })), 'Unauthorized');
      client.socket.close();
    }
  });

  it("a subscribe's own authorization is checked: a valid connection lends its identity to no subscribe that brings a bad token", async () => {
    const client = await Client.open({ protocolHeaders: await cognito('user-9') });
    await client.init();
    const forged = await (await createLocalIssuer('http://localhost/local-issuer')).sign({ sub: 'user-8' });
    for (const Authorization of [forged, `Bearer ${await issuer.sign({ sub: 'user-8' })}`]) {
      const answer = await client.ask({ type: 'subscribe', id: nextId(), channel: '/users/user-8', authorization: { Authorization, host: 'localhost' } });
      assert.deepEqual([answer.type, errorType(answer)], ['subscribe_error', 'UnauthorizedException']);
    }
    const own = await client.ask({ type: 'subscribe', id: nextId(), channel: '/users/user-8', authorization: await cognito('user-8') });
    assert.equal(own.type, 'subscribe_success', "user-8's own token, on user-9's connection");
    client.socket.close();
  });

  it('an IAM-signed connection is acknowledged; it may publish but not subscribe (subscribing is Cognito only)', async () => {
    const iam = { Authorization: sigV4, host: 'localhost', 'x-amz-date': '20261206T040000Z' };
    const publisher = await Client.open({ protocolHeaders: iam });
    assert.equal((await publisher.init()).type, 'connection_ack');
    const refused = await publisher.ask({ type: 'subscribe', id: nextId(), channel: '/market/all' });
    assert.deepEqual([refused.type, errorType(refused)], ['subscribe_error', 'UnauthorizedException']);

    const subscriber = await Client.open({ protocolHeaders: await cognito('watcher') });
    await subscriber.init();
    const subscription = nextId();
    await subscriber.ask({ type: 'subscribe', id: subscription, channel: '/market/all' });
    const id = nextId();
    const published = await publisher.ask({ type: 'publish', id, channel: '/market/all', events: [JSON.stringify({ type: 'sale', seq: 1 })], authorization: iam });
    assert.deepEqual(published, { type: 'publish_success', id, successful: [{ identifier: '0', index: 0 }], failed: [] });
    const data = await subscriber.next((m) => m.type === 'data');
    assert.deepEqual([data.id, JSON.parse(data.event!)], [subscription, { type: 'sale', seq: 1 }]);
    publisher.socket.close();
    subscriber.socket.close();
  });
});

describe('local feed: publish, subscribe and unsubscribe answers', () => {
  it("a client's publish gets publish_error with its id: publishing is the backend's (IAM) only", async () => {
    const client = await Client.open({ protocolHeaders: await cognito('mallory') });
    await client.init();
    const id = nextId();
    for (const authorization of [undefined, await cognito('mallory')]) {
      const answer = await client.ask({ type: 'publish', id, channel: '/market/all', events: ['{"type":"sale"}'], ...(authorization ? { authorization } : {}) });
      assert.deepEqual([answer.type, answer.id, errorType(answer)], ['publish_error', id, 'UnauthorizedException']);
    }
    client.socket.close();
  });

  it('follows the documented order: connection_init first; a subscription id once; unsubscribe of an unknown id is an error', async () => {
    const client = await Client.open({ protocolHeaders: await cognito('user-1') });
    const early = await client.ask({ type: 'subscribe', id: 'early', channel: '/market/all' });
    assert.deepEqual([early.type, errorType(early)], ['subscribe_error', 'BadRequestException']);
    await client.init();

    assert.equal((await client.ask({ type: 'subscribe', id: 'sub-1', channel: '/market/all' })).type, 'subscribe_success');
    const reused = await client.ask({ type: 'subscribe', id: 'sub-1', channel: '/market/collections/c1' });
    assert.deepEqual([reused.type, errorType(reused)], ['subscribe_error', 'BadRequestException']);
    publishHttp('/market/collections/c1', [{ seq: 1 }]);
    publishHttp('/market/all', [{ seq: 2 }]);
    const data = await client.next((m) => m.type === 'data');
    assert.deepEqual(JSON.parse(data.event!), { seq: 2 }, 'sub-1 still names /market/all only');

    const unknown = await client.ask({ type: 'unsubscribe', id: 'nope' });
    assert.deepEqual([unknown.type, errorType(unknown)], ['unsubscribe_error', 'UnknownOperationError']);
    assert.equal((await client.ask({ type: 'unsubscribe', id: 'sub-1' })).type, 'unsubscribe_success');
    assert.equal((await client.ask({ type: 'unsubscribe', id: 'sub-1' })).type, 'unsubscribe_error', 'gone once unsubscribed');
    client.socket.close();
  });

  it('/market/* reaches every market channel; a channel without its leading slash is the same channel', async () => {
    const client = await Client.open({ protocolHeaders: await cognito('user-2') });
    await client.init();
    const wildcard = nextId();
    const bare = nextId();
    assert.equal((await client.ask({ type: 'subscribe', id: wildcard, channel: '/market/*' })).type, 'subscribe_success');
    assert.equal((await client.ask({ type: 'subscribe', id: bare, channel: 'market/all' })).type, 'subscribe_success');
    publishHttp('/market/collections/c9', [{ seq: 1 }]);
    publishHttp('/market/all', [{ seq: 2 }]);
    publishHttp('/users/user-2', [{ seq: 3 }]);
    await client.next((m) => m.type === 'data' && m.id === bare);
    const delivered = client.received.filter((m) => m.type === 'data').map((m) => [m.id === wildcard ? 'wildcard' : 'bare', JSON.parse(m.event!).seq]);
    assert.deepEqual(delivered.sort(), [['bare', 2], ['wildcard', 1], ['wildcard', 2]]);

    const others = await client.ask({ type: 'subscribe', id: nextId(), channel: '/users/*' });
    assert.deepEqual([others.type, errorType(others)], ['subscribe_error', 'Unauthorized']);
    const unknown = await client.ask({ type: 'subscribe', id: nextId(), channel: '/elsewhere/*' });
    assert.deepEqual([unknown.type, errorType(unknown)], ['subscribe_error', 'BadRequestException']);
    client.socket.close();
  });
});

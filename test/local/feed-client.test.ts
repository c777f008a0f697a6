// The client loop (local/feed-client.ts) against a feed that does not answer: each step gives up after its answer
// timeout, and the loop starts a new session that catches up, instead of waiting for ever.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { connectFeed, followChannel, type FeedEvent } from '../../local/feed-client.js';
import { createFeedHub, type FeedHub } from '../../local/feed-hub.js';
import type { TokenVerifier } from '../../local/jwt-issuer.js';

/** A verifier that never answers its first `hung` checks (a feed too busy to finish those handshakes). */
function verifierHangingFor(hung: number): TokenVerifier {
  let calls = 0;
  return { verify: (token) => (++calls <= hung ? new Promise(() => undefined) : Promise.resolve({ sub: token })) };
}

let server: Server | undefined;
let hub: FeedHub | undefined;
afterEach(() => {
  hub?.close();
  server?.close();
});

async function startFeed(verifier: TokenVerifier): Promise<string> {
  const feedHub = createFeedHub(verifier);
  hub = feedHub;
  server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket) => feedHub.upgrade(request, socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/event/realtime`;
}

describe('feed client: answer timeouts', { timeout: 10_000 }, () => {
  it('gives up on a connect that gets no answer', async () => {
    const realtimeUrl = await startFeed(verifierHangingFor(Infinity));
    const started = Date.now();
    await assert.rejects(connectFeed(realtimeUrl, 'user-1', 200), /connect: no answer in 200 ms/);
    assert.ok(Date.now() - started < 2_000);
  });

  it('a follower whose first handshake hangs reconnects, becomes ready and receives what is published', async () => {
    const realtimeUrl = await startFeed(verifierHangingFor(1));
    const received: FeedEvent[] = [];
    const errors: Error[] = [];
    const follower = followChannel({
      endpoints: { realtimeUrl, apiUrl: 'http://127.0.0.1:1' }, channel: '/market/all', token: 'user-1', since: 'live',
      onEvent: (event) => received.push(event), onError: (error) => errors.push(error), answerTimeoutMs: 200, reconnectDelayMs: 10,
    });
    try {
      await follower.ready();
      assert.match(errors[0]?.message ?? '', /connect: no answer in 200 ms/);
      const event = { seq: 7, channel: '/market/all', type: 'sale' };
      const published = hub!.publish('AWS4-HMAC-SHA256 local', Buffer.from(JSON.stringify({ channel: '/market/all', events: [JSON.stringify(event)] })));
      assert.equal(published.status, 200);
      while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(received, [event]);
    } finally {
      follower.stop();
    }
  });
});

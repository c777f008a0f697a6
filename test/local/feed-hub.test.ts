// The local AppSync Events hub (local/feed-hub.ts) when a client goes away while its token is being checked:
// the load test's forced disconnects did this, and the unhandled ECONNRESET took the whole feed process down.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { createFeedHub, realtimePath } from '../../local/feed-hub.js';
import type { TokenVerifier } from '../../local/jwt-issuer.js';

/** A verifier that answers only when the test says so. */
function heldVerifier() {
  let answer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => { answer = resolve; });
  const verifier: TokenVerifier = { verify: async () => { await answered; return { sub: 'user-1' }; } };
  return { verifier, answer };
}

const upgradeHeaders = {
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-protocol': `aws-appsync-event-ws, header-${Buffer.from(JSON.stringify({ Authorization: 'token' })).toString('base64url')}`,
};

let server: Server | undefined;
afterEach(() => server?.close());

/** A server that hands each connection to the hub, as the feed process does, and a client connected to it. */
async function handOver(hub: ReturnType<typeof createFeedHub>): Promise<{ client: Socket; serverSide: Socket }> {
  server = createServer();
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [serverSide] = await accepted;
  hub.upgrade({ headers: upgradeHeaders, url: realtimePath }, serverSide);
  return { client, serverSide };
}

describe('local feed hub: a client that goes away during the handshake', () => {
  it('survives a reset while the token is checked, and keeps no connection for it', async () => {
    const { verifier, answer } = heldVerifier();
    const hub = createFeedHub(verifier);
    const { client, serverSide } = await handOver(hub);
    const closed = new Promise((resolve) => serverSide.on('close', resolve));
    client.resetAndDestroy();
    await closed; // with no 'error' listener yet, the ECONNRESET before this would be an uncaught exception
    answer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(hub.connections(), 0);
    hub.close();
  });

  it('keeps the connection of a client that stays', async () => {
    const { verifier, answer } = heldVerifier();
    const hub = createFeedHub(verifier);
    const { client } = await handOver(hub);
    const response = once(client, 'data') as Promise<[Buffer]>;
    answer();
    const [head] = await response;
    assert.match(head.toString('utf8'), /^HTTP\/1\.1 101 Switching Protocols/);
    assert.equal(hub.connections(), 1);
    client.destroy();
    hub.close();
  });
});

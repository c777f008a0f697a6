// The feed publisher's AppSync Events publish, signed with Signature V4 by @smithy/signature-v4: what AppSync checks.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { signAppSyncPublish } from '../../functions/feed/appsync-signer.js';
import { publishEvents } from '../../functions/feed/event-publisher.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok' };

describe('signing an AppSync Events publish', () => {
  it('signs for the appsync service in the region, over host, content type, body hash, date and session token', async () => {
    const headers = await signAppSyncPublish({
      url: new URL('https://abc.appsync-api.us-east-1.amazonaws.com/event'),
      body: JSON.stringify({ channel: '/market/all', events: ['{"a":1}'] }),
      region: 'us-east-1', credentials, now: new Date('2015-08-30T12:36:00Z'),
    });
    // The signature the hand-written signer this replaced produced for the same request: the two agree.
    assert.equal(headers.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/appsync/aws4_request, '
      + 'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, '
      + 'Signature=447b8b0bad80bb126755530db361f9f827551fb930db6419f39c93eecf79aa96');
    assert.equal(headers.host, 'abc.appsync-api.us-east-1.amazonaws.com');
    assert.equal(headers['x-amz-date'], '20150830T123600Z');
    assert.equal(headers['x-amz-security-token'], 'tok');
  });

  it('sends what it signed: POST /event, the host it signed, a body whose hash it signed, each event a JSON string', async () => {
    const received: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ successful: [], failed: [] }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const events = [{ seq: 1 }, { seq: 2 }] as unknown as Parameters<typeof publishEvents>[1];
      await publishEvents('/market/all', events, {
        FEED_HTTP_URL: base, AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken,
      });
      assert.equal(received.length, 1);
      const [request] = received as [Required<(typeof received)[number]>];
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/event');
      assert.deepEqual(JSON.parse(request.body), { channel: '/market/all', events: ['{"seq":1}', '{"seq":2}'] });
      // Signing the request as received, at its own date, gives the signature it carries.
      const date = request.headers['x-amz-date'] as string;
      const again = await signAppSyncPublish({
        url: new URL(`http://${request.headers.host}/event`), body: request.body, region: 'us-east-1', credentials,
        now: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`),
      });
      assert.match(request.headers.authorization!, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=content-type;host;/);
      assert.equal(request.headers.authorization, again.authorization);
      assert.equal(request.headers['x-amz-security-token'], 'tok');
    } finally {
      server.close();
    }
  });
});

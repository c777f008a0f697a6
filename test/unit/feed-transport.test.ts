// The feed's wire pieces: SigV4 for the publisher's AppSync Events publish, and the WebSocket frame codec of the
// local AppSync Events and its Node client.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRequest } from '../../functions/feed/sigv4.js';
import { encodeFrame, FrameReader, opcodes } from '../../local/ws-frames.js';

describe('SigV4', () => {
  it('signs as the AWS SDK signs (signature computed by @smithy/signature-v4 for the same request)', () => {
    const headers = signRequest({
      method: 'POST', url: new URL('https://abc.appsync-api.us-east-1.amazonaws.com/event'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: '/market/all', events: ['{"a":1}'] }),
      region: 'us-east-1', service: 'appsync', now: new Date('2015-08-30T12:36:00Z'),
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok' },
    });
    assert.equal(headers.authorization, 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/appsync/aws4_request, '
      + 'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, '
      + 'Signature=447b8b0bad80bb126755530db361f9f827551fb930db6419f39c93eecf79aa96');
    assert.equal(headers['x-amz-security-token'], 'tok');
  });
});

describe('WebSocket frames', () => {
  it('round-trips text of every length class, masked or not, split at any byte', () => {
    for (const size of [0, 125, 126, 65_535, 65_536, 200_000]) {
      for (const masked of [false, true]) {
        const text = 'x'.repeat(size);
        const wire = Buffer.concat([encodeFrame(opcodes.text, Buffer.from(text), masked), encodeFrame(opcodes.ping, Buffer.from('p'), masked)]);
        const reader = new FrameReader();
        const frames = [];
        for (let i = 0; i < wire.length; i += 7919) frames.push(...reader.push(wire.subarray(i, i + 7919)));
        assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[opcodes.text, text], [opcodes.ping, 'p']], `${size} ${masked}`);
      }
    }
  });

  it('joins a fragmented message, with a control frame between its fragments', () => {
    const first = encodeFrame(opcodes.text, Buffer.from('hel'), true);
    first[0] = opcodes.text; // FIN off
    const last = encodeFrame(opcodes.continuation, Buffer.from('lo'), true);
    const frames = new FrameReader().push(Buffer.concat([first, encodeFrame(opcodes.ping, Buffer.alloc(0), true), last]));
    assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[opcodes.ping, ''], [opcodes.text, 'hello']]);
  });

  it('refuses a frame past its size limit', () => {
    assert.throws(() => new FrameReader(10).push(encodeFrame(opcodes.text, Buffer.alloc(11), false)), /over 10/);
  });
});

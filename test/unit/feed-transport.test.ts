// The feed's wire pieces: the WebSocket frame codec of the local AppSync Events and its Node client (the publisher's
// signing: test/unit/feed-signing.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, FrameReader, opcodes } from '../../local/ws-frames.js';

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

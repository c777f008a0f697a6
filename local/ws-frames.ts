import { createHash, randomBytes } from 'node:crypto';

/**
 * The WebSocket wire format (RFC 6455), just what the local feed needs: text, close, ping and pong frames,
 * masked from client to server, unfragmented on the way out, reassembled on the way in.
 */
export const opcodes = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** The handshake answer to a client's Sec-WebSocket-Key. */
export const acceptKey = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

export function encodeFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  header[0] = 0x80 | opcode;
  header[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  mask.copy(header, 2 + lengthBytes);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([header, body]);
}

export interface Frame { opcode: number; payload: Buffer }

/** Splits a byte stream into whole messages (continuations joined); throws on frames past `maxBytes`. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;

  constructor(private readonly maxBytes = 1024 * 1024) {}

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | null {
    const data = this.pending;
    if (data.length < 2) return null;
    const fin = (data[0]! & 0x80) !== 0;
    const opcode = data[0]! & 0x0f;
    const masked = (data[1]! & 0x80) !== 0;
    let length = data[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return null;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return null;
      length = Number(data.readBigUInt64BE(2));
      offset = 10;
    }
    if (length > this.maxBytes) throw new Error(`frame of ${length} bytes is over ${this.maxBytes}`);
    const maskOffset = offset;
    if (masked) offset += 4;
    if (data.length < offset + length) return null;
    const payload = Buffer.from(data.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= data[maskOffset + (i % 4)]!;
    this.pending = data.subarray(offset + length);
    if (opcode >= opcodes.close) return { opcode, payload };
    if (!fin) {
      if (opcode !== opcodes.continuation) this.fragmentOpcode = opcode;
      this.fragments.push(payload);
      return this.next();
    }
    if (opcode === opcodes.continuation) {
      const whole = Buffer.concat([...this.fragments, payload]);
      this.fragments = [];
      return { opcode: this.fragmentOpcode, payload: whole };
    }
    return { opcode, payload };
  }
}

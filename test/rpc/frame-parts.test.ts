// A request frame is read in place, as the slices the socket delivered it in (no joined copy of
// the frame): whatever the cuts, between the 8 KiB buffers Java writes and between the reads
// of the socket, through varints, strings and bodies, the server decodes the same events.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from '../../runtime/core/event.js';
import { encodeRequestFrame, FrameDecoder, type Frame } from '../../runtime/rpc/frame.js';
import { encodeHandshakeRequest, encodeParams, FLUME_PROTOCOL_HASHES, readEvents, readHandshakeRequest } from '../../runtime/rpc/protocol.js';
import { AvroDecodeError, AvroReader } from '../../runtime/rpc/reader.js';
import { ConnectionResponder, KnownProtocols } from '../../runtime/rpc/responder.js';
import { AvroServer } from '../../runtime/rpc/server.js';
import { bytes, conversation, RawPeer } from './captures.js';

/** A deterministic generator (mulberry32), so that a failure repeats. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events with bodies of 0 to 20,000 bytes (some longer than Java's 8 KiB buffers) and headers with multi-byte text. */
function events(n: number, rnd: () => number): Event[] {
  return Array.from({ length: n }, (_, i) => {
    const size = rnd() < 0.1 ? Math.floor(rnd() * 20_000) : Math.floor(rnd() * 300);
    const body = Buffer.alloc(size);
    for (let j = 0; j < size; j++) body[j] = (i * 31 + j * 7) & 0xff;
    const headers: Record<string, string> = i % 3 === 0 ? {} : { host: `wëb-${i}`, ['k'.repeat(1 + (i % 200))]: 'ü'.repeat(i % 90) };
    return { headers, body };
  });
}

/** The appendBatch request Flume's client writes (handshake first), params cut into 8 KiB buffers. */
function request(serial: number, batch: Event[]): Buffer {
  const hs = encodeHandshakeRequest({ clientHash: FLUME_PROTOCOL_HASHES[0]!, clientProtocol: null, serverHash: FLUME_PROTOCOL_HASHES[0]! });
  return encodeRequestFrame(serial, Buffer.concat([hs, Buffer.from('\x00\x16appendBatch', 'latin1')]), encodeParams('appendBatch', batch));
}

/** Feeds `data` to a frame decoder in pieces of random length (1 to `maxCut` bytes). */
function cutInto(data: Buffer, maxCut: number, rnd: () => number): Frame[] {
  const frames: Frame[] = [];
  const d = new FrameDecoder((f) => frames.push(f));
  for (let at = 0; at < data.length; ) {
    const n = 1 + Math.floor(rnd() * maxCut);
    d.push(data.subarray(at, at + n));
    at += n;
  }
  return frames;
}

const plain = (list: Event[]) => list.map((e) => ({ headers: { ...e.headers }, body: e.body.toString('hex') }));

describe('a frame read in the pieces it arrived in', () => {
  it('decodes the same events as the joined frame, for cuts of every size down to one byte', async () => {
    const rnd = random(8);
    const batch = events(300, rnd);
    const data = request(7, batch);
    for (const maxCut of [1, 3, 17, 500, 8191, 70_000]) {
      const [frame] = cutInto(data, maxCut, rnd);
      expect(frame!.parts.length).toBeGreaterThan(1);
      let got: Event[] = [];
      const responder = new ConnectionResponder(new KnownProtocols(), {
        append: async () => 'FAILED',
        appendBatch: async (list) => ((got = list), 'OK'),
      });
      const reply = await responder.respond(frame!.parts);
      expect(reply.error).toBeUndefined();
      expect(plain(got)).toEqual(plain(batch));
      // Bodies are views of the received bytes, and Buffers to whoever uses them.
      for (const e of got.slice(0, 20)) {
        expect(Buffer.isBuffer(e.body) && e.body instanceof Buffer && e.body.constructor === Buffer).toBe(true);
        expect(inspect(e.body.subarray(0, 2))).toMatch(/^<Buffer/);
        expect(inspect(e.body)).toMatch(/^<Buffer/);
        expect(Buffer.concat([e.body, Buffer.from('!')]).subarray(0, e.body.length).equals(e.body)).toBe(true);
      }
      // The same bytes as one buffer give the same events.
      const joined = new AvroReader(frame!.payload);
      readHandshakeRequest(joined);
      joined.bytesMap();
      joined.string();
      expect(plain(readEvents(joined))).toEqual(plain(batch));
    }
  });

  it('a truncated frame is the same error at every cut: the data ends early', () => {
    const rnd = random(9);
    const params = encodeParams('appendBatch', events(20, rnd));
    for (let end = 0; end < params.length; end += 1 + Math.floor(rnd() * 40)) {
      const data = params.subarray(0, end);
      const cuts: Buffer[] = [];
      for (let at = 0; at < data.length; ) {
        const n = 1 + Math.floor(rnd() * 64);
        cuts.push(data.subarray(at, at + n));
        at += n;
      }
      const error = (() => {
        try {
          readEvents(AvroReader.over(cuts));
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AvroDecodeError);
      expect((error as AvroDecodeError).endOfData).toBe(true);
    }
  });

  it('captured requests of Flume 1.11 cut into one-byte reads are answered with Flume bytes', async () => {
    const rnd = random(10);
    for (const id of ['01', '02', '03', '05', '16']) {
      const frames = conversation(id).connections[0]!.frames;
      const responder = new ConnectionResponder(new KnownProtocols(), { append: async () => 'OK', appendBatch: async () => 'OK' });
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        if (f.dir !== 'c2s' || f.hex === null) continue;
        const [frame] = cutInto(bytes(f.hex), 3, rnd);
        const reply = await responder.respond(frame!.parts);
        expect(Buffer.concat(reply.buffers).toString('hex')).toBe(Buffer.concat(cutInto(bytes(frames[i + 1]!.hex), 1e9, rnd)[0]!.parts).toString('hex'));
      }
    }
  });
});

describe('the server, fed a large batch in small writes', () => {
  let server: AvroServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('1,000 events written 1,000 bytes at a time arrive intact and are answered OK', async () => {
    const got: Event[] = [];
    server = new AvroServer({ host: '127.0.0.1', port: 0, handler: { append: async () => 'FAILED', appendBatch: async (list) => (got.push(...list), 'OK') } });
    await server.listen();
    const batch = events(1000, random(11));
    const data = request(1, batch);
    const peer = await RawPeer.open(server.port);
    try {
      for (let at = 0; at < data.length; at += 1000) {
        peer.write(data.subarray(at, at + 1000));
        await new Promise((r) => setImmediate(r));
      }
      const [reply] = await peer.next(1);
      expect(reply!.payload.subarray(-2).toString('hex')).toBe('0000'); // no error, Status OK
      expect(plain(got)).toEqual(plain(batch));
    } finally {
      peer.destroy();
    }
  });
});

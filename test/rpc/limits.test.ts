// A bad peer is disconnected cleanly, a stalled one times out, and everyone else is served;
// plus a short seeded run of the frame fuzzer (the long run: npm run fuzz:avro).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from '../../runtime/core/log.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import { AvroServer } from '../../runtime/rpc/server.js';
import { fuzzAvroFrames } from '../fuzz/avro-frames.js';
import { bytes, conversation, RawPeer } from './captures.js';

const appendFrame = () => bytes(conversation('04').connections[0]!.frames[0]!.hex);

describe('frame limits and timeouts', () => {
  let server: AvroServer;
  let lines: string[];
  beforeEach(async () => {
    const mem = Logger.memory('debug');
    lines = mem.lines;
    server = new AvroServer({
      host: '127.0.0.1',
      port: 0,
      log: mem.log,
      readTimeoutMs: 400,
      limits: { maxBuffers: 8, maxBufferBytes: 1000, maxFrameBytes: 1500 },
      handler: { append: async () => 'OK', appendBatch: async () => 'OK' },
    });
    await server.listen();
  });
  afterEach(() => server.close());

  const header = (serial: number, count: number, ...lengths: number[]) => {
    const b = Buffer.alloc(8 + lengths.length * 4);
    b.writeInt32BE(serial, 0);
    b.writeInt32BE(count, 4);
    lengths.forEach((l, i) => b.writeInt32BE(l, 8 + i * 4));
    return b;
  };

  async function servedStill(): Promise<void> {
    const c = await AvroClient.connect({ host: '127.0.0.1', port: server.port });
    expect(await c.append({ headers: {}, body: Buffer.from('still here') })).toBe('OK');
    await c.close();
  }

  for (const [what, frame, message] of [
    ['too many buffers', header(1, 9), /announces 9 buffers \(the limit is 8\)/],
    ['a negative buffer count', header(1, -5), /announces -5 buffers/],
    ['a buffer longer than the limit', header(1, 1, 1001), /announces 1001 bytes \(the limit is 1000\)/],
    ['a frame larger than the limit', Buffer.concat([header(1, 2, 1000), Buffer.alloc(1000), Buffer.from([0, 0, 2, 0x58])]), /larger than 1500 bytes/],
  ] as const) {
    it(`${what}: the peer is disconnected, with the reason logged; others are served`, async () => {
      const bystander = await RawPeer.open(server.port);
      bystander.write(appendFrame());
      await bystander.next(1);
      const bad = await RawPeer.open(server.port);
      bad.write(frame);
      await bad.waitClosed();
      expect(lines.join('\n')).toMatch(message);
      await servedStill();
      bystander.write(bytes(conversation('04').connections[0]!.frames[2]!.hex));
      expect((await bystander.next(1))[0]!.serial).toBe(2);
      bystander.destroy();
    });
  }

  it('garbage after a valid frame: the valid request is answered, then the connection is closed', async () => {
    const peer = await RawPeer.open(server.port);
    peer.write(Buffer.concat([appendFrame(), header(7, 100_000)]));
    const [reply] = await peer.next(1);
    expect(reply!.serial).toBe(1);
    await peer.waitClosed();
  });

  it('a frame that stalls half-way is closed after the read timeout; an idle connection is not', async () => {
    const idle = await RawPeer.open(server.port);
    idle.write(appendFrame());
    await idle.next(1);
    const stalled = await RawPeer.open(server.port);
    stalled.write(header(1, 2, 100).subarray(0, 10));
    await stalled.waitClosed(5000);
    expect(lines.join('\n')).toMatch(/a frame stalled for 400 ms/);
    await new Promise((r) => setTimeout(r, 600));
    expect(idle.closed).toBe(false);
    idle.write(bytes(conversation('04').connections[0]!.frames[2]!.hex));
    expect((await idle.next(1))[0]!.serial).toBe(2);
    idle.destroy();
  });

  it('a client that half-closes after its requests still gets every answer', async () => {
    const peer = await RawPeer.open(server.port);
    peer.socket.end(Buffer.concat([appendFrame(), bytes(conversation('04').connections[0]!.frames[2]!.hex)]));
    expect((await peer.next(2)).map((f) => f.serial)).toEqual([1, 2]);
    await peer.waitClosed();
  });
});

describe('frame decoder fuzz (short seeded run)', () => {
  it('2,000 random and mutated frames: no crash, hang, memory growth or lost request; a valid client is served throughout', async () => {
    const report = await fuzzAvroFrames({ count: 2000, seed: 20261206, parallel: 16, hangMs: 15_000, probeEvery: 500, maxRssGrowthBytes: 256 << 20 });
    expect(report.findings).toEqual([]);
    expect(report.validRequests).toBeGreaterThan(300);
    expect(report.closedByServer).toBe(2000);
    expect(Object.keys(report.byKind).sort()).toEqual(
      ['flip', 'garbage-after', 'huge-count', 'huge-length', 'length-lies', 'negative-count', 'negative-length', 'random', 'truncate', 'two-valid', 'valid'].sort(),
    );
  }, 120_000);
});

// Byte-level conformance with real Flume 1.11, from its captured Avro RPC conversations:
// our server answers Flume's clients with the bytes Flume's server wrote, and our client
// writes the bytes Flume's client wrote.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { constants, createInflate } from 'node:zlib';
import type { Event } from '../../runtime/core/event.js';
import { AvroClient, AvroRemoteError } from '../../runtime/rpc/client.js';
import { encodeFrame, type Frame } from '../../runtime/rpc/frame.js';
import { md5, PROTOCOL_HASH, PROTOCOL_TEXT, readHandshakeRequest, readEvent, readEvents, type Status } from '../../runtime/rpc/protocol.js';
import { AvroReader } from '../../runtime/rpc/reader.js';
import { AvroServer } from '../../runtime/rpc/server.js';
import { bytes, conversation, frameBytes, RawPeer, rawServer, type CapturedFrame } from './captures.js';

const hexEvents = (events: Event[]) => events.map((e) => ({ headers: { ...e.headers }, body: e.body.toString('hex') }));

describe('protocol', () => {
  it('our protocol text is the compact JSON of flume.avdl, MD5 30da5405…', () => {
    expect(PROTOCOL_TEXT.length).toBe(509);
    expect(md5(PROTOCOL_TEXT).toString('hex')).toBe('30da54059df72d9584b867d5202e2069');
  });
});

describe('our server answers as Flume 1.11 does', () => {
  let server: AvroServer;
  let calls: { message: string; events: ReturnType<typeof hexEvents> }[];
  let statuses: Status[];
  const peers: RawPeer[] = [];

  async function start(compression?: 'deflate') {
    calls = [];
    statuses = [];
    server = new AvroServer({
      host: '127.0.0.1',
      port: 0,
      ...(compression ? { compression } : {}),
      handler: {
        append: async (e) => {
          calls.push({ message: 'append', events: hexEvents([e]) });
          return statuses.shift() ?? 'OK';
        },
        appendBatch: async (events) => {
          calls.push({ message: 'appendBatch', events: hexEvents(events) });
          return statuses.shift() ?? 'OK';
        },
      },
    });
    await server.listen();
  }

  async function open(decode = true): Promise<RawPeer> {
    const p = await RawPeer.open(server.port, decode);
    peers.push(p);
    return p;
  }

  afterEach(async () => {
    for (const p of peers.splice(0)) p.destroy();
    await server.close();
  });

  /** Sends each request of a captured connection and compares each reply with Flume's. */
  async function replay(frames: CapturedFrame[]): Promise<void> {
    const peer = await open();
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      if (f.dir !== 'c2s') continue;
      const answer = frames[i + 1]!;
      expect(answer.dir).toBe('s2c');
      if (answer.decoded.status) statuses.push(answer.decoded.status as Status);
      peer.write(bytes(f.hex));
      const [reply] = await peer.next(1);
      expect(frameBytes(reply!).toString('hex')).toBe(answer.hex);
      expect(reply!.bufferLengths).toEqual(answer.bufferLengths);
    }
  }

  function expectedCalls(frames: CapturedFrame[]) {
    return frames
      .filter((f) => f.dir === 'c2s' && f.decoded.events && (f.decoded.message === 'append' || f.decoded.message === 'appendBatch'))
      .map((f) => ({ message: f.decoded.message, events: f.decoded.events }));
  }

  for (const [id, what] of [
    ['01', 'avro-client appendBatch, handshake BOTH'],
    ['02', 'avro-client with headers'],
    ['03', 'two appendBatch on one connection, the second without handshake'],
    ['04', 'RpcClient append ×2'],
    ['05', 'avro sink appendBatch'],
    ['08', 'append answered FAILED (channel full), then a new connection'],
    ['09', 'appendBatch answered FAILED'],
    ['10', 'avro sink retrying after FAILED'],
    ['14', 'handshake-only ping, null handshake meta, single-buffer request'],
    ['16', 'a 9000-byte body cut into 8192-byte buffers'],
  ] as const) {
    it(`${id}: ${what}`, async () => {
      await start();
      const c = conversation(id);
      for (const conn of c.connections) await replay(conn.frames);
      expect(calls).toEqual(c.connections.flatMap((conn) => expectedCalls(conn.frames)));
    });
  }

  it('15: system errors (unknown message, truncated params) as Flume writes them; the connection survives', async () => {
    await start();
    const c = conversation('15');
    await replay(c.connections[0]!.frames);
    expect(calls).toEqual([{ message: 'append', events: [{ headers: { host: 'web1' }, body: '68656c6c6f' }] }]);
  });

  it('17: pipelined requests; serials 5, INT_MAX, 0 and -1 echoed unchanged', async () => {
    await start();
    const frames = conversation('17').connections[0]!.frames;
    const peer = await open();
    peer.write(Buffer.concat(frames.filter((f) => f.dir === 'c2s').map((f) => bytes(f.hex))));
    const replies = await peer.next(4);
    const bySerial = new Map(replies.map((r) => [r.serial, frameBytes(r).toString('hex')]));
    for (const f of frames.filter((x) => x.dir === 's2c')) expect(bySerial.get(f.serial)).toBe(f.hex);
    // Our server answers one connection's requests in order (Flume's thread pool does not).
    expect(replies.map((r) => r.serial)).toEqual([5, 2147483647, 0, -1]);
  });

  it('18: a request sent before the handshake answer is served, not refused', async () => {
    await start();
    const c = conversation('18');
    const peer = await open();
    peer.write(Buffer.concat(c.connections[0]!.frames.filter((f) => f.dir === 'c2s').map((f) => bytes(f.hex))));
    const replies = await peer.next(2);
    // Flume sometimes answered java.io.EOFException here (conn 1); its good case is conn 2.
    const good = c.connections[1]!.frames.filter((f) => f.dir === 's2c');
    expect(replies.map((r) => frameBytes(r).toString('hex'))).toEqual(good.map((f) => f.hex));
  });

  it('06 and 07: deflate, one zlib stream per direction with a sync flush per frame', async () => {
    await start('deflate');
    for (const id of ['06', '07']) {
      const conn = conversation(id).connections[0]!;
      const expected = conn.frames.filter((f) => f.dir === 's2c');
      for (const f of conn.frames.filter((x) => x.dir === 'c2s')) if (f.decoded.status) statuses.push(f.decoded.status as Status);
      const peer = await open(false);
      const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
      const plain: Buffer[] = [];
      inflate.on('data', (d: Buffer) => plain.push(d));
      peer.socket.on('data', (d: Buffer) => inflate.write(d));
      // The client's raw zlib chunks, as Flume wrote them (the last one ends its stream).
      for (const [i, chunk] of conn.c2sChunks!.entries()) {
        peer.write(bytes(chunk));
        if (i < expected.length) {
          await waitUntil(() => Buffer.concat(plain).length >= expected.slice(0, i + 1).reduce((n, f) => n + bytes(f.hex).length, 0));
        }
      }
      expect(Buffer.concat(plain).toString('hex')).toBe(expected.map((f) => f.hex).join(''));
      // Each reply ends with a sync-flush marker, so the peer can read it at once.
      // (After the client's end of stream, the server may end its own stream too.)
      const all = Buffer.concat(peer.raw).toString('hex');
      expect(all.startsWith('789c')).toBe(true);
      expect(peer.raw[0]!.subarray(-4).toString('hex')).toBe('0000ffff');
      expect(all.split('0000ffff').length - 1).toBeGreaterThanOrEqual(expected.length);
    }
    expect(calls.map((c) => c.events.map((e) => e.body))).toEqual([['30', '31', '32'], ['6131'], ['6132']]);
  });

  it('12 and 13: an unknown client gets NONE and our protocol; with its text it is served (BOTH or CLIENT)', async () => {
    await start();
    const unknownHash = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    // An append with an unknown client hash and no text (as in capture 12, with a hash we do not know).
    const c12 = bytes(conversation('12').connections[0]!.frames[0]!.hex);
    const first = Buffer.from(c12);
    unknownHash.copy(first, 12);
    unknownHash.copy(first, 12 + 16 + 1);
    const peer = await open();
    peer.write(first);
    const [none] = await peer.next(1);
    expect(none!.bufferLengths).toHaveLength(1);
    const r = new AvroReader(none!.payload);
    expect(r.enumIndex(3)).toBe(2); // NONE
    expect(r.unionIndex(2)).toBe(1);
    expect(r.string()).toBe(PROTOCOL_TEXT);
    expect(r.unionIndex(2)).toBe(1);
    expect(r.fixed(16).equals(PROTOCOL_HASH)).toBe(true);
    expect(r.unionIndex(2)).toBe(0);
    expect(calls).toEqual([]); // the call was not run
    // Capture 13 conn 2: a client with its own (pretty-printed) text and its own hash as the
    // server guess: CLIENT with our protocol, and the call runs in the same round trip.
    const c13 = conversation('13').connections[1]!.frames;
    const peer2 = await open();
    peer2.write(bytes(c13[0]!.hex));
    const [client] = await peer2.next(1);
    const r2 = new AvroReader(client!.payload);
    expect(r2.enumIndex(3)).toBe(1); // CLIENT
    expect(r2.unionIndex(2)).toBe(1);
    expect(r2.string()).toBe(PROTOCOL_TEXT);
    expect(client!.bufferLengths.slice(1)).toEqual([1, 2]);
    expect(client!.payload.subarray(-3).toString('hex')).toBe('000000'); // meta {}, no error, OK
    peer2.write(bytes(c13[2]!.hex));
    const [again] = await peer2.next(1);
    expect(frameBytes(again!).toString('hex')).toBe(c13[3]!.hex);
    // The server keeps what it learned: a new connection with that hash needs no text.
    const c13hash = Buffer.from('5150ee3299d37a1ddfa8a20e9e076bdf', 'hex');
    const known = Buffer.from(c12);
    c13hash.copy(known, 12);
    PROTOCOL_HASH.copy(known, 12 + 16 + 1);
    const peer3 = await open();
    peer3.write(known);
    const [both] = await peer3.next(1);
    expect(frameBytes(both!).toString('hex')).toBe('000000010000000300000004000000000000000100000000020000');
  });
});

async function waitUntil(fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('our client writes what Flume 1.11 client writes', () => {
  let close: (() => Promise<void>) | undefined;
  const clients: AvroClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await close?.();
    close = undefined;
  });

  /** A server that checks each request against the capture and answers Flume's reply. */
  async function capturedServer(frames: CapturedFrame[][], seen: Frame[][]) {
    const s = await rawServer((f, socket, conn) => {
      const list = frames[conn - 1]!;
      const got = (seen[conn - 1] ??= []);
      const k = got.length;
      got.push(f);
      const requests = list.filter((x) => x.dir === 'c2s');
      const idx = list.indexOf(requests[k]!);
      const reply = list[idx + 1]!;
      socket.write(bytes(reply.hex));
    });
    close = s.close;
    return s.port;
  }

  async function client(port: number): Promise<AvroClient> {
    const c = await AvroClient.connect({ host: '127.0.0.1', port });
    clients.push(c);
    return c;
  }

  const ev = (body: string, headers: Record<string, string> = {}): Event => ({ headers, body: Buffer.from(body) });

  it('01, 03, 04, 16: the same request bytes, byte for byte', async () => {
    const cases: [string, (c: AvroClient) => Promise<Status[]>][] = [
      ['01', async (c) => [await c.appendBatch([ev('hello'), ev('world')])]],
      ['03', async (c) => [await c.appendBatch([ev('xxxxx'), ev('xxxxx'), ev('xxxxx')]), await c.appendBatch([ev('xxxxx'), ev('xxxxx'), ev('xxxxx')])]],
      ['04', async (c) => [await c.append(ev('a1', { host: 'web1' })), await c.append(ev('a2', { host: 'web1' }))]],
      ['16', async (c) => [await c.appendBatch([ev('x'.repeat(9000))])]],
    ];
    for (const [id, run] of cases) {
      const frames = conversation(id).connections[0]!.frames;
      const seen: Frame[][] = [];
      const port = await capturedServer([frames], seen);
      const c = await client(port);
      expect(await run(c)).toEqual(frames.filter((f) => f.dir === 's2c').map((f) => f.decoded.status));
      expect(seen[0]!.map((f) => frameBytes(f).toString('hex'))).toEqual(frames.filter((f) => f.dir === 'c2s').map((f) => f.hex));
      await c.close();
      await close!();
      close = undefined;
    }
  });

  it('08 and 15: FAILED is a status; a system error rejects with its text', async () => {
    const frames = conversation('08').connections[0]!.frames;
    const port = await capturedServer([frames], []);
    const c = await client(port);
    expect(await c.append(ev('a1', { host: 'web1' }))).toBe('OK');
    expect(await c.append(ev('a2', { host: 'web1' }))).toBe('FAILED');
    await close!();
    const errors = conversation('15').connections[0]!.frames;
    const s = await rawServer((_f, socket) => socket.write(bytes(errors[1]!.hex)));
    close = s.close;
    const c2 = await client(s.port);
    await expect(c2.append(ev('hello'))).rejects.toThrow(AvroRemoteError);
    await expect(client(s.port).then((x) => x.append(ev('hello')))).rejects.toThrow(/No such remote message: nosuch/);
  });

  it('11: after NONE the request is sent again, with a new serial and our protocol text; the learned hash is kept', async () => {
    const conv = conversation('11');
    const none = conv.connections[0]!.frames[1]!;
    const seen: Frame[] = [];
    const s = await rawServer((f, socket, conn) => {
      seen.push(f);
      if (conn === 1 && f.serial === 1) socket.write(bytes(none.hex));
      else if (f.serial === 2 && conn === 1) socket.write(bytes(conv.connections[0]!.frames[3]!.hex));
      else if (conn === 1) socket.write(bytes(conv.connections[0]!.frames[5]!.hex));
      else socket.write(bytes(conv.connections[1]!.frames[1]!.hex));
    });
    close = s.close;
    const c = await client(s.port);
    expect(await c.append(ev('a1', { host: 'web1' }))).toBe('OK');
    expect(await c.append(ev('a2', { host: 'web1' }))).toBe('FAILED');
    expect(seen.map((f) => f.serial)).toEqual([1, 2, 3]);
    expect(frameBytes(seen[0]!).toString('hex')).toBe(conv.connections[0]!.frames[0]!.hex);
    const resend = new AvroReader(seen[1]!.payload);
    const hs = readHandshakeRequest(resend);
    expect(hs.clientHash.equals(PROTOCOL_HASH)).toBe(true);
    expect(hs.clientProtocol).toBe(PROTOCOL_TEXT);
    expect(hs.serverHash.toString('hex')).toBe('30da54059df72d9584b867d5202e2069');
    expect(seen[1]!.bufferLengths).toEqual([16 + 1 + 2 + 509 + 16 + 2 + 1 + 7, 15]);
    resend.bytesMap();
    expect(resend.string()).toBe('append');
    expect(hexEvents([readEvent(resend)])).toEqual([{ headers: { host: 'web1' }, body: '6131' }]);
    expect(frameBytes(seen[2]!).toString('hex')).toBe(conv.connections[0]!.frames[4]!.hex);
    // A new connection opens with the learned server hash, and our hash without text.
    const c2 = await client(s.port);
    expect(await c2.append(ev('a3', { host: 'web1' }))).toBe('OK');
    const reopen = readHandshakeRequest(new AvroReader(seen[3]!.payload));
    expect(reopen.clientHash.equals(PROTOCOL_HASH)).toBe(true);
    expect(reopen.clientProtocol).toBeNull();
    expect(reopen.serverHash.toString('hex')).toBe('30da54059df72d9584b867d5202e2069');
  });
});

describe('our client and server together', () => {
  let server: AvroServer;
  let received = 0;
  beforeEach(async () => {
    received = 0;
    server = new AvroServer({
      host: '127.0.0.1',
      port: 0,
      handler: {
        append: async () => {
          received++;
          return 'OK';
        },
        appendBatch: async (events) => {
          received += events.length;
          return 'OK';
        },
      },
    });
    await server.listen();
  });
  afterEach(() => server.close());

  it('one connection serves more than 65,536 calls (32-bit serials)', async () => {
    const c = await AvroClient.connect({ host: '127.0.0.1', port: server.port });
    const e: Event = { headers: { k: 'v' }, body: Buffer.from('x') };
    for (let done = 0; done < 70_000; done += 5000) {
      const statuses = await Promise.all(Array.from({ length: 5000 }, () => c.append(e)));
      expect(new Set(statuses)).toEqual(new Set(['OK']));
    }
    expect(received).toBe(70_000);
    expect(server.connections).toBe(1);
    await c.close();
  });

  it('deflate both ways', async () => {
    await server.close();
    server = new AvroServer({ host: '127.0.0.1', port: 0, compression: 'deflate', handler: { append: async () => 'OK', appendBatch: async (ev) => ((received += ev.length), 'OK') } });
    await server.listen();
    const c = await AvroClient.connect({ host: '127.0.0.1', port: server.port, compression: { type: 'deflate', level: 9 } });
    for (let i = 0; i < 20; i++) expect(await c.appendBatch(Array.from({ length: 100 }, (_, j) => ({ headers: { i: String(i) }, body: Buffer.from(`line ${j}`) })))).toBe('OK');
    expect(received).toBe(2000);
    await c.close();
  });

  it('events arrive with their headers and bodies', async () => {
    const got: Event[] = [];
    await server.close();
    server = new AvroServer({ host: '127.0.0.1', port: 0, handler: { append: async (e) => (got.push(e), 'OK'), appendBatch: async (ev) => (got.push(...ev), 'FAILED') } });
    await server.listen();
    const c = await AvroClient.connect({ host: '127.0.0.1', port: server.port });
    expect(await c.append({ headers: { a: 'ü', b: '' }, body: Buffer.from([0, 1, 2]) })).toBe('OK');
    expect(await c.appendBatch([{ headers: {}, body: Buffer.alloc(0) }])).toBe('FAILED');
    expect(hexEvents(got)).toEqual([
      { headers: { a: 'ü', b: '' }, body: '000102' },
      { headers: {}, body: '' },
    ]);
    await c.close();
  });
});

void readEvents;

// A fuzzer for the avro source's frame decoder and request handling, over real sockets: valid
// requests, mutations of them (flipped bytes, truncated or huge lengths, huge buffer counts,
// garbage after a valid frame) and random bytes, each on its own connection, many at once.
// It finds: crashes (an exception escaping the server), hangs (a connection the server neither
// answers nor closes), memory growth beyond a bound, valid requests not answered OK, and a
// server that stops serving a well-behaved client. Seeded: the same seed gives the same inputs.
import { connect } from 'node:net';
import type { Event } from '../../runtime/core/event.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import { encodeRequestFrame, FrameDecoder } from '../../runtime/rpc/frame.js';
import { encodeHandshakeRequest, encodeParams, FLUME_PROTOCOL_HASHES } from '../../runtime/rpc/protocol.js';
import { AvroServer } from '../../runtime/rpc/server.js';
import { Rng } from './rng.js';
import type { Finding } from './target.js';

export interface AvroFuzzOptions {
  count: number;
  seed: number;
  /** Connections in flight at once. */
  parallel?: number;
  /** Longest a connection may stay open after its input was sent and half-closed. */
  hangMs?: number;
  /** Most the process's RSS may grow over the run. */
  maxRssGrowthBytes?: number;
  /** Every this many inputs, check that a valid client is served. */
  probeEvery?: number;
}

export interface AvroFuzzReport {
  inputs: number;
  seconds: number;
  byKind: Record<string, number>;
  validRequests: number;
  repliesRead: number;
  closedByServer: number;
  peakRssGrowthMb: number;
  findings: (Finding & { input: number })[];
}

const HEAD_FLUME = encodeHandshakeRequest({ clientHash: FLUME_PROTOCOL_HASHES[0]!, clientProtocol: null, serverHash: FLUME_PROTOCOL_HASHES[0]! });
const NAME = { append: Buffer.from('\x00\x0cappend', 'latin1'), appendBatch: Buffer.from('\x00\x16appendBatch', 'latin1') };

function randomEvents(rng: Rng): Event[] {
  const n = rng.range(1, rng.chance(0.1) ? 200 : 5);
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = {};
    for (let h = rng.int(3); h > 0; h--) headers[`k${rng.int(100)}`] = 'v'.repeat(rng.int(20));
    out.push({ headers, body: Buffer.alloc(rng.chance(0.05) ? rng.range(8000, 20000) : rng.int(300), rng.int(256)) });
  }
  return out;
}

function validRequest(rng: Rng, serial: number): Buffer {
  const batch = rng.chance(0.7);
  const events = randomEvents(rng);
  const head = Buffer.concat([HEAD_FLUME, batch ? NAME.appendBatch : NAME.append]);
  return encodeRequestFrame(serial, head, encodeParams(batch ? 'appendBatch' : 'append', batch ? events : [events[0]!]));
}

function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

const MUTATIONS = ['flip', 'truncate', 'huge-count', 'negative-count', 'huge-length', 'negative-length', 'garbage-after', 'random', 'two-valid', 'length-lies'] as const;
type Kind = 'valid' | (typeof MUTATIONS)[number];

/** Input `index` of a run: its kind, its bytes, and how many OK replies a correct server gives. */
export function avroFrameInput(seed: number, index: number): { kind: Kind; bytes: Buffer; expectOk: number } {
  const rng = Rng.forInput(seed, 'avro-frames', index);
  if (rng.chance(0.25)) return { kind: 'valid', bytes: validRequest(rng, rng.int(0x7fffffff)), expectOk: 1 };
  const kind = rng.pick(MUTATIONS);
  const base = validRequest(rng, 1);
  const b = Buffer.from(base);
  switch (kind) {
    case 'flip':
      for (let i = rng.range(1, 8); i > 0; i--) b[rng.int(b.length)] = rng.int(256);
      return { kind, bytes: b, expectOk: 0 };
    case 'truncate':
      return { kind, bytes: b.subarray(0, rng.int(b.length)), expectOk: 0 };
    case 'huge-count':
      b.writeInt32BE(rng.range(1 << 16, 0x7fffffff), 4);
      return { kind, bytes: b, expectOk: 0 };
    case 'negative-count':
      b.writeInt32BE(-rng.range(1, 0x7fffffff), 4);
      return { kind, bytes: b, expectOk: 0 };
    case 'huge-length':
      b.writeInt32BE(rng.range(1 << 24, 0x7fffffff), 8);
      return { kind, bytes: b, expectOk: 0 };
    case 'negative-length':
      b.writeInt32BE(-rng.range(1, 0x7fffffff), 8);
      return { kind, bytes: b, expectOk: 0 };
    case 'garbage-after':
      return { kind, bytes: Buffer.concat([base, randomBytes(rng, rng.range(1, 64))]), expectOk: 1 };
    case 'random':
      return { kind, bytes: randomBytes(rng, rng.range(1, 200)), expectOk: 0 };
    case 'two-valid': {
      const second = validRequest(rng, 2);
      // The second request has a handshake again: after BOTH the server reads it as call
      // metadata and answers a system error, or it fails to decode; never a crash.
      return { kind, bytes: Buffer.concat([base, second]), expectOk: 1 };
    }
    case 'length-lies': {
      // The params length says more than is sent, then the client half-closes.
      const at = 12 + b.readInt32BE(8);
      if (at + 4 <= b.length) b.writeInt32BE(b.readInt32BE(at) + rng.range(1, 5000), at);
      return { kind, bytes: b, expectOk: 0 };
    }
  }
}

interface Outcome {
  ok: number;
  replies: number;
  closedByServer: boolean;
  hang: boolean;
}

function exchange(port: number, bytes: Buffer, hangMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let ok = 0;
    let replies = 0;
    let done = false;
    const decoder = new FrameDecoder((f) => {
      replies++;
      // OK is the last two bytes 00 00 of a reply whose last buffer is error flag + status.
      if (f.payload.length >= 3 && f.payload.readUInt16BE(f.payload.length - 2) === 0 && f.bufferLengths.at(-1) === 2) ok++;
    });
    const finish = (hang: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ ok, replies, closedByServer: !hang, hang });
    };
    const timer = setTimeout(() => finish(true), hangMs);
    s.on('data', (d: Buffer) => {
      try {
        decoder.push(d);
      } catch {
        // a reply the fuzzer cannot read counts as no reply
      }
    });
    s.on('error', () => finish(false));
    s.on('close', () => finish(false));
    s.on('connect', () => s.end(bytes));
  });
}

/** Runs the fuzzer against a fresh server in this process. */
export async function fuzzAvroFrames(o: AvroFuzzOptions): Promise<AvroFuzzReport> {
  const parallel = o.parallel ?? 16;
  const hangMs = o.hangMs ?? 10_000;
  const maxGrowth = o.maxRssGrowthBytes ?? 512 * 1024 * 1024;
  const probeEvery = o.probeEvery ?? 2000;
  const findings: AvroFuzzReport['findings'] = [];
  let accepted = 0;
  const crash = (e: unknown) => findings.push({ kind: 'crash', message: `uncaught: ${(e as Error)?.stack ?? String(e)}`, input: -1 });
  process.on('uncaughtException', crash);
  const server = new AvroServer({
    host: '127.0.0.1',
    port: 0,
    readTimeoutMs: Math.min(2000, hangMs / 2),
    limits: { maxBuffers: 4096, maxBufferBytes: 8 << 20, maxFrameBytes: 8 << 20 },
    handler: {
      append: async () => ((accepted += 1), 'OK'),
      appendBatch: async (events) => ((accepted += events.length), 'OK'),
    },
  });
  await server.listen();
  const started = Date.now();
  const rss0 = process.memoryUsage().rss;
  let peak = 0;
  const byKind: Record<string, number> = {};
  let validRequests = 0;
  let repliesRead = 0;
  let closedByServer = 0;
  let next = 0;

  async function probe(at: number): Promise<void> {
    try {
      const c = await AvroClient.connect({ host: '127.0.0.1', port: server.port, connectTimeoutMs: hangMs, requestTimeoutMs: hangMs });
      const st = await c.appendBatch([{ headers: { probe: String(at) }, body: Buffer.from('probe') }]);
      await c.close();
      if (st !== 'OK') findings.push({ kind: 'unserved', message: `a valid client got ${st}`, input: at });
    } catch (e) {
      findings.push({ kind: 'unserved', message: `a valid client was not served: ${(e as Error).message}`, input: at });
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= o.count) return;
      const input = avroFrameInput(o.seed, i);
      byKind[input.kind] = (byKind[input.kind] ?? 0) + 1;
      const out = await exchange(server.port, input.bytes, hangMs);
      repliesRead += out.replies;
      if (out.closedByServer) closedByServer++;
      if (out.hang) findings.push({ kind: 'hang', message: `the server neither answered nor closed within ${hangMs} ms (${input.kind})`, input: i });
      if (input.kind === 'valid') {
        validRequests++;
        if (out.ok !== 1) findings.push({ kind: 'lost-event', message: `a valid request was answered ${out.ok} OK (${out.replies} replies)`, input: i });
      } else if (out.ok < input.expectOk) {
        findings.push({ kind: 'lost-event', message: `a valid request before ${input.kind} was not answered OK`, input: i });
      }
      if (i % probeEvery === 0) {
        await probe(i);
        const growth = process.memoryUsage().rss - rss0;
        peak = Math.max(peak, growth);
        if (growth > maxGrowth) findings.push({ kind: 'memory', message: `RSS grew by ${Math.round(growth / 1048576)} MB`, input: i });
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: parallel }, () => worker()));
    await probe(o.count);
    const deadline = Date.now() + hangMs;
    while (server.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (server.connections > 0) findings.push({ kind: 'hang', message: `${server.connections} connection(s) still open after the run`, input: -1 });
  } finally {
    await server.close();
    process.off('uncaughtException', crash);
  }
  void accepted;
  return {
    inputs: o.count,
    seconds: (Date.now() - started) / 1000,
    byKind,
    validRequests,
    repliesRead,
    closedByServer,
    peakRssGrowthMb: Math.round((peak / 1048576) * 10) / 10,
    findings,
  };
}

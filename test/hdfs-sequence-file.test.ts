// runtime/lib/sequence-file.ts: byte for byte what Flume 1.11's own HDFSSequenceFile writes (sync
// marker aside, which is random per file), and, written to a real HDFS through WebHDFS, read back
// by Hadoop's SequenceFile.Reader with the exact keys and values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flumeClasspath } from './helpers/flume.js';
import { hdfsReadSequenceFile, useMiniDfs } from './helpers/hdfs.js';
import { inflateSync } from 'node:zlib';
import { FlumeSequenceFile, SequenceKeyError, vint, type SequenceCodec, type SequenceWriteFormat } from '../runtime/lib/sequence-file.js';

interface TestEvent {
  headers: Record<string, string>;
  body: Buffer;
}

const NOW = 1_700_000_000_123;

// Batches of events: empty and large bodies, lengths around the vint boundaries (127/128,
// 255/256, 65535/65536), timestamps missing, negative, at Long's limits, with a `+` sign.
function batches(): TestEvent[][] {
  const ev = (ts: string | undefined, body: Buffer): TestEvent => ({ headers: ts === undefined ? {} : { timestamp: ts, host: 'a' }, body });
  const sizes = [0, 1, 111, 112, 127, 128, 255, 256, 300, 65535, 65536, 70000];
  const out: TestEvent[][] = [];
  out.push(sizes.map((n, i) => ev(String(1_600_000_000_000 + i), Buffer.alloc(n, 0x41 + (i % 26)))));
  out.push([
    ev(undefined, Buffer.from('no timestamp: the clock')),
    ev('-1', Buffer.from('negative')),
    ev('9223372036854775807', Buffer.from('Long.MAX_VALUE')),
    ev('-9223372036854775808', Buffer.from('Long.MIN_VALUE')),
    ev('+42', Buffer.from('plus sign')),
    ev('0042', Buffer.from('leading zeros')),
    ev('1', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])), // not UTF-8: Text keeps the bytes
    ev('2', Buffer.from('ünïcødé ✓ 😀')),
  ]);
  // Many small events: sync markers every ~2000 bytes inside a batch.
  out.push(Array.from({ length: 500 }, (_, i) => ev(String(1_700_000_000_000 + i), Buffer.from(`line ${i} ${'x'.repeat(i % 40)}`))));
  out.push([]); // an empty batch syncs nothing
  // 1.2 MB in one batch: a compressed file closes a block at 1,000,000 buffered bytes.
  out.push(Array.from({ length: 20 }, (_, i) => ev(String(1_800_000_000_000 + i), Buffer.alloc(60_000, 0x30 + (i % 10)))));
  out.push([ev('7', Buffer.from('last'))]);
  return out;
}

function ours(format: SequenceWriteFormat, marker?: Buffer, codec?: SequenceCodec): { chunks: Buffer[][]; marker: Buffer } {
  const file = new FlumeSequenceFile(format, { ...(marker ? { syncMarker: marker } : {}), codec }, () => NOW);
  const chunks: Buffer[][] = [[file.header()]];
  for (const batch of batches()) {
    const part: Buffer[] = [];
    for (const e of batch) part.push(...file.append(e));
    part.push(...file.sync());
    chunks.push(part);
  }
  chunks.push(file.close());
  return { chunks, marker: file.syncMarker };
}

function flumes(format: SequenceWriteFormat, dir: string, codec?: SequenceCodec): Buffer {
  const file = join(dir, `flume-${format}-${codec ?? 'none'}.seq`);
  const input = batches()
    .map((b) => [...b.map((e) => `E ${e.headers['timestamp'] ?? '-'} ${e.body.toString('base64')}`), 'S'].join('\n'))
    .join('\n');
  const r = spawnSync('java', ['-Xmx256m', '-cp', flumeClasspath(), 'flowc.peers.SequenceFileWrite', file, format, ...(codec ? [codec] : [])], { input: `${input}\n`, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file);
}

/** The blocks of a block-compressed SequenceFile: record count and the four inflated buffers. */
function blocks(file: Buffer, from: number, marker: Buffer): { count: number; buffers: Buffer[] }[] {
  const out: { count: number; buffers: Buffer[] }[] = [];
  let at = from;
  const readVint = () => {
    const first = file.readInt8(at++);
    if (first >= -112) return first;
    const n = first < -120 ? -(first + 120) : -(first + 112);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + file[at++]!;
    return first < -120 ? -v - 1 : v;
  };
  while (at < file.length) {
    expect(file.readInt32BE(at)).toBe(-1);
    expect(file.subarray(at + 4, at + 20).equals(marker)).toBe(true);
    at += 20;
    const count = readVint();
    const buffers: Buffer[] = [];
    for (let k = 0; k < 4; k++) {
      const len = readVint();
      buffers.push(inflateSync(file.subarray(at, at + len)));
      at += len;
    }
    out.push({ count, buffers });
  }
  return out;
}

describe("SequenceFile writer: Flume's bytes", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowc-seq-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['Writable', 'Text'] as const) {
    it(`writes what Flume's HDFSSequenceFile writes (writeFormat ${format})`, () => {
      const theirs = flumes(format, dir);
      // Flume's sync marker is the 16 bytes that end its header; write ours with the same one.
      const headerLength = Buffer.concat(ours(format).chunks[0]!).length;
      const marker = theirs.subarray(headerLength - 16, headerLength);
      const mine = Buffer.concat(ours(format, Buffer.from(marker)).chunks.flat());
      // The events without a timestamp got each writer's own clock: patch Flume's key to ours.
      const clockKey = theirs.indexOf(Buffer.from('no timestamp: the clock')) - (format === 'Text' ? 1 : 4) - 8;
      Buffer.from(mine.subarray(clockKey, clockKey + 8)).copy(theirs, clockKey);
      expect(mine.length).toBe(theirs.length);
      expect(mine.equals(theirs)).toBe(true);
    }, 60_000);
  }

  for (const codec of ['default', 'deflate'] as const) {
    it(`writes the blocks Flume writes with hdfs.codeC = ${codec} (block compression)`, () => {
      const theirs = flumes('Writable', dir, codec);
      const headerLength = Buffer.concat(ours('Writable', undefined, codec).chunks[0]!).length;
      const marker = Buffer.from(theirs.subarray(headerLength - 16, headerLength));
      const mine = Buffer.concat(ours('Writable', marker, codec).chunks.flat());
      expect(mine.subarray(0, headerLength).equals(theirs.subarray(0, headerLength))).toBe(true);
      // Same blocks (record counts, and each buffer once inflated) where Flume put them; the
      // compressed bytes may differ between Java's zlib and Node's.
      const a = blocks(mine, headerLength, marker);
      const b = blocks(theirs, headerLength, marker);
      expect(a.map((x) => x.count)).toEqual(b.map((x) => x.count));
      expect(a.length).toBeGreaterThan(5);
      const clockBlock = b.findIndex((x) => x.buffers[3]!.includes(Buffer.from('no timestamp: the clock')));
      for (const [i, x] of a.entries()) {
        for (const k of [0, 1, 2, 3]) {
          if (i === clockBlock && k === 1) continue; // the keys of that block hold each writer's clock
          expect(x.buffers[k]!.equals(b[i]!.buffers[k]!), `block ${i} buffer ${k}`).toBe(true);
        }
      }
    }, 60_000);
  }

  it('refuses a timestamp header that is not a Java long, as Flume fails that event', () => {
    const file = new FlumeSequenceFile('Writable', {}, () => NOW);
    file.header();
    for (const bad of ['', ' 1', '1.5', '0x10', '9223372036854775808', '１２']) {
      expect(() => file.append({ headers: { timestamp: bad }, body: Buffer.from('x') }), bad).toThrow(SequenceKeyError);
    }
  });

  it("encodes vints as Hadoop's WritableUtils does", () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [127, '7f'],
      [-112, '90'],
      [128, '8f80'],
      [255, '8fff'],
      [256, '8e0100'],
      [-113, '8770'],
      [65536, '8d010000'],
      [2147483647, '8c7fffffff'],
      [16777216, '8c01000000'],
      [16777215, '8dffffff'],
      [-1, 'ff'],
      [2n ** 40n, '8a010000000000'],
      [-(2n ** 63n), '807fffffffffffffff'],
    ];
    for (const [n, hex] of cases) expect(vint(n).toString('hex'), String(n)).toBe(hex);
  });
});

describe('SequenceFile on a real HDFS, read by Hadoop', () => {
  const cluster = useMiniDfs();

  for (const [format, codec] of [['Writable', undefined], ['Text', undefined], ['Writable', 'default'], ['Text', 'deflate'], ['Writable', 'gzip']] as const) {
    it(`SequenceFile.Reader reads every key and value (writeFormat ${format}, codec ${codec ?? 'none'})`, async () => {
      const path = `/seq/${format}-${codec ?? 'none'}/FlumeData.1.tmp`;
      const { chunks } = ours(format, undefined, codec);
      await cluster.client.create(path, chunks[0]!);
      for (const part of chunks.slice(1)) if (part.length > 0) await cluster.client.append(path, part);
      const read = await hdfsReadSequenceFile(cluster.dfs, path);
      expect(read).toMatchObject({
        keyClass: 'org.apache.hadoop.io.LongWritable',
        valueClass: format === 'Text' ? 'org.apache.hadoop.io.Text' : 'org.apache.hadoop.io.BytesWritable',
        compressed: codec !== undefined,
        blockCompressed: codec !== undefined,
        codec: codec === undefined ? null : `org.apache.hadoop.io.compress.${{ default: 'DefaultCodec', deflate: 'DeflateCodec', gzip: 'GzipCodec' }[codec]}`,
        metadata: {},
      });
      const events = batches().flat();
      expect(read.records.length).toBe(events.length);
      const keyOf = (e: TestEvent) => (e.headers['timestamp'] === undefined ? String(NOW) : String(BigInt(e.headers['timestamp'])));
      expect(read.records.map((r) => r.key)).toEqual(events.map(keyOf));
      for (const [i, e] of events.entries()) expect(read.records[i]!.value.equals(e.body), `record ${i}`).toBe(true);
    }, 120_000);
  }
});

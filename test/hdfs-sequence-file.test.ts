// runtime/lib/sequence-file.ts: byte for byte what Flume 1.11's own HDFSSequenceFile writes (sync
// marker aside, which is random per file), and, written to a real HDFS through WebHDFS, read back
// by Hadoop's SequenceFile.Reader with the exact keys and values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flumeClasspath } from './helpers/flume.js';
import { hdfsReadSequenceFile, startMiniDfs, type MiniDfs } from './helpers/hdfs.js';
import { FlumeSequenceFile, SequenceKeyError, vint, type SequenceWriteFormat } from '../runtime/lib/sequence-file.js';
import { WebHdfsClient } from '../runtime/lib/webhdfs.js';

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
  out.push([ev('7', Buffer.from('last'))]);
  return out;
}

function ours(format: SequenceWriteFormat, marker?: Buffer): { chunks: Buffer[][]; marker: Buffer } {
  const file = new FlumeSequenceFile(format, marker ? { syncMarker: marker } : {}, () => NOW);
  const chunks: Buffer[][] = [[file.header()]];
  for (const batch of batches()) {
    const part: Buffer[] = [];
    for (const e of batch) part.push(...file.append(e));
    part.push(...file.sync());
    chunks.push(part);
  }
  return { chunks, marker: file.syncMarker };
}

function flumes(format: SequenceWriteFormat, dir: string): Buffer {
  const file = join(dir, `flume-${format}.seq`);
  const input = batches()
    .map((b) => [...b.map((e) => `E ${e.headers['timestamp'] ?? '-'} ${e.body.toString('base64')}`), 'S'].join('\n'))
    .join('\n');
  const r = spawnSync('java', ['-Xmx256m', '-cp', flumeClasspath(), 'flowc.peers.SequenceFileWrite', file, format], { input: `${input}\n`, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file);
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
  let dfs: MiniDfs;
  let client: WebHdfsClient;
  beforeAll(async () => {
    dfs = await startMiniDfs();
    client = new WebHdfsClient({ namenodes: `http://127.0.0.1:${dfs.httpPort}`, user: 'flowc' });
  }, 180_000);
  afterAll(async () => {
    client?.close();
    await dfs?.stop();
  }, 60_000);

  for (const format of ['Writable', 'Text'] as const) {
    it(`SequenceFile.Reader reads every key and value (writeFormat ${format})`, async () => {
      const path = `/seq/${format}/FlumeData.1.tmp`;
      const { chunks } = ours(format);
      await client.create(path, chunks[0]!);
      for (const part of chunks.slice(1)) if (part.length > 0) await client.append(path, part);
      const read = await hdfsReadSequenceFile(dfs, path);
      expect(read).toMatchObject({
        keyClass: 'org.apache.hadoop.io.LongWritable',
        valueClass: format === 'Text' ? 'org.apache.hadoop.io.Text' : 'org.apache.hadoop.io.BytesWritable',
        compressed: false,
        blockCompressed: false,
        codec: null,
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

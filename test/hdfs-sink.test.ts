// The hdfs sink against a real HDFS (Hadoop 3.4 MiniDFSCluster on loopback), natively (hdfs://)
// and through WebHDFS (hdfs.webhdfsUrl): buckets and renames, batches readable as soon as they
// commit, SequenceFiles read by Hadoop's SequenceFile.Reader, and the acceptance run: 1,000,000
// events over several rolls and hourly buckets, read back through WebHDFS and listed by
// Hadoop's FileSystem API; SIGKILL and restart of a real agent.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hdfsListTree, hdfsReadSequenceFile, startMiniDfs, type MiniDfs } from './helpers/hdfs.js';
import { WebHdfsClient } from '../runtime/lib/webhdfs.js';
import { ev, hdfsSink, type SinkHarness } from './runtime/hdfs-sink-harness.js';
// @ts-expect-error a plain ESM script without types
import { runCrash } from '../bench/crash.mjs';

const T0 = 1_700_000_000_000; // the fake clock's start: file counters start here
let dfs: MiniDfs;
let client: WebHdfsClient;
let harness: SinkHarness | undefined;

beforeAll(async () => {
  dfs = await startMiniDfs();
  client = new WebHdfsClient({ namenodes: `http://127.0.0.1:${dfs.httpPort}`, user: 'flowc' });
}, 180_000);

afterAll(async () => {
  client?.close();
  await dfs?.stop();
}, 60_000);

afterEach(async () => {
  await harness?.sink.stop();
  harness = undefined;
});

/** hdfs.path on the cluster: the native backend, or WebHDFS with `webhdfs`. */
const at = (path: string, webhdfs = false) =>
  `hdfs.path = "hdfs://127.0.0.1:${dfs.rpcPort}${path}"${webhdfs ? `, hdfs.webhdfsUrl = "http://127.0.0.1:${dfs.httpPort}"` : ''}`;

/** Every file under a directory, by WebHDFS: path → bytes. */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const s of await client.listStatus(d)) {
      const p = `${d}/${s.pathSuffix}`;
      if (s.type === 'DIRECTORY') await walk(p);
      else out.set(p, await client.open(p));
    }
  };
  await walk(dir);
  return out;
}

describe('hdfs sink on a real HDFS (native, and WebHDFS)', () => {
  it.each([
    ['native', false],
    ['WebHDFS', true],
  ] as const)('%s: writes each bucket to its own files, readable as soon as the batch commits, renamed when closed', async (backend, webhdfs) => {
    const t1 = `/t1-${backend}`;
    harness = await hdfsSink(`${at(`${t1}/%{k}`, webhdfs)}, hdfs.fileType = "DataStream", hdfs.rollCount = 3, hdfs.rollSize = 0, hdfs.rollInterval = 0`);
    await harness.put([ev('a1', { k: 'a' }), ev('b1', { k: 'b' }), ev('a2', { k: 'a' }), ev('a3', { k: 'a' }), ev('a4', { k: 'a' })]);
    await harness.drain();
    // Committed: readable at once, in-use files included.
    const files = await readTree(t1);
    expect([...files.keys()].sort()).toEqual([`${t1}/a/FlumeData.${T0 + 1}`, `${t1}/a/FlumeData.${T0 + 2}.tmp`, `${t1}/b/FlumeData.${T0 + 1}.tmp`]);
    expect(files.get(`${t1}/a/FlumeData.${T0 + 1}`)!.toString()).toBe('a1\na2\na3\n');
    expect(files.get(`${t1}/a/FlumeData.${T0 + 2}.tmp`)!.toString()).toBe('a4\n');
    await harness.put([ev('a5', { k: 'a' })]);
    await harness.drain();
    expect((await client.open(`${t1}/a/FlumeData.${T0 + 2}.tmp`)).toString()).toBe('a4\na5\n');
    await harness.sink.stop();
    harness = undefined;
    const tree = await hdfsListTree(dfs, t1);
    expect(tree.filter((e) => e.type === 'FILE').map((e) => `${e.path}:${e.length}`)).toEqual([
      `${t1}/a/FlumeData.${T0 + 1}:9`,
      `${t1}/a/FlumeData.${T0 + 2}:6`,
      `${t1}/b/FlumeData.${T0 + 1}:3`,
    ]);
  }, 120_000);

  // Through WebHDFS, whose every APPEND closes the file so that its length (what SequenceFile.Reader
  // reads up to) covers a file still in use; natively, as with Java Flume's hflush, the namenode's
  // length of an open file lags (the side-by-side test with Flume reads native SequenceFiles closed).
  it("WebHDFS: writes SequenceFiles (Flume's default) that Hadoop's SequenceFile.Reader reads, in use and closed, Writable and Text, and block-compressed with gzip", async () => {
    for (const [format, codec] of [['Writable', ''], ['Text', ''], ['Writable', 'gzip']] as const) {
      const dir = `/seq-${format}${codec}`;
      const ext = codec ? '.gz' : '';
      harness = await hdfsSink(`${at(dir, true)}, hdfs.writeFormat = "${format}", ${codec ? `hdfs.codeC = "${codec}", ` : ''}hdfs.rollCount = 0, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.batchSize = 50`);
      const events = Array.from({ length: 120 }, (_, i) => ev(`event ${i} ${'y'.repeat(i)}`, { timestamp: String(1_600_000_000_000 + i) }));
      await harness.put(events);
      await harness.drain();
      // In use, after three batches: read whole by Hadoop.
      const inUse = await hdfsReadSequenceFile(dfs, `${dir}/FlumeData.${T0 + 1}${ext}.tmp`);
      expect(inUse.blockCompressed).toBe(codec !== '');
      if (codec) expect(inUse.codec).toBe('org.apache.hadoop.io.compress.GzipCodec');
      expect(inUse.keyClass).toBe('org.apache.hadoop.io.LongWritable');
      expect(inUse.valueClass).toBe(format === 'Text' ? 'org.apache.hadoop.io.Text' : 'org.apache.hadoop.io.BytesWritable');
      expect(inUse.records.map((r) => [r.key, r.value.toString()])).toEqual(events.map((e) => [e.headers['timestamp'], e.body.toString()]));
      await harness.sink.stop();
      harness = undefined;
      expect((await hdfsReadSequenceFile(dfs, `${dir}/FlumeData.${T0 + 1}${ext}`)).records).toHaveLength(120);
    }
  }, 120_000);

  it('acceptance: 1,000,000 events over several rolls and %Y/%m/%d/%H buckets, every one where its timestamp puts it, none lost', async () => {
    const total = 1_000_000;
    const batch = 10_000;
    const base = Date.UTC(2024, 0, 31, 21, 30); // crosses midnight, a month end and hours
    const stepMs = 20; // 1,000,000 events over 5 h 33 min
    harness = await hdfsSink(
      `${at('/accept/%Y/%m/%d/%H')}, hdfs.timeZone = "UTC", hdfs.filePrefix = "events", hdfs.fileType = "DataStream", hdfs.rollCount = 100000, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.batchSize = ${batch}`,
      { capacity: batch },
    );
    for (let first = 0; first < total; first += batch) {
      const events = [];
      for (let i = first; i < first + batch; i++) events.push(ev(`seq ${i}`, { timestamp: String(base + i * stepMs) }));
      await harness.put(events);
      expect(await harness.sink.process()).toBe('READY');
    }
    await harness.sink.stop();
    harness = undefined;

    const files = await readTree('/accept');
    const seen = new Uint8Array(total);
    let lines = 0;
    const pad = (n: number) => String(n).padStart(2, '0');
    for (const [path, bytes] of files) {
      expect(path).toMatch(/^\/accept\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/events\.\d+$/);
      const dir = path.slice(0, path.lastIndexOf('/'));
      for (const line of bytes.toString('latin1').split('\n')) {
        if (line === '') continue;
        const n = Number(/^seq (\d+)$/.exec(line)![1]);
        const d = new Date(base + n * stepMs);
        expect(dir).toBe(`/accept/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}`);
        seen[n]!++;
        lines++;
      }
    }
    expect(lines).toBe(total);
    expect(seen.every((c) => c === 1)).toBe(true);
    const hours = new Set([...files.keys()].map((p) => p.split('/').slice(2, 6).join('/')));
    expect(hours.size).toBe(7); // 21:30 to 03:03: 21h-23h on Jan 31, 00h-03h on Feb 1
    expect(files.size).toBeGreaterThanOrEqual(hours.size + 5); // rolled by count within hours too
    // Hadoop's own FileSystem API lists the same files with the same lengths.
    const listed = (await hdfsListTree(dfs, '/accept')).filter((e) => e.type === 'FILE');
    expect(new Map(listed.map((e) => [e.path, e.length]))).toEqual(new Map([...files].map(([p, b]) => [p, b.length])));
  }, 600_000);

  it('SIGKILL mid-run and restart (flowc run: http → file channel → hdfs, hourly buckets): no acknowledged event lost, every file whole', async () => {
    const lines: string[] = [];
    const r = await runCrash({
      cycles: 4,
      scenario: 'http',
      sink: 'hdfs',
      hdfsPath: `hdfs://127.0.0.1:${dfs.rpcPort}/crash`,
      readFiles: async () => [...(await readTree('/crash'))].map(([path, bytes]) => ({ name: path.slice('/crash/'.length), text: bytes.toString('latin1') })),
      log: (line: string) => lines.push(line),
    });
    expect(r, lines.join('\n')).toMatchObject({ kills: 4, lost: 0, ok: true });
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.files.renamed).toBeGreaterThan(0);
  }, 300_000);
});

// Side by side on one real HDFS (Hadoop 3.4 MiniDFSCluster): Apache Flume 1.11's hdfs sink and
// flowc's, given the same events (fixed timestamp headers, two hosts), the same escapes
// (%{host}, %Y-%m-%d, %H%M rounded down to 30 minutes in America/New_York, an escaped prefix),
// the same rolling, each under its own root (flowc's written natively, as Flume's, to the same hdfs:// address). Both must produce the same directories, the same
// file names (prefix, counter, suffix; Flume's counters start at the time each bucket opened,
// so they are compared as their order within the bucket) and the same contents in each file:
// DataStream text byte for byte, CompressedStream gzip once decompressed, SequenceFiles (plain
// and block-compressed) record for record as Hadoop's SequenceFile.Reader reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { headersOf, makeEvent, type Event } from '../runtime/core/event.js';
import { WebHdfsClient } from '../runtime/lib/webhdfs.js';
import { compileBucketPath } from '../runtime/lib/bucket-path.js';
import { runFlumeHdfsSink } from './helpers/flume-hdfs.js';
import { hdfsListTree, hdfsReadSequenceFiles, startMiniDfs, type MiniDfs } from './helpers/hdfs.js';
import { hdfsSink } from './runtime/hdfs-sink-harness.js';

// 2023-11-05T02:00:00Z (22:00 in New York) on: 3,000 events 7.3 s apart, six hours over
// midnight and over the end of daylight saving time (01:00–02:00 happens twice that night).
const START = Date.UTC(2023, 10, 5, 2, 0, 0);
function events(n: number): Event[] {
  return Array.from({ length: n }, (_, i) =>
    makeEvent(
      `event ${i} ${'x'.repeat(i % 37)}`,
      headersOf({
        timestamp: String(START + i * 7300),
        host: i % 3 ? 'web1' : 'web2',
      }),
    ),
  );
}

/** The sink's settings, the same for both: the path under each one's root. */
function settings(root: string, extra: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return {
    'hdfs.path': `${root}/%{host}/%Y-%m-%d/%H%M`,
    'hdfs.filePrefix': '%{host}-events',
    'hdfs.fileSuffix': '.log',
    'hdfs.inUsePrefix': '_',
    'hdfs.round': true,
    'hdfs.roundValue': 30,
    'hdfs.roundUnit': 'minute',
    'hdfs.timeZone': 'America/New_York',
    'hdfs.rollCount': 250,
    'hdfs.rollSize': 0,
    'hdfs.rollInterval': 0,
    'hdfs.batchSize': 100,
    ...extra,
  };
}

/**
 * Every file under `root`: its bucket (the directory under the root), its name with the counter
 * replaced by its rank among the bucket's counters, and its full path.
 */
async function layout(dfs: MiniDfs, root: string): Promise<{ bucket: string; name: string; path: string }[]> {
  const files = (await hdfsListTree(dfs, root)).filter((e) => e.type === 'FILE');
  const parsed = files.map((f) => {
    const rel = f.path.slice(root.length + 1);
    const slash = rel.lastIndexOf('/');
    const bucket = rel.slice(0, slash);
    const base = rel.slice(slash + 1);
    const m = /^(.*?)\.(\d+)(.*)$/.exec(base);
    if (!m) throw new Error(`unexpected file name ${f.path}`);
    return {
      bucket,
      prefix: m[1]!,
      counter: BigInt(m[2]!),
      suffix: m[3]!,
      path: f.path,
    };
  });
  return parsed
    .map((f) => {
      const counters = parsed
        .filter((g) => g.bucket === f.bucket)
        .map((g) => g.counter)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        bucket: f.bucket,
        name: `${f.prefix}.<${counters.indexOf(f.counter)}>${f.suffix}`,
        path: f.path,
      };
    })
    .sort((a, b) => (a.bucket + a.name < b.bucket + b.name ? -1 : 1));
}

function flowValue(v: string | number | boolean): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

async function runFlowc(dfs: MiniDfs, props: Record<string, string | number | boolean>, sent: Event[]): Promise<void> {
  const withCluster = {
    ...props,
    // The same address as Flume's: written natively (Hadoop RPC and DataTransferProtocol).
    'hdfs.path': `hdfs://127.0.0.1:${dfs.rpcPort}${String(props['hdfs.path'])}`,
  };
  const harness = await hdfsSink(
    Object.entries(withCluster)
      .map(([k, v]) => `${k} = ${flowValue(v)}`)
      .join(', '),
  );
  try {
    // As Flume's avro source put them: batches of 100 into the channel, the sink taking its batches.
    for (let i = 0; i < sent.length; i += 100) {
      await harness.put(sent.slice(i, i + 100));
      expect(await harness.drain()).toEqual([]);
    }
  } finally {
    await harness.sink.stop();
  }
}

describe("flowc's hdfs sink next to Flume 1.11's, on the same HDFS", () => {
  let dfs: MiniDfs;
  let client: WebHdfsClient;
  beforeAll(async () => {
    dfs = await startMiniDfs();
    client = new WebHdfsClient({
      namenodes: `http://127.0.0.1:${dfs.httpPort}`,
      user: 'flowc',
    });
  }, 180_000);
  afterAll(async () => {
    client?.close();
    await dfs?.stop();
  }, 60_000);

  it('DataStream text: same buckets, same file names, same bytes in each file', async () => {
    const sent = events(3000);
    const extra = { 'hdfs.fileType': 'DataStream' };
    await runFlumeHdfsSink({
      dfs,
      sink: Object.fromEntries(Object.entries(settings('/flume-ds', extra)).map(([k, v]) => [k, String(v)])),
      events: sent,
    });
    await runFlowc(dfs, settings('/flowc-ds', extra), sent);

    const theirs = await layout(dfs, '/flume-ds');
    const ours = await layout(dfs, '/flowc-ds');
    expect(theirs.length).toBeGreaterThan(20);
    expect(ours.map((f) => `${f.bucket}/${f.name}`)).toEqual(theirs.map((f) => `${f.bucket}/${f.name}`));
    // Spot checks of the layout itself: New York's wall clock, rounded to 30 minutes, escaped prefix.
    expect(theirs.map((f) => `${f.bucket}/${f.name}`)).toContain('web2/2023-11-04/2200/web2-events.<0>.log');
    expect(theirs.map((f) => f.bucket)).toContain('web1/2023-11-05/0130');
    expect(theirs.map((f) => f.bucket)).toContain('web1/2023-11-05/0300');
    for (const [i, f] of theirs.entries()) {
      const [a, b] = await Promise.all([client.open(f.path), client.open(ours[i]!.path)]);
      expect(b.equals(a), `${ours[i]!.path} vs ${f.path}`).toBe(true);
    }
  }, 600_000);

  it("CompressedStream gzip: same names; each file the bucket's events, gzip -dc reading Flume's as far as it can", async () => {
    const sent = events(900);
    const extra = { 'hdfs.fileType': 'CompressedStream', 'hdfs.codeC': 'gzip' };
    await runFlumeHdfsSink({
      dfs,
      sink: Object.fromEntries(Object.entries(settings('/flume-gz', extra)).map(([k, v]) => [k, String(v)])),
      events: sent,
    });
    await runFlowc(dfs, settings('/flowc-gz', extra), sent);
    const theirs = await layout(dfs, '/flume-gz');
    const ours = await layout(dfs, '/flowc-gz');
    // hdfs.fileSuffix takes the place of the codec's extension (.gz), in Flume and in flowc.
    expect(theirs.every((f) => f.name.endsWith('.log'))).toBe(true);
    expect(ours.map((f) => `${f.bucket}/${f.name}`)).toEqual(theirs.map((f) => `${f.bucket}/${f.name}`));
    // Each file holds its bucket's events in order, 250 to a file (rollCount), as gzip members.
    const bucketOf = compileBucketPath('%{host}/%Y-%m-%d/%H%M', { timeZone: 'America/New_York', round: { unit: 'minute', value: 30 } });
    for (const [i, f] of ours.entries()) {
      const inBucket = sent.filter((e) => bucketOf(e.headers) === f.bucket);
      const rank = Number(/<(\d+)>/.exec(f.name)![1]);
      const text = inBucket.slice(rank * 250, rank * 250 + 250).map((e) => `${e.body.toString()}\n`).join('');
      expect(gunzipSync(await client.open(f.path)).toString(), f.path).toBe(text);
      // Flume 1.11 here runs Hadoop 2.10's Java gzip (no native libraries), which after the
      // first flush writes deflate data without gzip headers: gzip -dc reads its first batch
      // and calls the rest trailing garbage. That first batch is where ours starts.
      const flume = spawnSync('gzip', ['-dc'], { input: await client.open(theirs[i]!.path) });
      expect(flume.stdout.length).toBeGreaterThan(0);
      expect(text.startsWith(flume.stdout.toString()), theirs[i]!.path).toBe(true);
    }
  }, 600_000);

  for (const codec of [undefined, 'default'] as const) {
    it(`SequenceFile (the default${codec ? `, block-compressed with codeC ${codec}` : ''}): same names, and the same keys and values read by Hadoop`, async () => {
      const sent = events(600);
      const extra = {
        'hdfs.rollCount': 100,
        ...(codec ? { 'hdfs.codeC': codec } : {}),
      };
      const root = codec ? `seq-${codec}` : 'seq';
      await runFlumeHdfsSink({
        dfs,
        sink: Object.fromEntries(Object.entries(settings(`/flume-${root}`, extra)).map(([k, v]) => [k, String(v)])),
        events: sent,
      });
      await runFlowc(dfs, settings(`/flowc-${root}`, extra), sent);
      const theirs = await layout(dfs, `/flume-${root}`);
      const ours = await layout(dfs, `/flowc-${root}`);
      expect(ours.map((f) => `${f.bucket}/${f.name}`)).toEqual(theirs.map((f) => `${f.bucket}/${f.name}`));
      const [theirFiles, ourFiles] = await Promise.all([hdfsReadSequenceFiles(dfs, `/flume-${root}`), hdfsReadSequenceFiles(dfs, `/flowc-${root}`)]);
      expect(theirFiles.size).toBe(theirs.length);
      for (const [i, f] of theirs.entries()) {
        const a = theirFiles.get(f.path)!;
        const b = ourFiles.get(ours[i]!.path)!;
        expect(a.records.length).toBeGreaterThan(0);
        expect({
          ...b,
          records: b.records.map((r) => `${r.key} ${r.value.toString('base64')}`),
        }).toEqual({
          ...a,
          records: a.records.map((r) => `${r.key} ${r.value.toString('base64')}`),
        });
      }
    }, 600_000);
  }
});

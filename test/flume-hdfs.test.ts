// Real Flume 1.11's hdfs sink (Hadoop 2.10 client) writing into Hadoop 3.4's MiniDFSCluster:
// the reference for flowc's hdfs sink. Events with fixed timestamp headers land in their
// %Y/%m/%d/%H buckets, under Flume's names, every file closed and renamed at stop.
import { describe, expect, it } from 'vitest';
import { headersOf, makeEvent, type Event } from '../runtime/core/event.js';
import { runFlumeHdfsSink } from './helpers/flume-hdfs.js';
import { hdfsListTree, hdfsReadSequenceFile, useMiniDfs } from './helpers/hdfs.js';

// 2023-11-14T22:00:00Z, then one event every 5.4 s: 2,000 events over three hours.
const START = Date.UTC(2023, 10, 14, 22, 0, 0);
function events(n: number): Event[] {
  return Array.from({ length: n }, (_, i) => makeEvent(`event ${i} ${'x'.repeat(i % 50)}`, headersOf({ timestamp: String(START + i * 5400), host: i % 2 ? 'web1' : 'web2' })));
}

function bucketOf(e: Event): string {
  const d = new Date(Number(e.headers['timestamp']));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

describe("real Flume's hdfs sink on the MiniDFSCluster", () => {
  const cluster = useMiniDfs();

  it('writes DataStream files into %Y/%m/%d/%H buckets, rolled by count, closed and renamed at stop', async () => {
    const sent = events(2000);
    const run = await runFlumeHdfsSink({
      dfs: cluster.dfs,
      sink: {
        'hdfs.path': '/flume/text/%Y/%m/%d/%H',
        'hdfs.filePrefix': 'events',
        'hdfs.fileSuffix': '.log',
        'hdfs.fileType': 'DataStream',
        'hdfs.timeZone': 'UTC',
        'hdfs.rollCount': '300',
        'hdfs.rollSize': '0',
        'hdfs.rollInterval': '0',
        'hdfs.batchSize': '100',
      },
      events: sent,
    });
    expect(run.sink['EventDrainSuccessCount']).toBe('2000');

    const tree = await hdfsListTree(cluster.dfs, '/flume/text');
    const files = tree.filter((e) => e.type === 'FILE');
    expect(files.filter((f) => f.path.endsWith('.tmp'))).toEqual([]);
    const byBucket = new Map<string, Event[]>();
    for (const e of sent) byBucket.set(bucketOf(e), [...(byBucket.get(bucketOf(e)) ?? []), e]);
    expect([...new Set(files.map((f) => f.path.replace(/\/[^/]+$/, '')))].sort()).toEqual([...byBucket.keys()].map((b) => `/flume/text/${b}`).sort());

    for (const [bucket, inBucket] of byBucket) {
      const names = files.filter((f) => f.path.startsWith(`/flume/text/${bucket}/`)).map((f) => f.path.split('/').pop()!);
      // Flume's names: prefix, a counter that starts at the sink's start time in ms, suffix.
      for (const n of names) expect(n).toMatch(/^events\.\d{13,}\.log$/);
      expect(names.length).toBe(Math.ceil(inBucket.length / 300));
      const counters = names.map((n) => BigInt(n.split('.')[1]!)).sort((a, b) => (a < b ? -1 : 1));
      // In name order, the files hold the bucket's events in order, text serializer: body + "\n".
      let text = '';
      for (const c of counters) text += (await cluster.client.open(`/flume/text/${bucket}/events.${c}.log`)).toString();
      expect(text).toBe(inBucket.map((e) => `${e.body.toString()}\n`).join(''));
    }
  }, 300_000);

  it('writes SequenceFiles (the default fileType) with LongWritable timestamps and BytesWritable bodies', async () => {
    const sent = events(250);
    await runFlumeHdfsSink({
      dfs: cluster.dfs,
      sink: { 'hdfs.path': '/flume/seq/%{host}', 'hdfs.rollCount': '0', 'hdfs.rollSize': '0', 'hdfs.rollInterval': '0', 'hdfs.batchSize': '50' },
      events: sent,
    });
    for (const host of ['web1', 'web2']) {
      const files = (await hdfsListTree(cluster.dfs, `/flume/seq/${host}`)).filter((e) => e.type === 'FILE');
      expect(files.map((f) => f.path.split('/').pop())).toEqual([expect.stringMatching(/^FlumeData\.\d{13,}$/)]);
      const read = await hdfsReadSequenceFile(cluster.dfs, files[0]!.path);
      expect(read.keyClass).toBe('org.apache.hadoop.io.LongWritable');
      expect(read.valueClass).toBe('org.apache.hadoop.io.BytesWritable');
      const mine = sent.filter((e) => e.headers['host'] === host);
      expect(read.records.map((r) => r.key)).toEqual(mine.map((e) => e.headers['timestamp']));
      expect(read.records.map((r) => r.value.toString())).toEqual(mine.map((e) => e.body.toString()));
    }
  }, 300_000);
});

// The HDFS side of bench/runtime.bench.mjs: a real HDFS (Hadoop 3.4 MiniDFSCluster from
// test/peers), Apache Flume 1.11's own hdfs sink writing into it, and the raw WebHDFS baselines
// (plain uploads of the same bytes with runtime/lib/webhdfs.js, no agent around them).
//
//   node bench/runtime/hdfs-peers.mjs [--events N] [--batch N] [--body N]   (after npm run build)
//
// prints the three figures as JSON. The memory → hdfs case of the runtime bench imports these
// functions so that flowc's sink is measured on the same cluster, in the same run.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT, freePort, now, pollUntil, spawnTracked } from './harness.mjs';
import { flumeSourceUp, rpcLoad } from './avro.mjs';
import { startFlume } from './flume.mjs';

const HDFS_PEER = join(ROOT, 'test/peers/.cache/hdfs');

/** Starts a MiniDFSCluster (one namenode, one datanode, loopback); resolves with its ports and stop(). */
export async function startMiniDfs(dir) {
  if (!existsSync(join(HDFS_PEER, 'stamp'))) throw new Error(`Hadoop's MiniDFSCluster (the HDFS test peer) is not installed in ${HDFS_PEER}: run bash test/peers/install.sh`);
  mkdirSync(dir, { recursive: true });
  const cp = [join(HDFS_PEER, 'classes'), join(HDFS_PEER, 'lib', '*')].join(delimiter);
  const p = spawnTracked('java', ['-Xmx512m', '-cp', cp, 'flowc.peers.MiniDfs', dir], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  p.proc.stdout.setEncoding('utf8');
  const ports = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`MiniDFSCluster did not start in 120 s: ${p.stderr()}`)), 120_000);
    p.proc.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{') && out.includes('\n'));
      if (line) {
        clearTimeout(t);
        resolve(JSON.parse(line));
      }
    });
    p.proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`MiniDFSCluster exited (${code}): ${p.stderr()}`));
    });
  });
  return { ...ports, pid: p.pid, stop: async () => { await p.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * Apache Flume 1.11: avro source → memory (capacity 100,000, keep-alive 30 s) → hdfs sink
 * (DataStream, text serializer, one file per run: no rolling), fed by `threads` of Flume's
 * RpcClients at once with `events` bodies of `body` bytes in appendBatch calls of `batch`;
 * measured from the first batch until the sink has taken every event. MB/s counts event bodies
 * (10^6 bytes).
 */
export async function flumeHdfsRun(dfs, tmp, { events, batch, body, run = 0, threads = 1 }) {
  const port = await freePort();
  const props = `a.sources = r
a.channels = c
a.sinks = k
a.sources.r.type = avro
a.sources.r.bind = 127.0.0.1
a.sources.r.port = ${port}
a.sources.r.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 100000
a.channels.c.transactionCapacity = ${Math.max(1000, batch)}
a.channels.c.keep-alive = 30
a.sinks.k.type = hdfs
a.sinks.k.channel = c
a.sinks.k.hdfs.path = hdfs://127.0.0.1:${dfs.rpcPort}/bench/flume-${run}/%Y-%m-%d
a.sinks.k.hdfs.useLocalTimeStamp = true
a.sinks.k.hdfs.fileType = DataStream
a.sinks.k.hdfs.batchSize = ${batch}
a.sinks.k.hdfs.rollCount = 0
a.sinks.k.hdfs.rollSize = 0
a.sinks.k.hdfs.rollInterval = 0
a.sinks.k.hdfs.minBlockReplicas = 1
`;
  const flume = await startFlume(join(tmp, `flume-hdfs-${run}`), props, { ready: flumeSourceUp(port) });
  try {
    const t0 = now();
    const c0 = flume.cpuMs();
    await rpcLoad(port, events, batch, threads);
    const { t } = await pollUntil(flume, (m) => Number(m['SINK.k']?.EventDrainSuccessCount ?? 0) >= events, { everyMs: 20, timeoutMs: 600_000, what: "Flume's hdfs sink to take every event" });
    const ms = t - t0;
    return { ms, eventsPerSec: (events / ms) * 1000, mbPerSec: (events * body) / ms / 1000, cpuUsPerEvent: ((flume.cpuMs() - c0) * 1000) / events, ...flume.memory() };
  } finally {
    await flume.stop();
  }
}

/**
 * Writes a little through WebHDFS before anything is measured: a freshly started cluster takes
 * seconds over its first block allocations and appends (the namenode's and datanode's JIT), which
 * would otherwise fall on whichever run comes first.
 */
export async function warmUpDfs(dfs) {
  const { WebHdfsClient } = await import(join(ROOT, 'dist/runtime/lib/webhdfs.js'));
  const client = new WebHdfsClient({ namenodes: `http://127.0.0.1:${dfs.httpPort}`, user: 'bench' });
  const bytes = Buffer.alloc(4 * 1024 * 1024, 0x61);
  try {
    for (let i = 0; i < 3; i++) {
      await client.create(`/warm-up/${i}`, [bytes]);
      for (let j = 0; j < 3; j++) await client.append(`/warm-up/${i}`, bytes);
      await client.rename(`/warm-up/${i}`, `/warm-up/${i}.done`);
    }
  } finally {
    await client.delete('/warm-up', { recursive: true }).catch(() => undefined);
    client.close();
  }
}

/**
 * The raw WebHDFS baselines for `events` lines of `body` bytes + LF: `create` uploads them all in
 * one CREATE (the most WebHDFS carries); `append` CREATEs a file and APPENDs one batch of `batch`
 * lines at a time, each acknowledged before the next (what per-batch durability costs), for at
 * most `appendSeconds`. MB/s counts the bodies, as for the agents.
 */
export async function rawWebHdfsRuns(dfs, { events, batch, body, appendSeconds = 20, run = 0 }) {
  const { WebHdfsClient } = await import(join(ROOT, 'dist/runtime/lib/webhdfs.js'));
  const client = new WebHdfsClient({ namenodes: `http://127.0.0.1:${dfs.httpPort}`, user: 'bench' });
  const line = Buffer.alloc(body + 1, 0x61);
  line[body] = 0x0a;
  const batchBytes = Buffer.concat(Array.from({ length: batch }, () => line));
  try {
    const chunks = Array.from({ length: Math.ceil(events / batch) }, () => batchBytes);
    let t0 = now();
    await client.create(`/bench/raw-${run}/all`, chunks);
    const createMs = now() - t0;
    const n = chunks.length * batch;
    await client.create(`/bench/raw-${run}/batches`);
    t0 = now();
    let appended = 0;
    while (appended < chunks.length && now() - t0 < appendSeconds * 1000) {
      await client.append(`/bench/raw-${run}/batches`, batchBytes);
      appended++;
    }
    const appendMs = now() - t0;
    const m = appended * batch;
    return {
      create: { ms: createMs, eventsPerSec: (n / createMs) * 1000, mbPerSec: (n * body) / createMs / 1000 },
      append: { ms: appendMs, batches: appended, eventsPerSec: (m / appendMs) * 1000, mbPerSec: (m * body) / appendMs / 1000, msPerAppend: appendMs / appended },
    };
  } finally {
    await client.delete(`/bench/raw-${run}`, { recursive: true }).catch(() => undefined);
    client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const opts = { events: arg('--events', 500_000), batch: arg('--batch', 1000), body: arg('--body', 256) };
  const tmp = mkdtempSync(join(tmpdir(), 'flowc-hdfs-bench-'));
  const dfs = await startMiniDfs(join(tmp, 'dfs'));
  try {
    await warmUpDfs(dfs);
    const raw = await rawWebHdfsRuns(dfs, opts);
    const flume = await flumeHdfsRun(dfs, tmp, opts);
    process.stdout.write(`${JSON.stringify({ ...opts, flume, raw }, null, 1)}\n`);
  } finally {
    await dfs.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

// The memory → hdfs cases of bench/runtime.bench.mjs (DataStream, text serializer, 256-byte
// bodies, batchSize 1,000, no rolling). MB/s = event-body bytes (10^6) per second.
//
// The sink is measured draining its memory channel, not behind a load generator: an agent fed
// over the network measures the load (one RpcClient offers ~34 MB/s on a quiet machine, a local
// disk takes 600 MB/s with an fdatasync per 1,000 lines). So:
// - sink alone (both places): bench/runtime/hdfs-drain.mjs, a process that fills a real memory
//   channel with every event, then runs the real hdfs sink on it until drained and stopped;
// - a local directory: beside plain sequential writes of the same bytes (one write per batch;
//   and one write + fdatasync per batch, what durability per batch costs on that disk);
// - a real HDFS (Hadoop 3.4 MiniDFSCluster), the sink writing hdfs:// natively (Hadoop RPC and
//   DataTransferProtocol, a transaction group durable after one hflush), and once more through
//   WebHDFS (hdfs.webhdfsUrl): beside plain WebHDFS uploads of the same bytes (all in one CREATE;
//   one APPEND per batch), and flowc (natively) against Apache Flume 1.11's
//   own hdfs sink on the same cluster and the same load: avro source → memory (capacity 100,000,
//   keep-alive 30 s) → hdfs, fed by `RPC_THREADS` of Flume's RpcClients at once (more than either
//   sink takes, so the channel holds a backlog and the sink sets the pace), timed from the first
//   batch until the sink committed every event. The cluster is warmed up first (warmUpDfs).
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildBundle, freePort, now, pollUntil, spawnTracked, startAgent } from './harness.mjs';
import { rpcLoad } from './avro.mjs';
import { flumeHdfsRun, rawWebHdfsRuns, startMiniDfs, warmUpDfs } from './hdfs-peers.mjs';

const BODY = 256;
const BATCH = 1000;
/** RpcClients at once in the agent runs (each on its own connection, one batch in flight). */
export const RPC_THREADS = 4;

const drained = (m) => Number(m['SINK.k']?.EventDrainSuccessCount ?? 0);

/** flowc's hdfs sink alone, draining a filled memory channel (bench/runtime/hdfs-drain.mjs). */
async function drainRun(events, path, webhdfs) {
  const args = [join(ROOT, 'bench/runtime/hdfs-drain.mjs'), '--events', String(events), '--batch', String(BATCH), '--path', path];
  if (webhdfs) args.push('--webhdfs', webhdfs);
  const p = spawnTracked(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.proc.stdout.setEncoding('utf8');
  p.proc.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => p.proc.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`hdfs-drain exited ${code}: ${p.stderr()}`);
  return JSON.parse(line);
}

/** avro → memory → hdfs as an agent (a bundle), fed by RPC_THREADS RpcClients. */
async function agentRun(tmp, name, sinkProps, events) {
  const port = await freePort();
  const { bundle } = buildBundle(
    tmp,
    name,
    `agent ${name} {
  source r : avro { bind = "127.0.0.1", port = ${port} }
  channel c : memory { capacity = 100_000, transactionCapacity = ${BATCH}, keep-alive = 30s }
  sink k : hdfs { ${sinkProps}, hdfs.fileType = "DataStream", hdfs.batchSize = ${BATCH}, hdfs.rollCount = 0, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.useLocalTimeStamp = true }
  r -> c -> k
}
`,
  );
  const agent = await startAgent([bundle]);
  try {
    const c0 = agent.cpuMs();
    const t0 = now();
    await rpcLoad(port, events, BATCH, RPC_THREADS);
    const { t } = await pollUntil(agent, (m) => drained(m) >= events, { everyMs: 20, timeoutMs: 600_000, what: 'the sink to commit every event' });
    const ms = t - t0;
    return { ms, eventsPerSec: (events / ms) * 1000, mbPerSec: (events * BODY) / ms / 1000, cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / events, ...agent.memory() };
  } finally {
    await agent.stop();
  }
}

/** Plain sequential writes of the same lines, a batch per write; with `sync`, fdatasync after each. */
function rawLocal(dir, events, sync) {
  mkdirSync(dir, { recursive: true });
  const line = Buffer.alloc(BODY + 1, 0x61);
  line[BODY] = 0x0a;
  const batch = Buffer.concat(Array.from({ length: BATCH }, () => line));
  const path = join(dir, sync ? 'raw-sync' : 'raw');
  const fd = openSync(path, 'w');
  const t0 = now();
  try {
    for (let n = 0; n < events; n += BATCH) {
      writeSync(fd, batch);
      if (sync) fdatasyncSync(fd);
    }
  } finally {
    closeSync(fd);
  }
  const ms = now() - t0;
  rmSync(path, { force: true });
  return { ms, eventsPerSec: (events / ms) * 1000, mbPerSec: (events * BODY) / ms / 1000 };
}

const best = (xs) => xs.reduce((a, b) => (b.mbPerSec > a.mbPerSec ? b : a));

/** memory → hdfs on a local path: the sink draining its channel, beside plain writes. */
export async function hdfsLocalCase(tmp, events, runs) {
  const sinkRuns = [];
  const raw = [];
  const rawSync = [];
  for (let run = 0; run < runs; run++) {
    const out = join(tmp, `hdfs-local-${run}`);
    sinkRuns.push(await drainRun(events, out));
    rmSync(out, { recursive: true, force: true });
    raw.push(rawLocal(join(tmp, 'raw-local'), events, false));
    rawSync.push(rawLocal(join(tmp, 'raw-local'), events, true));
  }
  return { agent: best(sinkRuns), all: sinkRuns, raw: best(raw), rawSync: best(rawSync), events };
}

/**
 * memory → hdfs on a MiniDFSCluster: the sink draining its channel natively (and through WebHDFS)
 * beside raw WebHDFS uploads; and flowc's agent (natively) beside Flume's on the same load.
 */
export async function hdfsWebHdfsCase(tmp, events, runs, { flume = true } = {}) {
  const dfs = await startMiniDfs(join(tmp, 'dfs'));
  const webhdfs = `http://127.0.0.1:${dfs.httpPort}`;
  try {
    await warmUpDfs(dfs);
    const sinkRuns = [];
    const webHdfsRuns = [];
    const agentRuns = [];
    const raw = [];
    const flumeRuns = [];
    for (let run = 0; run < runs; run++) {
      sinkRuns.push(await drainRun(events, `hdfs://127.0.0.1:${dfs.rpcPort}/bench/sink-${run}/%Y-%m-%d`));
      webHdfsRuns.push(await drainRun(events, `hdfs://127.0.0.1:${dfs.rpcPort}/bench/sink-web-${run}/%Y-%m-%d`, webhdfs));
      agentRuns.push(await agentRun(tmp, `hdfsnative${run}`, `hdfs.path = "hdfs://127.0.0.1:${dfs.rpcPort}/bench/flowc-${run}/%Y-%m-%d"`, events));
      raw.push(await rawWebHdfsRuns(dfs, { events, batch: BATCH, body: BODY, appendSeconds: 20, run }));
      if (flume) flumeRuns.push(await flumeHdfsRun(dfs, tmp, { events, batch: BATCH, body: BODY, run, threads: RPC_THREADS }));
    }
    return {
      agent: best(sinkRuns),
      all: sinkRuns,
      viaWebHdfs: best(webHdfsRuns),
      agentLoaded: best(agentRuns),
      allLoaded: agentRuns,
      rawCreate: best(raw.map((r) => r.create)),
      rawAppend: best(raw.map((r) => r.append)),
      flume: flumeRuns.length > 0 ? best(flumeRuns) : undefined,
      events,
    };
  } finally {
    await dfs.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const tmp = mkdtempSync(join(tmpdir(), 'flowc-hdfs-case-'));
  try {
    const events = Number(arg('--events', '500000'));
    const which = arg('--only', 'local,webhdfs').split(',');
    const out = {};
    if (which.includes('local')) out.local = await hdfsLocalCase(tmp, events, 1);
    if (which.includes('webhdfs')) out.webhdfs = await hdfsWebHdfsCase(tmp, events, 1, { flume: !process.argv.includes('--no-flume') });
    process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

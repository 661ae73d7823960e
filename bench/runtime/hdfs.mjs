// The memory → hdfs cases of bench/runtime.bench.mjs: avro source → memory → hdfs sink
// (DataStream, text serializer, batchSize 1,000, no rolling), fed by Flume's own RpcClient
// (appendBatch of 1,000 256-byte bodies), timed from the first batch until the sink has
// committed every event (SINK.k EventDrainSuccessCount). Two places, each beside its raw
// baseline measured in the same run:
// - a real HDFS (Hadoop 3.4 MiniDFSCluster) through WebHDFS, beside plain WebHDFS uploads of
//   the same bytes (one CREATE; one APPEND per batch) and Apache Flume 1.11's own hdfs sink on
//   the same cluster and load (bench/runtime/hdfs-peers.mjs);
// - a local directory, beside plain sequential writes of the same bytes (one write per batch;
//   and one write + fdatasync per batch, what durability per batch costs on that disk), and the
//   same agent and load with a null sink (what the load itself reaches).
// MB/s = event-body bytes (10^6) per second.
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle, freePort, now, pollUntil, startAgent } from './harness.mjs';
import { rpcLoad } from './avro.mjs';
import { flumeHdfsRun, rawWebHdfsRuns, startMiniDfs } from './hdfs-peers.mjs';

const BODY = 256;
const BATCH = 1000;

const drained = (m) => Number(m['CHANNEL.c']?.EventTakeSuccessCount ?? 0);

/** The agent with the hdfs sink (`sinkProps`), or with a null sink: the load's own ceiling. */
async function agentRun(tmp, name, sinkProps, events) {
  const port = await freePort();
  const sink = sinkProps
    ? `hdfs { ${sinkProps}, hdfs.fileType = "DataStream", hdfs.batchSize = ${BATCH}, hdfs.rollCount = 0, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.useLocalTimeStamp = true }`
    : `null { batchSize = ${BATCH} }`;
  const { bundle } = buildBundle(
    tmp,
    name,
    `agent ${name} {
  source r : avro { bind = "127.0.0.1", port = ${port} }
  channel c : memory { capacity = 100_000, transactionCapacity = ${BATCH} }
  sink k : ${sink}
  r -> c -> k
}
`,
  );
  const agent = await startAgent([bundle]);
  try {
    const c0 = agent.cpuMs();
    const t0 = now();
    await rpcLoad(port, events, BATCH);
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

/** memory → hdfs on a local path, beside plain writes. */
export async function hdfsLocalCase(tmp, events, runs) {
  const agentRuns = [];
  const raw = [];
  const rawSync = [];
  const load = [];
  for (let run = 0; run < runs; run++) {
    const out = join(tmp, `hdfs-local-${run}`);
    agentRuns.push(await agentRun(tmp, `hdfslocal${run}`, `hdfs.path = "${out}"`, events));
    load.push(await agentRun(tmp, `hdfsnull${run}`, '', events));
    rmSync(out, { recursive: true, force: true });
    raw.push(rawLocal(join(tmp, 'raw-local'), events, false));
    rawSync.push(rawLocal(join(tmp, 'raw-local'), events, true));
  }
  return { agent: best(agentRuns), all: agentRuns, raw: best(raw), rawSync: best(rawSync), load: best(load), events };
}

/** memory → hdfs on a MiniDFSCluster through WebHDFS, beside raw WebHDFS uploads and Flume's hdfs sink. */
export async function hdfsWebHdfsCase(tmp, events, runs, { flume = true } = {}) {
  const dfs = await startMiniDfs(join(tmp, 'dfs'));
  try {
    const agentRuns = [];
    const raw = [];
    const flumeRuns = [];
    for (let run = 0; run < runs; run++) {
      agentRuns.push(
        await agentRun(tmp, `hdfsweb${run}`, `hdfs.path = "hdfs://127.0.0.1:${dfs.rpcPort}/bench/flowc-${run}/%Y-%m-%d", hdfs.webhdfsUrl = "http://127.0.0.1:${dfs.httpPort}"`, events),
      );
      raw.push(await rawWebHdfsRuns(dfs, { events, batch: BATCH, body: BODY, appendSeconds: 20, run }));
      if (flume) flumeRuns.push(await flumeHdfsRun(dfs, tmp, { events, batch: BATCH, body: BODY, run }));
    }
    return {
      agent: best(agentRuns),
      all: agentRuns,
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
    const events = Number(arg('--events', '100000'));
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

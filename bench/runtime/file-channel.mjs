// The file-channel cases of bench/runtime.bench.mjs: http (JSON) → file channel → null at
// batches of 100 and 1,000 events per request, with the same load (4 client processes, one
// connection each, sequential POSTs) against real Apache Flume 1.11's http source → file
// channel → null sink in the same run, and the disk's raw fdatasync rate measured in the same
// run (how many append + fdatasync cycles of one batch's bytes a plain Node loop does per
// second on the same file system: the ceiling for one writer that syncs every batch).
// Both channels sync every commit (fsyncPerTransaction = true, Flume's default).
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startFlume } from './flume.mjs';
import { buildBundle, freePort, pollUntil, runClients, startAgent, startClient } from './harness.mjs';

const CLIENTS = 4;
const BODY = 256;

/** append + fdatasync cycles per second of `bytes` each, for about `ms`. */
export function fdatasyncRate(dir, bytes, ms = 2000) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(bytes, 0x61);
  let n = 0;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < ms) {
      writeSync(fd, buf);
      fdatasyncSync(fd);
      n++;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return (n / (performance.now() - t0)) * 1000;
}

/** Flume's readiness for the load: its http source answers an empty batch with 200. */
const httpSourceUp = (port) => async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '[]', signal: AbortSignal.timeout(2000) })).status === 200;

const take = (m) => Number(m['CHANNEL.c']?.EventTakeSuccessCount ?? 0);

async function measure(agent, port, perRequest, requests) {
  const total = CLIENTS * requests * perRequest;
  const c0 = agent.cpuMs();
  const n0 = take(await agent.metrics());
  const clients = Array.from({ length: CLIENTS }, (_, id) => startClient('http', port, { requests, perRequest, bodyBytes: BODY, id, timeoutMs: 120_000 }));
  const { t0, results } = await runClients(clients);
  const res = await results;
  const { t } = await pollUntil(agent, (m) => take(m) - n0 >= total, { what: 'file channel events', timeoutMs: 180_000 });
  const ms = Math.max(t, ...res.map((x) => x.t1)) - t0;
  return { ms, eventsPerSec: (total / ms) * 1000, mbPerSec: (total * BODY) / ms / 1000, cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / total, ...agent.memory() };
}

/** One case: our agent and Flume on the same load, RUNS times alternating, best of each. */
export async function fileChannelCase(tmp, batch, runs) {
  const requests = batch >= 1000 ? 50 : 250;
  const total = CLIENTS * requests * batch;
  const ours = [];
  const flume = [];
  const fsync = [];
  // Flume's file channel is slow on a busy disk: at most two runs each, to keep the benchmark short.
  for (let r = 0; r < Math.min(runs, 2); r++) {
    // The raw disk, just before the agents, on the same file system and with one batch's bytes.
    fsync.push(fdatasyncRate(join(tmp, `probe-${batch}-${r}`), batch * (BODY + 60)));

    const dir = join(tmp, `file-${batch}-${r}`);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const { bundle } = buildBundle(
      dir,
      'durable',
      `agent durable {
  source s : http { bind = "127.0.0.1", port = ${port} }
  channel c : file { checkpointDir = "${join(dir, 'cp')}", dataDirs = "${join(dir, 'data')}", capacity = 2_000_000, transactionCapacity = ${Math.max(1000, batch)} }
  sink k : null { batchSize = ${Math.max(1000, batch)} }
  s -> c -> k
}
`,
    );
    const agent = await startAgent([bundle]);
    try {
      ours.push(await measure(agent, port, batch, requests));
    } finally {
      await agent.stop();
    }

    const fdir = join(tmp, `flume-${batch}-${r}`);
    mkdirSync(fdir, { recursive: true });
    const fport = await freePort();
    const f = await startFlume(
      fdir,
      [
        'a1.sources = s',
        'a1.channels = c',
        'a1.sinks = k',
        'a1.sources.s.type = http',
        'a1.sources.s.bind = 127.0.0.1',
        `a1.sources.s.port = ${fport}`,
        'a1.sources.s.channels = c',
        'a1.channels.c.type = file',
        `a1.channels.c.checkpointDir = ${join(fdir, 'cp')}`,
        `a1.channels.c.dataDirs = ${join(fdir, 'data')}`,
        'a1.channels.c.capacity = 2000000',
        `a1.channels.c.transactionCapacity = ${Math.max(1000, batch)}`,
        'a1.sinks.k.type = null',
        `a1.sinks.k.batchSize = ${Math.max(1000, batch)}`,
        'a1.sinks.k.channel = c',
      ].join('\n'),
      { agent: 'a1', heap: '1g', ready: httpSourceUp(fport), timeoutMs: 60_000 },
    );
    try {
      flume.push(await measure(f, fport, batch, requests));
    } finally {
      await f.stop();
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(fdir, { recursive: true, force: true });
  }
  const best = (xs) => xs.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a));
  const bestFlume = best(flume);
  const fsyncBest = Math.max(...fsync);
  return {
    key: `file${batch}`,
    case: `http (JSON) → file channel → null, ${batch.toLocaleString('en')} per request`,
    input: `${total.toLocaleString('en')} events: ${CLIENTS} client processes, one keep-alive connection each, ${requests} sequential POSTs of ${batch.toLocaleString('en')} events (${BODY}-byte bodies); fdatasync per commit in both (fsyncPerTransaction = true); raw disk in the same run: ${Math.round(fsyncBest).toLocaleString('en')} append + fdatasync cycles/s of ${batch.toLocaleString('en')} × ${BODY + 60} bytes (runs: ${fsync.map((x) => Math.round(x)).join(', ')})`,
    agent: best(ours),
    all: ours,
    baselines: { flume: bestFlume },
    flumeAll: flume,
    fsyncPerSec: fsyncBest,
    baselineName: 'flume',
    baselineWhat: `Apache Flume 1.11 (the test peer, -Xmx1g): http source → file channel → null sink on the same load in the same run (runs: ${flume.map((x) => Math.round(x.eventsPerSec)).join(', ')} events/s)`,
    flume: bestFlume.eventsPerSec,
    target: bestFlume.eventsPerSec * 3,
    targetText: `≥ 3 × Flume in this run (${Math.round((bestFlume.eventsPerSec * 3) / 1000)}k/s)`,
  };
}

// Runtime benchmark: real agents, as the user runs them, under load from other processes.
//
//   npm run bench:runtime                 (builds, then runs this file; records bench/RESULTS.md)
//   node bench/runtime.bench.mjs [--no-record] [--runs N] [--only seq,http,netcat,syslog,avro,file100,file1000,hdfslocal,hdfs,startup]
//                                [--avro-threads T] [--avro-warmup W] [--avro-server-warmup S]   (clients at once
//                                in the avro case, default 4; events RpcLoad sends before its clock starts, default
//                                2,000,000; events each server takes before it is measured, default 5,000,000)
//                                [--avro-batches 100,1000]   (the avro case's batch sizes, default both)
//
// Each case writes a .flow file, builds it with `flowc build --target bundle` and runs the
// bundle as a child process (`node x.agent.mjs --monitor-port P`). Load generators run as other
// child processes (bench/runtime/client.mjs), so that the agent and the load never share an
// event loop. The end of a case is read from the agent's own /metrics (the channel's
// EventTakeSuccessCount, which a sink commits only after it delivered the batch); peak RSS is
// the agent's VmHWM from /proc. Every case is measured against a baseline in the same run:
// a plain Node program doing the least work for the same input (bench/runtime/baseline.mjs),
// and for syslog also rsyslog (imtcp → omfile) as a child process with its own configuration.
// Figures: events/s; MB/s = event-body bytes per second (10^6 bytes); peak RSS in MB.
// With --runs N (default 3) each throughput case runs N times, agent and baselines alternating,
// and the best run of each is kept (the machine is shared; the best run is the least disturbed);
// every run of the agent is listed under the table. CPU µs/event (user + system time of all the
// process's threads, from /proc, over the measured interval) is less disturbed by other load than
// wall-clock rates and is shown beside them. Every case and every load is bounded in count and
// time; nothing but 127.0.0.1 is used.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import {
  ROOT,
  buildBundle,
  freePort,
  killAll,
  now,
  pollUntil,
  runClients,
  sleep,
  spawnTracked,
  startAgent,
  recordBlock,
  startBaseline,
  startClient,
  timeToListen,
} from './runtime/harness.mjs';
import { syslogLine } from './runtime/data.mjs';
import { avroCase } from './runtime/avro.mjs';
import { fileChannelCase } from './runtime/file-channel.mjs';
import { RPC_THREADS, hdfsLocalCase, hdfsWebHdfsCase } from './runtime/hdfs.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(option('--runs', '3'));
const ONLY = option('--only', 'seq,http,netcat,syslog,avro,file100,file1000,hdfslocal,hdfs,startup').split(',');
const RECORD = !flag('--no-record');
const STARTED = Date.now();

// Sizes: about 3 minutes in all on the project's 2-core machine.
const SEQ_EVENTS = 10_000_000;
const HTTP_CLIENTS = 4;
const HTTP_PER_REQUEST = 100;
const HTTP_REQUESTS_PER_CLIENT = 2_500; // 1,000,000 events
const NETCAT_LINES = 5_000_000;
const NETCAT_BODY = 100;
const BODY = 256;
const SYSLOG_LINES = 500_000;
// avro: appendBatch from Flume's RpcClient, against real Flume in the same run.
const AVRO_BATCHES = option('--avro-batches', '100,1000').split(',').map(Number);
const AVRO = [
  { batch: 100, events: 1_000_000 },
  { batch: 1000, events: 2_000_000 },
].filter((c) => AVRO_BATCHES.includes(c.batch));
if (AVRO.length !== AVRO_BATCHES.length) {
  process.stderr.write(`bench:runtime: --avro-batches takes 100, 1000 or 100,1000 (got ${AVRO_BATCHES.join(',')})\n`);
  process.exit(2);
}
// Clients at once: one RpcLoad client with one batch in flight cannot offer either server all it takes.
const AVRO_THREADS = Number(option('--avro-threads', '4'));
// Sent by RpcLoad before its clock starts, so that the client is measured after its JIT compilers ran.
const AVRO_WARMUP = Number(option('--avro-warmup', '2000000'));
// Taken by each server before it is measured: Flume's JIT needs millions of events to reach its steady pace.
const AVRO_SERVER_WARMUP = Number(option('--avro-server-warmup', '5000000'));
const STARTUP_RUNS = 5;
// memory → hdfs (DataStream, text): 256-byte bodies, batches of 1,000 (bench/runtime/hdfs.mjs).
const HDFS_LOCAL_EVENTS = 500_000;
const HDFS_EVENTS = 500_000; // Flume's sink takes ~30 s for these on a quiet machine

// Apache Flume 1.11 on a 2-core machine, 256-byte bodies (the issue's reference figures).
const FLUME = { seq: 2_600_000, http: 175_000, netcat: 270_000, syslog: 120_000, rsyslog: 310_000, startMs: 1200, idleRssMb: 110 };

const tmp = mkdtempSync(join(tmpdir(), 'flowc-bench-'));
setTimeout(() => {
  process.stderr.write('bench:runtime: still running after 15 minutes; stopping\n');
  killAll();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(2);
}, 900_000).unref();
const log = (s) => process.stderr.write(`${s}\n`);
const take = (m) => Number(m['CHANNEL.c']?.EventTakeSuccessCount ?? 0);
const rate = (n, ms) => (n / ms) * 1000;
const best = (runs, key = 'eventsPerSec') => runs.reduce((a, b) => (b[key] > a[key] ? b : a));

/** Runs `agentRun` and `baselineRun` RUNS times, alternating, keeping the best of each. */
async function alternate(agentRun, baselineRuns) {
  const agent = [];
  const base = Object.fromEntries(Object.keys(baselineRuns).map((k) => [k, []]));
  for (let r = 0; r < RUNS; r++) {
    agent.push(await agentRun(r));
    for (const [k, run] of Object.entries(baselineRuns)) base[k].push(await run(r));
  }
  return { agent: best(agent), all: agent, baselines: Object.fromEntries(Object.entries(base).map(([k, v]) => [k, best(v)])) };
}

// ---- seq → memory → null -------------------------------------------------------------------------
async function seqCase() {
  const { bundle } = buildBundle(
    tmp,
    'seq',
    `agent seq {
  source s : seq { totalEvents = ${SEQ_EVENTS}, batchSize = 1_000 }
  channel c : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink k : null { batchSize = 1_000 }
  s -> c -> k
}
`,
  );
  let bodyBytes = 0;
  for (let d = 1, lo = 0; lo < SEQ_EVENTS; d++, lo = 10 ** (d - 1)) bodyBytes += d * (Math.min(SEQ_EVENTS, 10 ** d) - lo);
  const r = await alternate(
    async () => {
      const agent = await startAgent([bundle]);
      try {
        const first = await agent.metrics();
        const c0 = agent.cpuMs();
        const n0 = take(first);
        const t0 = Number(first['SOURCE.s'].StartTime);
        const { t } = await pollUntil(agent, (m) => take(m) >= SEQ_EVENTS, { what: 'seq events' });
        const ms = t - t0;
        return { ms, eventsPerSec: rate(SEQ_EVENTS, ms), mbPerSec: rate(bodyBytes, ms) / 1e6, cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / (SEQ_EVENTS - n0), ...agent.memory() };
      } finally {
        await agent.stop();
      }
    },
    {
      node: async () => {
        const b = await startBaseline('seq-loop', [SEQ_EVENTS, 1000]);
        const { t0, t1 } = b.first;
        const mem = b.memory();
        const cpu = b.cpuMs();
        await b.stop();
        return { ms: t1 - t0, eventsPerSec: rate(SEQ_EVENTS, t1 - t0), mbPerSec: rate(bodyBytes, t1 - t0) / 1e6, cpuUsPerEvent: (cpu * 1000) / SEQ_EVENTS, ...mem };
      },
    },
  );
  return {
    key: 'seq',
    case: 'seq → memory → null',
    input: `${SEQ_EVENTS.toLocaleString('en')} events, batches of 1,000; bodies are the counter (1–7 bytes), as Flume's seq makes them`,
    ...r,
    baselineName: 'node',
    baselineWhat: 'plain Node loop making the same events in batches of 1,000 and dropping them',
    flume: FLUME.seq,
    target: FLUME.seq,
    targetText: '≥ Flume (2.6M/s)',
  };
}

// ---- http (JSON, 100 per request, 4 clients) → memory → null ---------------------------------------
async function httpCase() {
  const port = await freePort();
  const { bundle } = buildBundle(
    tmp,
    'web',
    `agent web {
  source s : http { bind = "127.0.0.1", port = ${port} }
  channel c : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink k : null { batchSize = 1_000 }
  s -> c -> k
}
`,
  );
  const total = HTTP_CLIENTS * HTTP_REQUESTS_PER_CLIENT * HTTP_PER_REQUEST;
  const clients = (p) =>
    Array.from({ length: HTTP_CLIENTS }, (_, id) =>
      startClient('http', p, { requests: HTTP_REQUESTS_PER_CLIENT, perRequest: HTTP_PER_REQUEST, bodyBytes: BODY, id }),
    );
  const r = await alternate(
    async () => {
      const agent = await startAgent([bundle]);
      try {
        const c0 = agent.cpuMs();
        const { t0, results } = await runClients(clients(port));
        const res = await results;
        const { t } = await pollUntil(agent, (m) => take(m) >= total, { what: 'http events' });
        const ms = Math.max(t, ...res.map((x) => x.t1)) - t0;
        return { ms, eventsPerSec: rate(total, ms), mbPerSec: rate(total * BODY, ms) / 1e6, cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / total, ...agent.memory() };
      } finally {
        await agent.stop();
      }
    },
    {
      node: async () => {
        const bport = await freePort();
        const b = await startBaseline('http-json', [bport]);
        try {
          const c0 = b.cpuMs();
          const { t0, results } = await runClients(clients(bport));
          const res = await results;
          const ms = Math.max(...res.map((x) => x.t1)) - t0;
          return { ms, eventsPerSec: rate(total, ms), mbPerSec: rate(total * BODY, ms) / 1e6, cpuUsPerEvent: ((b.cpuMs() - c0) * 1000) / total, ...b.memory() };
        } finally {
          await b.stop();
        }
      },
    },
  );
  return {
    key: 'http',
    case: 'http (JSON) → memory → null',
    input: `${total.toLocaleString('en')} events: ${HTTP_CLIENTS} client processes, one keep-alive connection each, ${HTTP_REQUESTS_PER_CLIENT.toLocaleString('en')} sequential POSTs of ${HTTP_PER_REQUEST} events (${BODY}-byte bodies, 2 headers)`,
    ...r,
    baselineName: 'node',
    baselineWhat: 'plain node:http server: reads each body, JSON.parse, answers 200',
    flume: FLUME.http,
    target: FLUME.http * 1.5,
    targetText: '≥ 1.5 × Flume (262k/s)',
  };
}

// ---- netcat (100-byte lines, acks) → memory → null -------------------------------------------------
async function netcatCase() {
  const port = await freePort();
  const { bundle } = buildBundle(
    tmp,
    'nc',
    `agent nc {
  source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 512 }
  channel c : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink k : null { batchSize = 1_000 }
  s -> c -> k
}
`,
  );
  const opts = { lines: NETCAT_LINES, bodyBytes: NETCAT_BODY };
  const r = await alternate(
    async () => {
      const agent = await startAgent([bundle]);
      try {
        const c0 = agent.cpuMs();
        const { t0, results } = await runClients([startClient('netcat', port, opts)]);
        const [res] = await results;
        const { t } = await pollUntil(agent, (m) => take(m) >= NETCAT_LINES, { what: 'netcat events' });
        const ms = Math.max(t, res.t1) - t0;
        return { ms, eventsPerSec: rate(NETCAT_LINES, ms), mbPerSec: rate(NETCAT_LINES * NETCAT_BODY, ms) / 1e6, cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / NETCAT_LINES, ...agent.memory() };
      } finally {
        await agent.stop();
      }
    },
    {
      node: async () => {
        const bport = await freePort();
        const b = await startBaseline('lines-ok', [bport]);
        try {
          const c0 = b.cpuMs();
          const { t0, results } = await runClients([startClient('netcat', bport, opts)]);
          const [res] = await results;
          const ms = res.t1 - t0;
          return { ms, eventsPerSec: rate(NETCAT_LINES, ms), mbPerSec: rate(NETCAT_LINES * NETCAT_BODY, ms) / 1e6, cpuUsPerEvent: ((b.cpuMs() - c0) * 1000) / NETCAT_LINES, ...b.memory() };
        } finally {
          await b.stop();
        }
      },
    },
  );
  return {
    key: 'netcat',
    case: 'netcat → memory → null',
    input: `${NETCAT_LINES.toLocaleString('en')} lines of ${NETCAT_BODY} bytes + LF over one connection, \`OK\` per line (ack-every-event = true, Flume's default), the client reading every reply`,
    ...r,
    baselineName: 'node',
    baselineWhat: 'plain Node TCP server counting the lines and answering `OK` per line',
    flume: FLUME.netcat,
    target: FLUME.netcat * 1.5,
    targetText: '≥ 1.5 × Flume (405k/s)',
  };
}

// ---- syslogtcp → memory → file_roll, against rsyslog ---------------------------------------------
function countLines(...files) {
  let n = 0;
  for (const f of files) {
    const b = readFileSync(f);
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  }
  return n;
}

function waitListening(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', () => (Date.now() > deadline ? reject(new Error(`nothing listens on ${port}`)) : setTimeout(attempt, 20)));
    };
    attempt();
  });
}

async function syslogCase() {
  const port = await freePort();
  const baseTime = Date.UTC(2026, 10, 25, 10, 0, 0);
  const clientOpts = { lines: SYSLOG_LINES, bodyBytes: BODY, baseTime };
  let wireBytes = 0;
  for (let i = 0; i < SYSLOG_LINES; i++) wireBytes += syslogLine(i, BODY, baseTime).length;
  const sinkDir = (r) => join(tmp, `syslog-out-${r}`);
  const flowFor = (dir) => `agent syslog {
  source s : syslogtcp { host = "127.0.0.1", port = ${port} }
  channel c : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink k : file_roll { sink.directory = "${dir}", sink.rollInterval = 0, sink.batchSize = 1_000 }
  s -> c -> k
}
`;
  const per = (ms, cpuMs, mem, extra = {}) => ({
    ms,
    eventsPerSec: rate(SYSLOG_LINES, ms),
    mbPerSec: rate(SYSLOG_LINES * BODY, ms) / 1e6,
    cpuUsPerEvent: (cpuMs * 1000) / SYSLOG_LINES,
    ...mem,
    ...extra,
  });
  const r = await alternate(
    async (run) => {
      const dir = sinkDir(run);
      const { bundle } = buildBundle(tmp, `syslog${run}`, flowFor(dir).replace('agent syslog', `agent syslog${run}`));
      const agent = await startAgent([bundle]);
      try {
        const c0 = agent.cpuMs();
        const { t0, results } = await runClients([startClient('syslog', port, clientOpts)]);
        await results;
        const { t } = await pollUntil(agent, (m) => take(m) >= SYSLOG_LINES, { what: 'syslog events' });
        const cpu = agent.cpuMs() - c0;
        const mem = agent.memory();
        await agent.stop();
        const written = countLines(...readdirSync(dir).map((f) => join(dir, f)));
        if (written !== SYSLOG_LINES) throw new Error(`file_roll wrote ${written} lines, not ${SYSLOG_LINES}`);
        return per(t - t0, cpu, mem, { written });
      } finally {
        await agent.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    {
      rsyslog: async (run) => {
        const dir = join(tmp, `rsyslog-${run}`);
        mkdirSync(join(dir, 'work'), { recursive: true });
        const rport = await freePort();
        const out = join(dir, 'out.log');
        const conf = join(dir, 'rsyslog.conf');
        // Debian's rsyslog, imtcp → omfile, defaults otherwise; the file gets the raw line, so
        // its size says when every line is there.
        writeFileSync(
          conf,
          `global(workDirectory="${join(dir, 'work')}")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\\n")
input(type="imtcp" address="127.0.0.1" port="${rport}" ruleset="bench")
ruleset(name="bench") { action(type="omfile" file="${out}" template="raw") }
`,
        );
        const rs = spawnTracked('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
        try {
          await waitListening(rport);
          const c0 = rs.cpuMs();
          const { t0, results } = await runClients([startClient('syslog', rport, clientOpts)]);
          await results;
          const deadline = Date.now() + 60_000;
          let t1;
          for (;;) {
            let size = 0;
            try {
              size = statSync(out).size;
            } catch {
              // not created yet
            }
            if (size >= wireBytes) {
              t1 = now();
              break;
            }
            if (Date.now() > deadline) throw new Error(`rsyslog wrote ${size} of ${wireBytes} bytes in 60 s: ${rs.stderr()}`);
            await sleep(5);
          }
          const cpu = rs.cpuMs() - c0;
          const mem = rs.memory();
          const written = countLines(out);
          if (written !== SYSLOG_LINES) throw new Error(`rsyslog wrote ${written} lines, not ${SYSLOG_LINES}`);
          return per(t1 - t0, cpu, mem, { written });
        } finally {
          await rs.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      },
      node: async (run) => {
        const bport = await freePort();
        const file = join(tmp, `node-lines-${run}.log`);
        const b = await startBaseline('lines-file', [bport, file, SYSLOG_LINES]);
        try {
          const done = b.next((v) => typeof v === 'object' && v && 'done' in v, 60_000, 'the node file baseline');
          const c0 = b.cpuMs();
          const { t0, results } = await runClients([startClient('syslog', bport, clientOpts)]);
          await results;
          const { done: t1 } = await done;
          return per(t1 - t0, b.cpuMs() - c0, b.memory());
        } finally {
          await b.stop();
          rmSync(file, { force: true });
        }
      },
    },
  );
  return {
    key: 'syslog',
    case: 'syslogtcp → memory → file_roll',
    input: `${SYSLOG_LINES.toLocaleString('en')} RFC 3164 lines (${BODY}-byte message after the host, ${Math.round(wireBytes / SYSLOG_LINES)} bytes on the wire) over one connection; file_roll TEXT, batches of 1,000; every line checked in the output`,
    ...r,
    baselineName: 'rsyslog',
    baselineWhat: 'rsyslogd 8 (imtcp → omfile, `%rawmsg%` template) in the same run; and a plain Node TCP server appending the bytes to a file',
    flume: FLUME.syslog,
    target: undefined, // rsyslog's figure of the same run
    targetText: '≥ rsyslog, same run',
  };
}

// ---- start-up and idle RSS ------------------------------------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startupCase() {
  const port = await freePort();
  const { bundle, flow } = buildBundle(
    tmp,
    'boot',
    `agent boot {
  source s : netcat { bind = "127.0.0.1", port = ${port} }
  channel c : memory
  sink k : null
  s -> c -> k
}
`,
  );
  const agentRuns = [];
  const baseRuns = [];
  const runRuns = [];
  const bport = await freePort();
  for (let i = 0; i < STARTUP_RUNS; i++) {
    agentRuns.push(await timeToListen([bundle], port));
    baseRuns.push(await timeToListen([join(ROOT, 'bench/runtime/baseline.mjs'), 'idle', String(bport)], bport));
    if (i < 3) runRuns.push(await timeToListen([join(ROOT, 'bin/flowc.js'), 'run', flow], port));
  }
  const pick = (runs) => ({ ms: median(runs.map((x) => x.ms)), idleRssMb: median(runs.map((x) => x.idleRssMb)), all: runs.map((x) => Math.round(x.ms)) });
  return {
    key: 'startup',
    case: 'start-up: `node boot.agent.mjs` until its port accepts, then idle RSS',
    input: `netcat → memory → null bundle (${Math.round(statSync(bundle).size / 1024)} KB); median of ${STARTUP_RUNS} starts, RSS after 1 s idle`,
    agent: pick(agentRuns),
    baselines: { node: pick(baseRuns), flowcRun: pick(runRuns) },
    baselineName: 'node',
    baselineWhat: 'plain Node script listening on a TCP port',
    flume: FLUME.startMs,
  };
}

// ---- report ----------------------------------------------------------------------------------------
const k = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${Math.round(n / 1000)}k`);
const x = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '–');
const mb = (n) => `${Math.round(n)} MB`;

function rows(results) {
  const out = [];
  for (const r of results) {
    if (r.error) {
      out.push(`| ${r.case} | failed: ${r.error.split('\n')[0]} | | | | | | | |`);
      continue;
    }
    if (r.key === 'startup' || r.hdfs) continue;
    const a = r.agent;
    const b = r.baselines[r.baselineName];
    const target = r.key === 'syslog' ? b.eventsPerSec : r.target;
    const met = a.eventsPerSec >= target && r.rssMet !== false;
    const extra = r.key === 'syslog' ? `; plain Node tcp → file ${k(r.baselines.node.eventsPerSec)}/s (${x(a.eventsPerSec, r.baselines.node.eventsPerSec)})` : '';
    out.push(
      `| ${r.case} | ${k(a.eventsPerSec)}/s · ${a.mbPerSec.toFixed(1)} MB/s · ${mb(a.peakRssMb)} | ${r.baselineName} ${k(b.eventsPerSec)}/s · ${b.mbPerSec.toFixed(1)} MB/s · ${mb(b.peakRssMb)}${extra} | ${x(a.eventsPerSec, b.eventsPerSec)} | ${a.cpuUsPerEvent.toFixed(2)} / ${b.cpuUsPerEvent.toFixed(2)} | ${k(r.flume)}/s${r.key === 'syslog' ? ` (rsyslog there: ${k(FLUME.rsyslog)}/s)` : ''}${r.flumeRssMb ? ` · ${mb(r.flumeRssMb)} · ${r.baselines.flume.cpuUsPerEvent.toFixed(2)} µs/event CPU, measured in this run` : ''} | ${x(a.eventsPerSec, r.flume)}${r.flumeRssMb ? `; RSS ${x(a.peakRssMb, r.flumeRssMb)}; CPU per event ${x(a.cpuUsPerEvent, r.baselines.flume.cpuUsPerEvent)}` : ''} | ${r.targetText} | ${met ? 'met' : '**missed**'} |`,
    );
  }
  return out;
}

/** memory → hdfs rows: MB/s beside the raw baselines of the same run (and Flume's hdfs sink on the same HDFS and load). */
function hdfsRows(results) {
  const out = [];
  const mbs = (r) => `${r.mbPerSec.toFixed(2)} MB/s`;
  for (const r of results) {
    if (r.error || !r.hdfs) continue;
    const a = r.agent;
    const sink = `${mbs(a)} · ${k(a.eventsPerSec)}/s · ${mb(a.peakRssMb)} (${mb(a.filledRssMb)} once filled)`;
    if (r.key === 'hdfslocal') {
      out.push(
        `| ${r.case} | ${sink} | plain writes + fdatasync per batch ${mbs(r.rawSync)}; plain writes ${mbs(r.raw)} | ${x(a.mbPerSec, r.rawSync.mbPerSec)} | ${a.cpuUsPerEvent.toFixed(2)} / – | | | ≥ 0.7× raw | ${a.mbPerSec >= 0.7 * r.rawSync.mbPerSec ? 'met' : '**missed**'} |`,
      );
    } else {
      const f = r.flumeRun;
      const l = r.agentLoaded;
      out.push(
        `| ${r.case}: the sink draining its channel natively${r.viaWebHdfs ? ` (through WebHDFS: ${mbs(r.viaWebHdfs)})` : ''} | ${sink} | one WebHDFS CREATE of every line ${mbs(r.rawCreate)}; APPEND per batch ${mbs(r.rawAppend)} | ${x(a.mbPerSec, r.rawCreate.mbPerSec)} | ${a.cpuUsPerEvent.toFixed(2)} / – | | | ≥ 0.7× raw | ${a.mbPerSec >= 0.7 * r.rawCreate.mbPerSec ? 'met' : '**missed**'} |`,
        `| ${r.case}: avro → memory → hdfs, ${RPC_THREADS} RpcClients | ${mbs(l)} · ${k(l.eventsPerSec)}/s · ${mb(l.peakRssMb)} | | | ${l.cpuUsPerEvent.toFixed(2)} / – | ${f ? `${mbs(f)} · ${mb(f.peakRssMb)} · ${f.cpuUsPerEvent.toFixed(2)} µs/event, same run and load` : '–'} | ${f ? x(l.mbPerSec, f.mbPerSec) : '–'} | ≥ 1.5× Flume | ${f && l.mbPerSec >= 1.5 * f.mbPerSec ? 'met' : '**missed**'} |`,
      );
    }
  }
  return out;
}

function startupRows(results) {
  const r = results.find((x) => x.key === 'startup');
  if (!r || r.error) return [];
  const a = r.agent;
  const b = r.baselines.node;
  const f = r.baselines.flowcRun;
  return [
    `| start until the port accepts | ${Math.round(a.ms)} ms (runs: ${a.all.join(', ')}) | node ${Math.round(b.ms)} ms | ${x(a.ms, b.ms)} | | 1,200 ms | ${x(a.ms, FLUME.startMs)} | < 200 ms | ${a.ms < 200 ? 'met' : '**missed**'} |`,
    `| idle RSS | ${mb(a.idleRssMb)} | node ${mb(b.idleRssMb)} | ${x(a.idleRssMb, b.idleRssMb)} | | 110 MB | ${x(a.idleRssMb, FLUME.idleRssMb)} | < 60 MB | ${a.idleRssMb < 60 ? 'met' : '**missed**'} |`,
    `| (for comparison) \`flowc run boot.flow\`, which compiles first | ${Math.round(f.ms)} ms, ${mb(f.idleRssMb)} idle | | | | | | | |`,
  ];
}

function report(results) {
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version.slice(1)}, load average before the run ${loadBefore}`;
  const lines = [
    `Date: ${date}. Machine: ${machine}. Runs: best of ${RUNS} per throughput case (agent and baselines alternating); ${((Date.now() - STARTED) / 1000).toFixed(0)} s in all.`,
    '',
    '| case | agent: events/s · MB/s · peak RSS | baseline, same run | agent ÷ baseline | CPU µs/event, agent / baseline | Flume 1.11 | agent ÷ Flume | target | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows(results),
    ...hdfsRows(results),
    ...startupRows(results),
    '',
    `Every run of the agent (events/s): ${results
      .filter((r) => !r.error && r.all)
      .map((r) => `${r.key} ${r.all.map((a) => k(a.eventsPerSec)).join(', ')}`)
      .join('; ')}.`,
    '',
    'Inputs:',
    '',
    ...results.filter((r) => !r.error).map((r) => `- ${r.case}: ${r.input}. Baseline: ${r.baselineWhat}.`),
  ];
  return lines.join('\n');
}

const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const avroCases = async () => {
  const out = [];
  for (const { batch, events } of AVRO) out.push(...(await avroCase(tmp, batch, events, RUNS, AVRO_THREADS, AVRO_WARMUP, AVRO_SERVER_WARMUP)));
  return out;
};
const cases = {
  seq: seqCase,
  http: httpCase,
  netcat: netcatCase,
  syslog: syslogCase,
  avro: avroCases,
  file100: () => fileChannelCase(tmp, 100, RUNS),
  file1000: () => fileChannelCase(tmp, 1000, RUNS),
  hdfslocal: async () => ({
    key: 'hdfslocal',
    hdfs: true,
    case: 'memory → hdfs (DataStream, text) on a local path: the sink draining its channel',
    input: `${HDFS_LOCAL_EVENTS.toLocaleString('en')} events of 256-byte bodies put into a memory channel before the clock starts, then drained by the hdfs sink (hdfs.batchSize 1,000, no rolling) in a process of its own (bench/runtime/hdfs-drain.mjs), its stop included`,
    baselineWhat: 'the same lines written by a plain Node loop, one write (and one fdatasync) per 1,000',
    ...(await hdfsLocalCase(tmp, HDFS_LOCAL_EVENTS, RUNS)),
  }),
  hdfs: async () => {
    const r = await hdfsWebHdfsCase(tmp, HDFS_EVENTS, Math.min(RUNS, 2));
    return {
      key: 'hdfs',
      hdfs: true,
      case: 'memory → hdfs (DataStream, text) on HDFS (MiniDFSCluster; the sink writes hdfs:// natively)',
      input: `${HDFS_EVENTS.toLocaleString('en')} events of 256-byte bodies, hdfs.batchSize 1,000, no rolling: drained by the sink alone from a filled memory channel (as for the local path), natively (Hadoop RPC and DataTransferProtocol, hflush per group) and once more through WebHDFS (hdfs.webhdfsUrl); and sent by ${RPC_THREADS} of Flume's RpcClients at once (appendBatch of 1,000) to avro → memory (capacity 100,000, keep-alive 30 s) → hdfs, for flowc's agent and Flume 1.11's on the same cluster, timed until the sink committed every event; flowc's agent ran at ${r.allLoaded.map((a) => `${a.mbPerSec.toFixed(2)} MB/s`).join(', ')}`,
      baselineWhat: 'runtime/lib/webhdfs.ts uploading the same lines: all in one CREATE; and one APPEND per 1,000, each acknowledged before the next (for at most 20 s)',
      ...r,
      flumeRun: r.flume,
    };
  },
  startup: startupCase,
};
const results = [];
try {
  for (const name of ONLY) {
    if (!cases[name]) throw new Error(`unknown case ${name}`);
    const t = Date.now();
    log(`${name}…`);
    try {
      const got = await cases[name]();
      for (const r of Array.isArray(got) ? got : [got]) {
        results.push(r);
        log(`  ${JSON.stringify({ agent: r.agent, all: r.all?.map((a) => Math.round(a.eventsPerSec)), baselines: r.baselines })} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      }
    } catch (e) {
      log(`  failed: ${e.stack ?? e}`);
      results.push({ key: name, case: name, error: String(e.message ?? e) });
    }
  }
} finally {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
}
const block = report(results);
process.stdout.write(`${block}\n`);
if (RECORD && ONLY.length === Object.keys(cases).length) recordBlock('runtime', 'npm run bench:runtime', block);
process.exit(results.some((r) => r.error) ? 1 : 0);

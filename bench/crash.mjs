// The crash harness: runs a real agent (`flowc run`) as a child process, SIGKILLs it at random
// moments — while it starts and replays, while clients send, while sinks write — and starts it
// again, for a number of cycles. Then it lets the agent drain and stop, reads what the sink
// wrote, and checks by sequence number that no acknowledged event was lost; it counts
// duplicates, which are allowed only from batches in flight at a kill (a client's batch whose
// answer the kill cut off and that it sent again, or the sink's batch written but not yet
// committed: at most one sink batch per kill).
//
//   npm run crash -- [--cycles 30] [--scenario http|spooldir-line|spooldir-avro|taildir] [--sink file_roll|hdfs] [--seed N]
//
// Scenarios (each → file channel → file_roll, or the hdfs sink with --sink hdfs: DataStream
// files rolled every 1,000 events, written under their in-use name and renamed; checked also
// for torn lines and for files that would be both in use and renamed):
//   http           clients POST numbered events; acknowledged = answered 200
//   spooldir-line  files of numbered lines dropped into the spool directory (moved in whole)
//   spooldir-avro  Avro container files of numbered records, the same way
//   taildir        numbered lines appended to app.log, rotated by rename now and then (also
//                  while the agent is down); acknowledged = written to the file
// Exit code 0 when every check holds.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import avro from 'avsc';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_GROUP } from '../dist/runtime/sinks/hdfs/local-fs.js';
import { WEBHDFS_GROUP } from '../dist/runtime/sinks/hdfs/webhdfs-fs.js';
import { NATIVE_GROUP } from '../dist/runtime/sinks/hdfs/native-fs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'flowc.js');

/** A small seeded generator, so that a failing run can be repeated with --seed. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

function canConnect(port) {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Agent {
  constructor(flowFile, log) {
    this.flowFile = flowFile;
    this.log = log;
    this.proc = undefined;
    this.output = '';
  }

  start() {
    this.output = '';
    this.proc = spawn(process.execPath, [bin, 'run', this.flowFile, '--drain-timeout', '240000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.proc.stdout.on('data', (d) => (this.output += d));
    this.proc.stderr.on('data', (d) => (this.output += d));
    this.exited = new Promise((r) => this.proc.on('close', (code, signal) => r({ code, signal })));
  }

  async kill(signal = 'SIGKILL') {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.exited;
    this.proc.kill(signal);
    return this.exited;
  }
}

/** Clients posting batches of numbered events; a batch not answered 200 is sent again later. */
class Clients {
  constructor(port, batch, workers) {
    this.port = port;
    this.batch = batch;
    this.workers = workers;
    this.next = 0;
    this.acked = new Uint8Array(1 << 24);
    this.ackedCount = 0;
    this.retry = [];
    this.retried = new Set();
    this.running = false;
    this.loops = [];
  }

  start() {
    this.running = true;
    this.loops = Array.from({ length: this.workers }, () => this.loop());
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  takeBatch() {
    if (this.retry.length > 0) return this.retry.shift();
    const first = this.next;
    this.next += this.batch;
    return first;
  }

  async send(first) {
    const events = [];
    for (let i = first; i < first + this.batch; i++) events.push({ headers: { seq: String(i), timestamp: String(HTTP_TIME_BASE + i * 1000) }, body: `seq ${i}` });
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(15000),
      });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async loop() {
    while (this.running) {
      const first = this.takeBatch();
      if (await this.send(first)) {
        for (let i = first; i < first + this.batch; i++) this.acked[i] = 1;
        this.ackedCount += this.batch;
      } else {
        this.retry.push(first);
        this.retried.add(first);
        await sleep(50);
      }
    }
  }

  /** Sends every batch still unanswered until the agent accepts it. */
  async settle(deadlineMs) {
    const deadline = Date.now() + deadlineMs;
    while (this.retry.length > 0) {
      if (Date.now() > deadline) throw new Error(`${this.retry.length} batches still refused after ${deadlineMs} ms`);
      const first = this.retry[0];
      if (await this.send(first)) {
        this.retry.shift();
        for (let i = first; i < first + this.batch; i++) this.acked[i] = 1;
        this.ackedCount += this.batch;
      } else await sleep(100);
    }
  }
}

const fileChannel = (work) => `channel c : file {
    checkpointDir = "${join(work, 'checkpoint')}"
    dataDirs = "${join(work, 'data1')},${join(work, 'data2')}"
    useDualCheckpoints = true
    backupCheckpointDir = "${join(work, 'backup')}"
    checkpointInterval = 1000
    maxFileSize = 524288
    transactionCapacity = 1000
  }`;
const fileRollSink = (out) => `sink files : file_roll { sink { directory = "${out}", rollInterval = 0, batchSize = 100 } }`;
/**
 * The hdfs sink on a local path (or `hdfsPath`, such as hdfs://… on a real HDFS, with `hdfsProps`);
 * `buckets`: in hourly directories by the events' timestamp header (UTC).
 */
const hdfsSink = (hdfsPath, buckets, hdfsProps = '') => (out) =>
  `sink files : hdfs { hdfs { path = "${hdfsPath ?? out}${buckets ? '/%Y/%m/%d/%H' : ''}", timeZone = "UTC", fileType = "DataStream", rollCount = 1000, rollSize = 0, rollInterval = 0, batchSize = 100${hdfsProps ? `, ${hdfsProps}` : ''} } }`;
/** The http scenario's events carry a timestamp header: one second apart from this instant. */
const HTTP_TIME_BASE = Date.UTC(2024, 0, 31, 23, 0);
const hourDir = (n) => new Date(HTTP_TIME_BASE + n * 1000).toISOString().slice(0, 13).replace(/[-T]/g, '/');
let sink = fileRollSink;

function httpScenario(work, port) {
  const out = join(work, 'out');
  const clients = new Clients(port, 50, 3);
  const flow = `agent crash {
  source in : http { bind = "127.0.0.1", port = ${port} }
  ${fileChannel(work)}
  ${sink(out)}
  in -> c -> files
}
`;
  return {
    flow,
    out,
    perKill: 100,
    parse: (line) => /^seq (\d+)$/.exec(line)?.[1],
    start: () => clients.start(),
    stop: () => clients.stop(),
    settle: () => clients.settle(60000),
    ready: () => canConnect(port),
    acked: () => ({ count: clients.next, has: (i) => clients.acked[i] === 1, resent: (n) => clients.retried.has(n - (n % clients.batch)) }),
    ackedCount: () => clients.ackedCount,
  };
}

const avroType = avro.Type.forSchema({ type: 'record', name: 'Seq', fields: [{ name: 'text', type: 'string' }] });
const seqText = (n) => `seq ${String(n).padStart(8, '0')}`;

/** Files of numbered lines or records, written aside and moved into the spool directory whole. */
function spoolScenario(work, deserializer) {
  const out = join(work, 'out');
  const spool = join(work, 'spool');
  const staging = join(work, 'staging');
  mkdirSync(spool);
  mkdirSync(staging);
  let next = 0;
  let files = 0;
  let timer;
  const writeFile = async () => {
    const n = 200 + Math.floor(Math.random() * 800);
    const name = `f-${String(files++).padStart(6, '0')}.${deserializer === 'AVRO' ? 'avro' : 'log'}`;
    const tmp = join(staging, name);
    if (deserializer === 'AVRO') {
      const bytes = await new Promise((resolve, reject) => {
        const enc = new avro.streams.BlockEncoder(avroType, { codec: files % 2 ? 'deflate' : 'null' });
        const chunks = [];
        enc.on('data', (c) => chunks.push(c));
        enc.on('error', reject);
        enc.on('end', () => resolve(Buffer.concat(chunks)));
        for (let i = 0; i < n; i++) enc.write({ text: seqText(next + i) });
        enc.end();
      });
      writeFileSync(tmp, bytes);
    } else {
      let text = '';
      for (let i = 0; i < n; i++) text += `${seqText(next + i)}\n`;
      writeFileSync(tmp, text);
    }
    renameSync(tmp, join(spool, name));
    next += n;
  };
  let running = false;
  let loop;
  const flow = `agent crash {
  source in : spooldir { spoolDir = "${spool}", deserializer = "${deserializer}", batchSize = 100, pollDelay = 100 }
  ${fileChannel(work)}
  ${sink(out)}
  in -> c -> files
}
`;
  return {
    flow,
    out,
    perKill: 200,
    // An Avro body is the record's encoding: a length byte, then the text.
    parse: (line) => /seq (\d{8})$/.exec(deserializer === 'AVRO' ? line.slice(1) : line)?.[1],
    start: () => {
      running = true;
      loop = (async () => {
        while (running) {
          await writeFile();
          await sleep(50 + Math.random() * 200);
        }
      })();
    },
    stop: async () => {
      running = false;
      await loop;
      clearTimeout(timer);
    },
    settle: async () => {
      const deadline = Date.now() + 120000;
      while (readdirSync(spool).some((f) => !f.startsWith('.') && !f.endsWith('.COMPLETED'))) {
        if (Date.now() > deadline) throw new Error('the spool directory was not read in 120 s');
        await sleep(200);
      }
    },
    ready: async () => existsSync(join(spool, '.flumespool')),
    acked: () => ({ count: next, has: () => true, resent: () => false }),
    ackedCount: () => next,
  };
}

/** Numbered lines appended to app.log, rotated by rename to app.log.N every few hundred lines. */
function taildirScenario(work) {
  const out = join(work, 'out');
  const logs = join(work, 'logs');
  mkdirSync(logs);
  const log = join(logs, 'app.log');
  writeFileSync(log, '');
  let next = 0;
  let rotations = 0;
  let running = false;
  let loop;
  const flow = `agent crash {
  source in : taildir { filegroups = "f", filegroups.f = "${logs}/app\\\\.log", positionFile = "${join(work, 'taildir.json')}", batchSize = 100, backoffSleepIncrement = 50, maxBackoffSleep = 200 }
  ${fileChannel(work)}
  ${sink(out)}
  in -> c -> files
}
`;
  return {
    flow,
    out,
    perKill: 200,
    parse: (line) => /^seq (\d{8})$/.exec(line)?.[1],
    start: () => {
      running = true;
      loop = (async () => {
        while (running) {
          const n = 1 + Math.floor(Math.random() * 60);
          let text = '';
          for (let i = 0; i < n; i++) text += `${seqText(next++)}\n`;
          appendFileSync(log, text);
          if (Math.random() < 0.05) {
            renameSync(log, `${log}.${++rotations}`);
            writeFileSync(log, '');
          }
          await sleep(Math.random() * 30);
        }
      })();
    },
    stop: async () => {
      running = false;
      await loop;
    },
    settle: async () => {
      // Until every written line reached the sink, or a minute passed without one more line
      // arriving (then the check says what is missing). A file is the source's durable buffer:
      // a line written to it is acknowledged, and a loaded machine may take minutes to catch up,
      // which a fixed deadline would report as lines lost.
      let have = 0;
      let progressBy = Date.now() + 60000;
      for (;;) {
        const now = countOutput(out, (l) => /^seq (\d{8})$/.exec(l)?.[1]).size;
        if (now >= next) break;
        if (now > have) {
          have = now;
          progressBy = Date.now() + 60000;
        } else if (Date.now() > progressBy) break;
        await sleep(500);
      }
    },
    ready: async () => existsSync(join(work, 'taildir.json')),
    acked: () => ({ count: next, has: () => true, resent: () => false }),
    ackedCount: () => next,
    rotations: () => rotations,
  };
}

/** Every file under a directory: its path relative to it and its text. */
function localFiles(outDir) {
  const out = [];
  const walk = (dir, rel) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push({ name: `${rel}${e.name}`, text: readFileSync(join(dir, e.name), 'latin1') });
    }
  };
  walk(outDir, '');
  return out;
}

/**
 * The hdfs sink's files: each either in use (`.tmp`) or renamed, never both; with `buckets`,
 * each event in the hour directory of its timestamp.
 */
function checkHdfsNames(files, buckets) {
  const names = new Set(files.map((f) => f.name));
  for (const n of names) {
    const base = n.slice(n.lastIndexOf('/') + 1);
    if (!/^FlumeData\.\d+(\.tmp)?$/.test(base)) throw new Error(`unexpected file ${n}`);
    if (n.endsWith('.tmp') && names.has(n.slice(0, -4))) throw new Error(`${n} is both in use and renamed`);
  }
  if (buckets) {
    for (const { name, text } of files) {
      for (const line of text.split('\n')) {
        const m = /^seq (\d+)$/.exec(line);
        if (m && !name.startsWith(`${hourDir(Number(m[1]))}/`)) throw new Error(`${line} is in ${name}, not under ${hourDir(Number(m[1]))}/`);
      }
    }
  }
  return { inUse: [...names].filter((n) => n.endsWith('.tmp')).length, renamed: [...names].filter((n) => !n.endsWith('.tmp')).length };
}

/** Every numbered line the sink wrote, counted. */
function countOutput(outDir, parse, files = localFiles(outDir)) {
  const counts = new Map();
  for (const { name, text } of files) {
    for (const line of text.split('\n')) {
      if (!line) continue;
      const m = parse(line);
      if (m === undefined) throw new Error(`unexpected line in ${name}: ${JSON.stringify(line.slice(0, 80))}`);
      const n = Number(m);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * `sink`: file_roll (default) or hdfs (with the http scenario, in hourly buckets); `hdfsPath`,
 * `hdfsProps` and `readFiles` aim the hdfs sink elsewhere than a local directory (a real HDFS)
 * and read its files back from there (`[{ name: path relative to hdfsPath, text }]`).
 */
export async function runCrash({ cycles = 30, scenario = 'http', seed = Date.now() % 100000, log = (s) => console.log(s), sink: sinkKind = 'file_roll', hdfsPath, hdfsProps, readFiles } = {}) {
  sink = sinkKind === 'hdfs' ? hdfsSink(hdfsPath, scenario === 'http', hdfsProps) : fileRollSink;
  const random = rng(seed);
  const work = mkdtempSync(join(tmpdir(), 'flowc-crash-'));
  const started = Date.now();
  try {
    const port = await freePort();
    const s =
      scenario === 'http'
        ? httpScenario(work, port)
        : scenario === 'spooldir-line'
          ? spoolScenario(work, 'LINE')
          : scenario === 'spooldir-avro'
            ? spoolScenario(work, 'AVRO')
            : scenario === 'taildir'
              ? taildirScenario(work)
              : undefined;
    if (!s) throw new Error(`unknown scenario ${scenario} (http, spooldir-line, spooldir-avro, taildir)`);
    const flowFile = join(work, 'crash.flow');
    writeFileSync(flowFile, s.flow);
    const agent = new Agent(flowFile, log);
    agent.start();
    // Input starts once the agent first runs (a taildir source cannot know of rotations before
    // its first look).
    const firstBy = Date.now() + 60000;
    while (!(await s.ready())) {
      if (Date.now() > firstBy || agent.proc.exitCode !== null) throw new Error(`the agent did not start:\n${agent.output.slice(-3000)}`);
      await sleep(50);
    }
    s.start();
    let kills = 0;
    for (let c = 0; c < cycles; c++) {
      // A third of the kills land during start-up and replay; the others while events flow.
      if (random() < 0.3) await sleep(random() * 1000);
      else {
        const upBy = Date.now() + 60000;
        while (!(await s.ready()) && Date.now() < upBy && agent.proc.exitCode === null) await sleep(20);
        await sleep(200 + random() * 1800);
      }
      const { code } = await agent.kill('SIGKILL');
      if (code !== null && code !== 0) {
        throw new Error(`the agent exited by itself with code ${code} before kill ${c + 1}:\n${agent.output.slice(-3000)}`);
      }
      kills++;
      log(`cycle ${c + 1}/${cycles}: killed; ${s.ackedCount()} events acknowledged so far`);
      // Sometimes the agent stays down a while (input piles up, logs rotate meanwhile).
      if (random() < 0.3) await sleep(random() * 1500);
      agent.start();
    }
    await s.stop();
    const upBy = Date.now() + 60000;
    // Readiness files (spooldir's .flumespool, taildir's position file) outlive the agent, so
    // the banner says that this agent has its signal handlers and can stop cleanly.
    while (!(await s.ready()) || !/agent `[^`]+` running/.test(agent.output)) {
      if (Date.now() > upBy || agent.proc.exitCode !== null) throw new Error(`the agent did not come back:\n${agent.output.slice(-3000)}`);
      await sleep(50);
    }
    await s.settle();
    // A clean stop drains the channel into the sink.
    const { code } = await agent.kill('SIGTERM');
    if (code !== 0) throw new Error(`the agent did not stop cleanly (code ${code}):\n${agent.output.slice(-3000)}`);

    const files = readFiles ? await readFiles() : localFiles(s.out);
    const names = sinkKind === 'hdfs' ? checkHdfsNames(files, scenario === 'http') : undefined;
    const counts = countOutput(s.out, s.parse, files);
    const acks = s.acked();
    let lost = 0;
    const lostExamples = [];
    let acked = 0;
    for (let i = 0; i < acks.count; i++) {
      if (!acks.has(i)) continue;
      acked++;
      if (!counts.has(i)) {
        lost++;
        if (lostExamples.length < 10) lostExamples.push(i);
      }
    }
    let duplicates = 0;
    let fromRetries = 0;
    for (const [n, k] of counts) {
      if (k <= 1) continue;
      duplicates += k - 1;
      if (acks.resent(n)) fromRetries += k - 1;
    }
    const fromInFlight = duplicates - fromRetries;
    // The hdfs sink writes a group of transactions of a backlog with one append (its backend's
    // limit), then commits them all: a kill before those commits repeats them all.
    // hdfs:// is written natively unless hdfs.webhdfsUrl is set; webhdfs:// and swebhdfs:// through WebHDFS.
    const viaWebHdfs = /^s?webhdfs:\/\//.test(hdfsPath ?? '') || (/^hdfs:\/\//.test(hdfsPath ?? '') && /webhdfsUrl/.test(hdfsProps ?? ''));
    const native = /^hdfs:\/\//.test(hdfsPath ?? '') && !viaWebHdfs;
    const group = sinkKind !== 'hdfs' ? 1 : viaWebHdfs ? WEBHDFS_GROUP.transactions : native ? NATIVE_GROUP.transactions : LOCAL_GROUP.transactions;
    const allowed = kills * s.perKill * group;
    const result = {
      scenario,
      seed,
      cycles,
      kills,
      acknowledged: acked,
      delivered: [...counts.values()].reduce((a, b) => a + b, 0),
      lost,
      duplicates,
      duplicatesFromResentBatches: fromRetries,
      duplicatesFromBatchesInFlight: fromInFlight,
      ...(s.rotations ? { rotations: s.rotations() } : {}),
      ...(names ? { files: names } : {}),
      seconds: Math.round((Date.now() - started) / 1000),
      ok: lost === 0 && fromInFlight <= allowed,
    };
    if (lost > 0) log(`LOST ${lost} acknowledged events, e.g. ${lostExamples.join(', ')}`);
    if (fromInFlight > allowed) log(`${fromInFlight} duplicates: more than the batches in flight allow (${s.perKill * group} per kill)`);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const result = await runCrash({
    cycles: Number(opt('cycles', '30')),
    scenario: opt('scenario', 'http'),
    sink: opt('sink', 'file_roll'),
    ...(opt('seed') ? { seed: Number(opt('seed')) } : {}),
  });
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

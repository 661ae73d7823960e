// The crash harness: runs a real agent (`flowc run`) as a child process, SIGKILLs it at random
// moments — while it starts and replays, while clients send, while sinks write — and starts it
// again, for a number of cycles. Then it lets the agent drain and stop, reads what the sink
// wrote, and checks by sequence number that no acknowledged event was lost; it counts
// duplicates, which are allowed only from batches in flight at a kill (a client's batch whose
// answer the kill cut off and that it sent again, or the sink's batch written but not yet
// committed: at most one sink batch per kill).
//
//   npm run crash -- [--cycles 30] [--scenario http] [--seed N] [--json]
//
// Scenarios: http (http → file channel → file_roll). Exit code 0 when every check holds.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    this.proc = spawn(process.execPath, [bin, 'run', this.flowFile, '--drain-timeout', '60000'], {
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
    for (let i = first; i < first + this.batch; i++) events.push({ headers: { seq: String(i) }, body: `seq ${i}` });
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

function httpScenario(work, port) {
  const out = join(work, 'out');
  const flow = `agent crash {
  source in : http { bind = "127.0.0.1", port = ${port} }
  channel c : file {
    checkpointDir = "${join(work, 'checkpoint')}"
    dataDirs = "${join(work, 'data1')},${join(work, 'data2')}"
    useDualCheckpoints = true
    backupCheckpointDir = "${join(work, 'backup')}"
    checkpointInterval = 1000
    maxFileSize = 524288
    transactionCapacity = 1000
  }
  sink files : file_roll { sink { directory = "${out}", rollInterval = 0, batchSize = 100 } }
  in -> c -> files
}
`;
  return { flow, out, sinkBatch: 100 };
}

/** Every `seq N` line the sink wrote, counted. */
function countOutput(outDir) {
  const counts = new Map();
  for (const name of readdirSync(outDir)) {
    for (const line of readFileSync(join(outDir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const m = /^seq (\d+)$/.exec(line);
      if (!m) throw new Error(`unexpected line in ${name}: ${JSON.stringify(line.slice(0, 80))}`);
      const n = Number(m[1]);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  }
  return counts;
}

export async function runCrash({ cycles = 30, scenario = 'http', seed = Date.now() % 100000, log = (s) => console.log(s) } = {}) {
  if (scenario !== 'http') throw new Error(`unknown scenario ${scenario} (http)`);
  const random = rng(seed);
  const work = mkdtempSync(join(tmpdir(), 'flowc-crash-'));
  const started = Date.now();
  try {
    const port = await freePort();
    const s = httpScenario(work, port);
    const flowFile = join(work, 'crash.flow');
    writeFileSync(flowFile, s.flow);
    const agent = new Agent(flowFile, log);
    const clients = new Clients(port, 50, 3);
    agent.start();
    clients.start();
    let kills = 0;
    for (let c = 0; c < cycles; c++) {
      // A third of the kills land during start-up and replay; the others while events flow.
      if (random() < 0.3) await sleep(random() * 1000);
      else {
        const upBy = Date.now() + 60000;
        while (!(await canConnect(port)) && Date.now() < upBy && agent.proc.exitCode === null) await sleep(20);
        await sleep(200 + random() * 1800);
      }
      const { code } = await agent.kill('SIGKILL');
      if (code !== null && code !== 0) {
        throw new Error(`the agent exited by itself with code ${code} before kill ${c + 1}:\n${agent.output.slice(-3000)}`);
      }
      kills++;
      log(`cycle ${c + 1}/${cycles}: killed; ${clients.ackedCount} events acknowledged so far`);
      agent.start();
    }
    await clients.stop();
    // Let the last agent come up, then resend what the last kill cut off.
    const upBy = Date.now() + 60000;
    while (!(await canConnect(port))) {
      if (Date.now() > upBy || agent.proc.exitCode !== null) throw new Error(`the agent did not come back:\n${agent.output.slice(-3000)}`);
      await sleep(50);
    }
    await clients.settle(60000);
    // A clean stop drains the channel into the sink.
    const { code } = await agent.kill('SIGTERM');
    if (code !== 0) throw new Error(`the agent did not stop cleanly (code ${code}):\n${agent.output.slice(-3000)}`);

    const counts = countOutput(s.out);
    let lost = 0;
    const lostExamples = [];
    let acked = 0;
    for (let i = 0; i < clients.next; i++) {
      if (!clients.acked[i]) continue;
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
      if (clients.retried.has(n - (n % clients.batch))) fromRetries += k - 1;
    }
    const fromSink = duplicates - fromRetries;
    const allowedFromSink = kills * s.sinkBatch;
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
      duplicatesFromSinkBatches: fromSink,
      seconds: Math.round((Date.now() - started) / 1000),
      ok: lost === 0 && fromSink <= allowedFromSink,
    };
    if (lost > 0) log(`LOST ${lost} acknowledged events, e.g. seq ${lostExamples.join(', ')}`);
    if (fromSink > allowedFromSink) log(`${fromSink} duplicates not explained by resent batches: more than one sink batch (${s.sinkBatch}) per kill`);
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
    ...(opt('seed') ? { seed: Number(opt('seed')) } : {}),
  });
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}

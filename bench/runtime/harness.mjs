// Process plumbing for bench/runtime.bench.mjs: agents (generated bundles) and baselines as child
// processes, load generators as other child processes, /metrics polling, peak RSS from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client.mjs', import.meta.url));
const BASELINE = fileURLToPath(new URL('./baseline.mjs', import.meta.url));

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every process this benchmark started, so that none outlives it. */
const children = new Set();
function track(p) {
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}
export function killAll() {
  for (const p of children) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAll);

export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

/** VmHWM (peak RSS) and VmRSS of a process, in MB (10^6 bytes). */
export function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { peakRssMb: (kb('VmHWM') * 1024) / 1e6, rssMb: (kb('VmRSS') * 1024) / 1e6 };
}

/** CPU time (user + system, all threads) a process has used so far, in ms (10 ms resolution). */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in clock ticks of 10 ms
}

/** Keeps the last few KB a stream printed, for error messages. */
function tail(stream) {
  let text = '';
  stream?.on('data', (d) => {
    text = (text + d).slice(-4000);
  });
  return () => text;
}

/** Writes a .flow file and builds its bundle with `flowc build --target bundle`; returns the .mjs. */
export function buildBundle(dir, name, flowText) {
  const flow = join(dir, `${name}.flow`);
  writeFileSync(flow, flowText);
  const out = join(dir, `${name}-bundle`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/flowc.js'), 'build', flow, '--target', 'bundle', '-o', out], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`flowc build failed for ${name}: ${r.stderr || r.stdout}`);
  return { flow, bundle: join(out, `${name}.agent.mjs`) };
}

function exited(p) {
  return new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', r)));
}

async function stopProcess(p, graceMs = 5000) {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited(p);
  clearTimeout(t);
}

const httpAgent = new Agent({ keepAlive: true, maxSockets: 1 });

export function getJson(port, path, retry = true) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: httpAgent, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => {
      // A kept-alive connection the server closed (its 5 s keep-alive timeout, during a long
      // load without polls) as this request went out: ask again on a new one, once.
      if (retry && req.reusedSocket && e.code === 'ECONNRESET') getJson(port, path, false).then(resolve, reject);
      else reject(e);
    });
  });
}

/**
 * Starts `node <bundle> --monitor-port P` (or any argv) and waits until /metrics answers, which
 * the runtime serves only once every source listens.
 */
export async function startAgent(argv, { timeoutMs = 20_000, env } = {}) {
  const monitorPort = await freePort();
  const p = track(spawn(process.execPath, [...argv, '--monitor-port', String(monitorPort), '--drain-timeout', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  const out = tail(p.stdout);
  const err = tail(p.stderr);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exitCode !== null) throw new Error(`agent exited with ${p.exitCode}: ${err()}${out()}`);
    try {
      await getJson(monitorPort, '/metrics');
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopProcess(p);
        throw new Error(`agent did not serve /metrics within ${timeoutMs} ms: ${err()}`);
      }
      await sleep(20);
    }
  }
  return {
    pid: p.pid,
    metrics: () => getJson(monitorPort, '/metrics'),
    memory: () => memoryOf(p.pid),
    cpuMs: () => cpuMsOf(p.pid),
    stderr: err,
    stop: () => stopProcess(p),
  };
}

/**
 * Polls /metrics every `everyMs` until `done(metrics)` holds; returns the time of the answer that
 * showed it (an upper bound of the moment it became true) and that answer.
 */
export async function pollUntil(agent, done, { everyMs = 10, timeoutMs = 120_000, what = 'the agent' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await agent.metrics();
    const t = now();
    if (done(m)) return { t, metrics: m };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(m)}\n${agent.stderr()}`);
    await sleep(everyMs);
  }
}

/** Reads newline-delimited JSON (and `ready`) from a child's stdout. */
function jsonLines(p) {
  const listeners = [];
  let buf = '';
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      let v = line;
      try {
        v = JSON.parse(line);
      } catch {
        // plain text such as `ready`
      }
      for (const l of [...listeners]) l(v);
    }
  });
  return (pred, timeoutMs = 60_000, what = 'a child process') =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const l = (v) => {
        if (!pred(v)) return;
        clearTimeout(t);
        listeners.splice(listeners.indexOf(l), 1);
        resolve(v);
      };
      listeners.push(l);
      p.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`${what} exited (${code}) before answering`));
      });
    });
}

/** Starts a load generator; `ready` when connected, `go()` starts the load, `result` its JSON. */
export function startClient(mode, port, opts) {
  const p = track(spawn(process.execPath, [CLIENT, mode, String(port), JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const err = tail(p.stderr);
  const next = jsonLines(p);
  const timeout = (opts.timeoutMs ?? 60_000) + 5000;
  const ready = next((v) => v === 'ready', timeout, `${mode} client to connect`);
  const result = next((v) => typeof v === 'object' && v !== null && 'ok' in v, timeout, `${mode} client`).then((r) => {
    if (!r.ok) throw new Error(`${mode} client failed: ${r.error} ${err()}`);
    return r;
  });
  ready.catch(() => undefined);
  result.catch(() => undefined);
  return { ready, result, go: () => p.stdin.write('go\n'), stop: () => stopProcess(p, 1000) };
}

/** Runs clients: waits until all are connected, starts them together; returns t0 and their results. */
export async function runClients(clients) {
  await Promise.all(clients.map((c) => c.ready));
  const t0 = now();
  for (const c of clients) c.go();
  const results = Promise.all(clients.map((c) => c.result));
  return { t0, results };
}

/** Starts a baseline server (bench/runtime/baseline.mjs); resolves once it listens. */
export async function startBaseline(mode, args) {
  const p = track(spawn(process.execPath, [BASELINE, mode, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const err = tail(p.stderr);
  const next = jsonLines(p);
  const first = await next(() => true, 20_000, `baseline ${mode}`);
  return { pid: p.pid, first, next: (pred, ms, what) => next(pred, ms, what).catch((e) => Promise.reject(new Error(`${e.message} ${err()}`))), memory: () => memoryOf(p.pid), cpuMs: () => cpuMsOf(p.pid), stop: () => stopProcess(p, 1000), proc: p };
}

/** Spawns any command, tracked (rsyslogd). */
export function spawnTracked(cmd, args, opts) {
  const p = track(spawn(cmd, args, opts));
  return { pid: p.pid, proc: p, stderr: tail(p.stderr), memory: () => memoryOf(p.pid), cpuMs: () => cpuMsOf(p.pid), stop: () => stopProcess(p, 3000) };
}

/** Time from spawn until a TCP connect to `port` succeeds, then RSS after `idleMs`; the process is stopped. */
export async function timeToListen(argv, port, { idleMs = 1000, timeoutMs = 10_000 } = {}) {
  const t0 = now();
  const p = track(spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] }));
  const err = tail(p.stderr);
  const deadline = t0 + timeoutMs;
  let t1;
  while (t1 === undefined) {
    if (p.exitCode !== null) throw new Error(`${argv.join(' ')} exited with ${p.exitCode}: ${err()}`);
    const okNow = await new Promise((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (okNow) t1 = now();
    else if (now() > deadline) {
      await stopProcess(p);
      throw new Error(`${argv.join(' ')} did not listen on ${port} within ${timeoutMs} ms: ${err()}`);
    } else await sleep(2);
  }
  await sleep(idleMs);
  const mem = memoryOf(p.pid);
  await stopProcess(p);
  return { ms: t1 - t0, idleRssMb: mem.rssMb, peakRssMb: mem.peakRssMb };
}

/**
 * Replaces the text between `<!-- bench:NAME begin (written by `WRITER`) -->` and
 * `<!-- bench:NAME end -->` in bench/RESULTS.md with `block`; says on stderr whether it did.
 */
export function recordBlock(name, writer, block) {
  const file = join(ROOT, 'bench/RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const begin = `<!-- bench:${name} begin (written by \`${writer}\`) -->`;
  const end = `<!-- bench:${name} end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    console.error(`bench/RESULTS.md has no ${begin} … ${end} block; not recorded`);
    return;
  }
  writeFileSync(file, `${text.slice(0, i + begin.length)}\n${block}\n${text.slice(j)}`);
  console.error('recorded in bench/RESULTS.md');
}

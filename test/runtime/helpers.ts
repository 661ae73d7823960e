// Helpers for the runtime tests: real sockets on 127.0.0.1, real files, real processes.
import { afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileText } from '../../compiler/program.js';
import { runtimeConfig } from '../../compiler/emit/runtime-config.js';
import type { AgentRuntimeConfig } from '../../runtime/core/config.js';
import type { ComponentRegistry } from '../../runtime/core/component.js';
import { Logger } from '../../runtime/core/log.js';
import { dynamicRegistry } from '../../runtime/loader.js';
import { Runner } from '../../runtime/main.js';

export function configsOf(text: string, env: NodeJS.ProcessEnv = {}): AgentRuntimeConfig[] {
  const r = compileText(text, 'test.flow');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`test flow has errors: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return r.program.agents.map((a) => {
    const c = runtimeConfig(r.program, a, { env });
    if (c.diagnostics.length > 0) throw new Error(c.diagnostics.map((d) => d.message).join('; '));
    return c.config;
  });
}

export interface Running {
  runner: Runner;
  lines: string[];
  stop(drainMs?: number): Promise<{ drained: boolean; left: number }>;
}

/** The counters of one component (`SOURCE.rpc`, `SINK.k`) of agent `agent`, under Flume's names. */
export function componentMetrics(r: Running, agent: string, key: string): Record<string, string> {
  const a = r.runner.agents.find((x) => x.metrics.agent === agent)!;
  return a.metrics.json()[key]!;
}

const fast = { backoffSleepIncrement: 20, maxBackoffSleep: 200 };

/** Runs the agents of a .flow text in this process, logging into memory. */
export async function runFlow(
  text: string,
  options: { registry?: ComponentRegistry; monitorPort?: number; configs?: AgentRuntimeConfig[] } = {},
): Promise<Running> {
  const { log, lines } = Logger.memory('info');
  const runner = await Runner.start(options.configs ?? configsOf(text), {
    registry: options.registry ?? dynamicRegistry,
    log,
    sinkRunner: fast,
    restartBackoff: { initial: 50, max: 500 },
    ...(options.monitorPort !== undefined ? { monitorPort: options.monitorPort } : {}),
  });
  return { runner, lines, stop: (ms = 0) => runner.stop(ms) };
}

/**
 * For a test file whose tests each run flows: `run` is runFlow, and every flow it started is
 * stopped after the test, before whatever the test pushed to `cleanup` runs.
 */
export function flowsPerTest(): { run: typeof runFlow; cleanup: (() => unknown)[] } {
  const flows: Running[] = [];
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const r of flows.splice(0)) await r.stop();
    for (const c of cleanup.splice(0)) await c();
  });
  const run: typeof runFlow = async (text, options) => {
    const r = await runFlow(text, options);
    flows.push(r);
    return r;
  };
  return { run, cleanup };
}

/**
 * runFlow options for agent `a` with a single source `s` of a kind made up by the test into a
 * memory channel `c`: `start` is that source's start(); its `ctx.fail` reports a failure to the
 * supervisor, as a broken server socket would.
 */
export function testSourceAgent(start: (ctx: { fail(e: unknown): void }) => void): { registry: ComponentRegistry; configs: AgentRuntimeConfig[] } {
  const registry: ComponentRegistry = {
    load: async (dir, kind) => {
      if (dir === 'sources' && kind === 'test_source') {
        return ((_c: unknown, ctx: { fail(e: unknown): void }) => ({ driver: 'event', start: () => start(ctx), stop() {} })) as never;
      }
      return dynamicRegistry.load(dir, kind);
    },
  };
  const config: AgentRuntimeConfig = {
    version: 1,
    agent: 'a',
    channels: [{ name: 'c', kind: 'memory', params: { capacity: 10, transactionCapacity: 10, 'keep-alive': 0, byteCapacityBufferPercentage: 20 } }],
    sources: [{ name: 's', kind: 'test_source', params: {}, channels: ['c'], selector: { kind: 'replicating', params: {} }, interceptors: [] }],
    sinks: [],
    sinkGroups: [],
  };
  return { registry, configs: [config] };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition', everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sends text over TCP; resolves with everything the server answered once it closes or goes quiet. */
export function tcpExchange(port: number, text: string | Buffer, quietMs = 300): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      s.destroy();
      resolvePromise(out);
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    s.on('connect', () => {
      s.write(text);
      arm();
    });
    s.on('data', (d) => {
      out += d.toString();
      arm();
    });
    s.on('close', done);
    s.on('error', (e) => {
      if (out) done();
      else reject(e);
    });
  });
}

export function udpSend(port: number, msg: string | Buffer): Promise<void> {
  const s = createSocket('udp4');
  return new Promise((r, j) =>
    s.send(msg, port, '127.0.0.1', (e) => {
      s.close();
      if (e) j(e);
      else r();
    }),
  );
}

export async function httpPost(port: number, body: string | Buffer, headers: Record<string, string> = {}, path = '/'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

export interface Collector {
  port: number;
  server: Server;
  bodies: string[];
  /** Status to answer, per request (default 200). */
  status: (body: string, n: number) => number;
  close(): Promise<void>;
}

/** An HTTP server that records the bodies it accepts (2xx answers). */
export async function collector(port = 0, status: Collector['status'] = () => 200): Promise<Collector> {
  const c: Collector = {
    port: 0,
    server: undefined as unknown as Server,
    bodies: [],
    status,
    close: () => new Promise<void>((r) => {
      c.server.closeAllConnections();
      c.server.close(() => r());
    }),
  };
  let n = 0;
  c.server = createHttpServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const st = c.status(body, n++);
      if (st >= 200 && st < 300) c.bodies.push(body);
      res.writeHead(st).end();
    });
  });
  await new Promise<void>((r) => c.server.listen(port, '127.0.0.1', r));
  c.port = (c.server.address() as AddressInfo).port;
  return c;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flowc-rt-'));
}

export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
}

/** Every line of every file in a directory, in file-name order. */
export function fileLines(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter((l) => l.length > 0));
}

export const bin = resolve('bin/flowc.js');

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function spawnNode(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Takes every event now in a channel of a running agent (committing the takes). */
export function takeAll(r: Running, channel: string, agent = 0): import('../../runtime/core/event.js').Event[] {
  const ch = r.runner.agents[agent]!.channels.get(channel)!;
  const out: import('../../runtime/core/event.js').Event[] = [];
  for (;;) {
    const tx = ch.getTransaction();
    tx.begin();
    const e = tx.take();
    if (e) out.push(e);
    void tx.commit();
    tx.close();
    if (!e) return out;
  }
}

/** Waits until a channel holds `n` events, then takes them. */
export async function takeN(r: Running, channel: string, n: number, timeoutMs = 10_000): Promise<import('../../runtime/core/event.js').Event[]> {
  const ch = r.runner.agents[0]!.channels.get(channel)!;
  await waitFor(() => ch.size() >= n, timeoutMs, `${n} events in channel ${channel} (has ${ch.size()})`);
  return takeAll(r, channel);
}

/**
 * Child processes and temp folders of one test file, cleaned up after each test: children are
 * killed, folders removed, and `cleanup` callbacks run.
 */
export function scratch(): { children: Child[]; cleanup: (() => unknown)[]; work: () => string } {
  const children: Child[] = [];
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    for (const c of cleanup.splice(0)) await c();
  });
  const work = () => {
    const d = tempDir();
    cleanup.push(() => removeDir(d));
    return d;
  };
  return { children, cleanup, work };
}

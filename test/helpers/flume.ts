// Real Apache Flume 1.11.0 as a test peer (installed by `bash test/peers/install.sh`; see
// test/peers/README.md). Agents run as child JVMs on loopback ports and are stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterEach, expect } from 'vitest';
import { freePort } from '../runtime/helpers.js';

export { freePort };

const peerRoot = resolve('test/peers/.cache/flume');

/** The classpath of the installed Flume peer; throws a message saying how to install it. */
export function flumeClasspath(): string {
  if (!existsSync(join(peerRoot, 'stamp'))) {
    throw new Error(
      `Apache Flume 1.11.0 (the test peer) is not installed in ${peerRoot}: run bash test/peers/install.sh`,
    );
  }
  return [join(peerRoot, 'classes'), join(peerRoot, 'lib', '*')].join(delimiter);
}

// ---------------------------------------------------------------------------------------------
// What a test file against Flume shares

/**
 * What a test starts, stopped after each test: flowc agents first (so they stop sending), then
 * Flume's agents, then the temporary folders. Call once at the top of a test file.
 */
export function flumeTestScope(prefix: string): {
  temp(): string;
  agent<T extends FlumeAgent>(agent: T): T;
  flow<T extends { stop(): Promise<void> }>(flow: T): T;
} {
  const temps: string[] = [];
  const agents: FlumeAgent[] = [];
  const flows: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const f of flows.splice(0)) await f.stop();
    for (const a of agents.splice(0)) await a.stop(5_000);
    for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    temp() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      temps.push(d);
      return d;
    },
    agent: (agent) => (agents.push(agent), agent),
    flow: (flow) => (flows.push(flow), flow),
  };
}

/** Asserts that `numbers` holds each of 0 … n-1 exactly once. */
export function expectEverySequence(numbers: number[], n: number): void {
  const seen = new Set(numbers);
  expect(numbers.length).toBe(n);
  expect(seen.size).toBe(n);
  for (let i = 0; i < n; i++) if (!seen.has(i)) throw new Error(`sequence ${i} is missing`);
}

/** The properties of a Flume collector `col`: source r1 of `type` on `port` → memory → file_roll into `out`. */
export function fileRollCollector(o: { type: string; port: number; out: string; source?: Record<string, string>; capacity?: number }): string {
  return (
    [
      'col.sources = r1',
      'col.channels = c1',
      'col.sinks = k1',
      `col.sources.r1.type = ${o.type}`,
      'col.sources.r1.bind = 127.0.0.1',
      `col.sources.r1.port = ${o.port}`,
      'col.sources.r1.channels = c1',
      ...Object.entries(o.source ?? {}).map(([k, v]) => `col.sources.r1.${k} = ${v}`),
      'col.channels.c1.type = memory',
      `col.channels.c1.capacity = ${o.capacity ?? 100_000}`,
      'col.channels.c1.transactionCapacity = 1000',
      'col.sinks.k1.type = file_roll',
      `col.sinks.k1.sink.directory = ${o.out}`,
      'col.sinks.k1.sink.rollInterval = 0',
      'col.sinks.k1.sink.batchSize = 1000',
      'col.sinks.k1.channel = c1',
    ].join('\n') + '\n'
  );
}

/** Every non-empty line of every file in `dir` (what a file_roll sink wrote). */
export function rolledLines(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Flume's own config loader (test/peers/flume/src/flowc/peers/ConfigCheck.java)

export interface FlumeConfigError {
  component: string;
  key: string;
  /** FlumeConfigurationErrorType, e.g. CONFIG_ERROR, INVALID_PROPERTY, PROPERTY_VALUE_NULL. */
  type: string;
  level: 'ERROR' | 'WARNING';
  message: string;
}

export interface FlumeComponentKept {
  type: string | null;
  /** The component's properties as Flume reads them (values trimmed, ${...} resolved). */
  properties: Record<string, string>;
  channels?: string[];
  channel?: string | null;
  sinks?: string[];
}

type Kinds<T> = { sources: T; channels: T; sinks: T; sinkgroups: T };

export interface FlumeConfigReport {
  agent: string;
  /** Set when the file could not be read at all. */
  unreadable?: string;
  errors: FlumeConfigError[];
  /** Names listed in `agent.sources`, `agent.channels`, `agent.sinks`, `agent.sinkgroups`. */
  declared: Kinds<string[]>;
  /** Whether FlumeConfiguration has a configuration for the agent at all. */
  found: boolean;
  /** What survives FlumeConfiguration's validation. */
  kept: Kinds<Record<string, FlumeComponentKept>> | null;
  /** What AbstractConfigurationProvider creates and configures (what the agent would start). */
  materialised: Kinds<string[]> & {
    sourceChannels?: Record<string, string[]>;
    /** The classes Flume instantiated; `interceptors` is each source's chain in order. */
    classes?: {
      sources: Record<string, string>;
      channels: Record<string, string>;
      sinks: Record<string, string>;
      selectors: Record<string, string>;
      interceptors: Record<string, string[]>;
      /** Sink runners' processors, by group name (or sink name for a sink on its own). */
      processors: Record<string, string>;
    };
  };
  /** The exception that stops the agent from starting at all (Application logs it and runs nothing). */
  fatal: string | null;
  /** declared minus materialised. */
  dropped: Kinds<string[]>;
  /** What Flume logged at WARN and above while loading. */
  log: string;
}

/** Loads each (file, agent) with real Flume's loader in one JVM; one report per pair, in order. */
export function flumeLoadConfigs(pairs: { file: string; agent: string }[]): FlumeConfigReport[] {
  if (pairs.length === 0) return [];
  const cp = flumeClasspath();
  const r = spawnSync(
    'java',
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx512m', '-cp', cp, 'flowc.peers.ConfigCheck', ...pairs.flatMap((p) => [p.file, p.agent])],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env } },
  );
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{'));
  if (r.status !== 0 || lines.length !== pairs.length) {
    throw new Error(`ConfigCheck failed (exit ${r.status}, ${lines.length}/${pairs.length} reports):\n${r.stderr}${r.error ?? ''}`);
  }
  return lines.map((l) => JSON.parse(l) as FlumeConfigReport);
}

/** Loads one properties file for one agent with real Flume's loader. */
export function flumeLoadConfig(file: string, agent: string): FlumeConfigReport {
  return flumeLoadConfigs([{ file, agent }])[0]!;
}

/** Everything wrong in a report, one line each (empty when Flume runs every declared component). */
export function flumeProblems(r: FlumeConfigReport): string[] {
  const out: string[] = [];
  if (r.unreadable) out.push(`unreadable: ${r.unreadable}`);
  if (!r.found) out.push(`no configuration for agent ${r.agent}`);
  if (r.fatal) out.push(`agent does not start: ${r.fatal}`);
  for (const e of r.errors ?? []) if (e.level === 'ERROR') out.push(`${e.type} on ${e.component} (${e.key}): ${e.message}`);
  for (const kind of ['sources', 'channels', 'sinks', 'sinkgroups'] as const) {
    for (const name of r.dropped?.[kind] ?? []) out.push(`dropped ${kind.replace(/s$/, '')} ${name}`);
  }
  return out;
}

/**
 * Why Flume removed each component while materialising, from its log: component name → the
 * exception line (e.g. "java.lang.IllegalStateException: Source r1 is not connected to a channel").
 */
export function flumeDropReasons(r: FlumeConfigReport): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(?:Source|Sink|Channel|SinkGroup) (\S+) has been removed due to an error during configuration\n {2}([^\n]*)/g;
  for (const m of r.log.matchAll(re)) out[m[1]!] ??= m[2]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// A running Flume agent

export interface FlumeAgent {
  pid: number;
  monitorPort: number;
  confDir: string;
  /** Flume's JSON metrics (`/metrics` of its HTTP monitoring): { "SOURCE.r1": { EventReceivedCount: "3", … } }. */
  metrics(): Promise<Record<string, Record<string, string>>>;
  /** The agent's log file so far. */
  logText(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the JVM is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code once the JVM has exited. */
  exited: Promise<number | null>;
}

export interface StartFlumeOptions {
  /** Agent name (`-n`). */
  name: string;
  /** The flume.properties text. */
  properties: string;
  /** TCP ports on 127.0.0.1 the agent must listen on before this resolves (e.g. its sources). */
  waitForPorts?: number[];
  monitorPort?: number;
  /** Replaces the default JVM options (-Xmx256m). */
  jvmOpts?: string[];
  /** Root log level (default INFO, written to flume.log in the conf dir). */
  logLevel?: string;
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
}

function log4jConfig(logFile: string, level: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="ERROR">
  <Appenders>
    <File name="file" fileName="${logFile}" append="true" immediateFlush="true">
      <PatternLayout pattern="%d{HH:mm:ss.SSS} %p [%t] %c{1}: %m%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Root level="${level}"><AppenderRef ref="file"/></Root>
  </Loggers>
</Configuration>
`;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** Starts `org.apache.flume.node.Application -n NAME -f FILE` with HTTP monitoring on a free port. */
export async function startFlumeAgent(opts: StartFlumeOptions): Promise<FlumeAgent> {
  const cp = flumeClasspath();
  const confDir = mkdtempSync(join(tmpdir(), `flume-${opts.name}-`));
  mkdirSync(confDir, { recursive: true });
  const confFile = join(confDir, 'flume.properties');
  const logFile = join(confDir, 'flume.log');
  writeFileSync(confFile, opts.properties);
  writeFileSync(join(confDir, 'log4j2.xml'), log4jConfig(logFile, opts.logLevel ?? 'INFO'));
  const monitorPort = opts.monitorPort ?? (await freePort());
  const args = [
    ...(opts.jvmOpts ?? ['-Xmx256m']),
    `-Dlog4j2.configurationFile=${join(confDir, 'log4j2.xml')}`,
    '-Dflume.monitoring.type=http',
    `-Dflume.monitoring.port=${monitorPort}`,
    '-cp',
    cp,
    'org.apache.flume.node.Application',
    '-n',
    opts.name,
    '-f',
    confFile,
    '--no-reload-conf',
  ];
  const proc = spawn('java', args, { cwd: confDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  killAllAtExit();
  running.add(proc);
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => {
    running.delete(proc);
    r(code);
  }));
  const logText = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + output;

  const stop = async (graceMs = 15_000) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  const wanted = [monitorPort, ...(opts.waitForPorts ?? [])];
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`Flume agent ${opts.name} exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${logText()}`);
    }
    const up = await Promise.all(wanted.map(portAnswers));
    if (up.every(Boolean)) break;
    if (Date.now() > deadline) {
      await stop(2_000);
      const missing = wanted.filter((_, i) => !up[i]);
      throw new Error(`Flume agent ${opts.name} did not listen on ${missing.join(', ')} in time:\n${logText()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid: proc.pid!,
    monitorPort,
    confDir,
    metrics: async () => (await fetchJson(`http://127.0.0.1:${monitorPort}/metrics`)) as Record<string, Record<string, string>>,
    logText,
    stop: async (graceMs?: number) => {
      await stop(graceMs);
      rmSync(confDir, { recursive: true, force: true });
    },
    exited,
  };
}

// ---------------------------------------------------------------------------------------------
// Load from Flume's RpcClient (test/peers/flume/src/flowc/peers/RpcLoad.java)

export interface RpcLoadOptions {
  port: number;
  host?: string;
  mode?: 'append' | 'appendBatch';
  events: number;
  batch?: number;
  bodySize?: number;
  /** Bodies are sequence numbers from `start` (padded with 'x' to bodySize). */
  start?: number;
  headers?: Record<string, string>;
  compression?: 'deflate';
  compressionLevel?: number;
  ssl?: { truststore?: string; truststorePassword?: string; truststoreType?: string; trustAll?: boolean };
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  jvmOpts?: string[];
  /** Clients sending at once, each on its own connection and thread, with a share of the events. */
  threads?: number;
  /** Events sent before the clock starts (after the measured ones' sequence numbers). */
  warmup?: number;
}

export interface RpcLoadResult {
  sent: number;
  failed: number;
  elapsedMs: number;
  eventsPerSec: number;
  error?: string;
  /** The launcher's exit code: 0 when every call was acknowledged. */
  exitCode: number | null;
  stderr: string;
}

/** Sends events with Flume's own RpcClient to an avro source; resolves when it is done. */
export function runRpcLoad(o: RpcLoadOptions): Promise<RpcLoadResult> {
  const cp = flumeClasspath();
  const a: string[] = ['--port', String(o.port), '--events', String(o.events)];
  const opt = (name: string, v: unknown) => {
    if (v !== undefined) a.push(`--${name}`, String(v));
  };
  opt('host', o.host);
  opt('mode', o.mode);
  opt('batch', o.batch);
  opt('body-size', o.bodySize);
  opt('start', o.start);
  for (const [k, v] of Object.entries(o.headers ?? {})) a.push('--header', `${k}=${v}`);
  opt('compression', o.compression);
  opt('compression-level', o.compressionLevel);
  if (o.ssl) {
    a.push('--ssl');
    if (o.ssl.trustAll) a.push('--trust-all');
    opt('truststore', o.ssl.truststore);
    opt('truststore-password', o.ssl.truststorePassword);
    opt('truststore-type', o.ssl.truststoreType);
  }
  opt('connect-timeout', o.connectTimeoutMs);
  opt('request-timeout', o.requestTimeoutMs);
  opt('threads', o.threads);
  opt('warmup', o.warmup);
  const proc = spawn('java', [...(o.jvmOpts ?? ['-Xmx256m']), '-cp', cp, 'flowc.peers.RpcLoad', ...a], { stdio: ['ignore', 'pipe', 'pipe'] });
  killAllAtExit();
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolvePromise, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => {
      running.delete(proc);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return reject(new Error(`RpcLoad printed no result (exit ${code}):\n${err}`));
      resolvePromise({ ...(JSON.parse(line) as Omit<RpcLoadResult, 'exitCode' | 'stderr'>), exitCode: code, stderr: err });
    });
  });
}

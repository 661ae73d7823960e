// The agent under attack: every network source the runtime has, each into its own memory
// channel and file_roll sink, run by `flowc run` in a child process with its monitor on.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../project.js';

export const SOURCES = ['http_json', 'http_blob', 'netcat', 'netcatudp', 'syslogtcp', 'syslogudp', 'multiport_syslogtcp', 'avro'] as const;
export type SourceName = (typeof SOURCES)[number];
export const UDP_SOURCES: ReadonlySet<SourceName> = new Set(['netcatudp', 'syslogudp']);

/** Events one memory channel holds: small enough that floods meet a full channel. */
export const CHANNEL_CAPACITY = 20_000;

function sourceDecl(name: SourceName, ports: number[]): string {
  const [p, p2] = ports;
  switch (name) {
    case 'http_json':
      return `source ${name} : http { bind = "127.0.0.1", port = ${p} }`;
    case 'http_blob':
      return `source ${name} : http { bind = "127.0.0.1", port = ${p}, handler = "org.apache.flume.source.http.BLOBHandler" }`;
    case 'netcat':
    case 'netcatudp':
    case 'avro':
      return `source ${name} : ${name} { bind = "127.0.0.1", port = ${p} }`;
    case 'syslogtcp':
    case 'syslogudp':
      return `source ${name} : ${name} { host = "127.0.0.1", port = ${p} }`;
    case 'multiport_syslogtcp':
      return `source ${name} : ${name} { host = "127.0.0.1", ports = [${p}, ${p2}], portHeader = "port" }`;
  }
}

export function agentFlow(ports: Record<SourceName, number[]>, outDir: string): string {
  const lines = ['agent fuzz {'];
  for (const s of SOURCES) {
    lines.push(`  ${sourceDecl(s, ports[s])}`);
    lines.push(`  channel c_${s} : memory { capacity = ${CHANNEL_CAPACITY}, transactionCapacity = 1_000, byteCapacity = 64MB }`);
    lines.push(`  sink k_${s} : file_roll { sink.directory = ${JSON.stringify(join(outDir, s))}, sink.rollInterval = 0s, sink.batchSize = 1_000 }`);
    lines.push(`  ${s} -> c_${s}`, `  c_${s} -> k_${s}`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export type Metrics = Record<string, Record<string, string>>;

export class FuzzAgent {
  /** The agent's stderr and stdout, last lines only. */
  readonly log: string[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly ports: Record<SourceName, number[]>,
    readonly monitorPort: number,
    readonly outDir: string,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.log.push(line);
      if (this.log.length > 400) this.log.splice(0, this.log.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    // The agent must not outlive the fuzzer, however the fuzzer ends.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    this.exited = new Promise((r) => child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      process.off('exit', kill);
      r();
    }));
  }

  static async start(dir: string): Promise<FuzzAgent> {
    const ports = {} as Record<SourceName, number[]>;
    const taken = new Set<number>();
    const fresh = async (udp: boolean) => {
      for (;;) {
        const p = udp ? await freeUdpPort() : await freeTcpPort();
        if (!taken.has(p)) {
          taken.add(p);
          return p;
        }
      }
    };
    for (const s of SOURCES) ports[s] = s === 'multiport_syslogtcp' ? [await fresh(false), await fresh(false)] : [await fresh(UDP_SOURCES.has(s))];
    const monitorPort = await fresh(false);
    const outDir = join(dir, 'out');
    for (const s of SOURCES) mkdirSync(join(outDir, s), { recursive: true });
    const flowPath = join(dir, 'fuzz.flow');
    writeFileSync(flowPath, agentFlow(ports, outDir));
    const child = spawn(process.execPath, [join(projectRoot, 'bin/flowc.js'), 'run', flowPath, '--monitor-port', String(monitorPort)], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const agent = new FuzzAgent(child, ports, monitorPort, outDir);
    const deadline = Date.now() + 60_000;
    while (!(await agent.healthy())) {
      if (agent.exit) throw new Error(`the agent exited at start (${JSON.stringify(agent.exit)}):\n${agent.log.join('\n')}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the agent did not start within 60 s:\n${agent.log.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return agent;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident memory of the agent's process, from /proc (0 where there is no /proc). */
  rssMb(): number {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.monitorPort}/health`, { signal: AbortSignal.timeout(2000) });
      await res.text();
      return res.ok;
    } catch {
      return false;
    }
  }

  async metrics(timeoutMs = 10_000): Promise<Metrics> {
    const res = await fetch(`http://127.0.0.1:${this.monitorPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return (await res.json()) as Metrics;
  }

  /** SIGTERM, as a user stops it: sources stop, sinks drain the channels, the process exits. */
  async stop(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (!this.exit) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return { ...this.exit!, killed: this.exit!.signal === 'SIGKILL' };
  }

  waitExit(): Promise<void> {
    return this.exited;
  }
}

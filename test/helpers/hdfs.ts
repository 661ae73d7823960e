// A real HDFS as a test peer: Hadoop 3.4's MiniDFSCluster (one namenode, one datanode, every port
// on 127.0.0.1), started by test/peers/hdfs/src/flowc/peers/MiniDfs.java and stopped by PID.
// Installed by `bash test/peers/install.sh` (see test/peers/README.md).
import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

import { WebHdfsClient } from '../../runtime/lib/webhdfs.js';

const peerRoot = resolve('test/peers/.cache/hdfs');

/** The classpath of the installed HDFS peer; throws a message saying how to install it. */
export function hdfsClasspath(): string {
  if (!existsSync(join(peerRoot, 'stamp'))) {
    throw new Error(`Hadoop's MiniDFSCluster (the HDFS test peer) is not installed in ${peerRoot}: run bash test/peers/install.sh`);
  }
  return [join(peerRoot, 'classes'), join(peerRoot, 'lib', '*')].join(delimiter);
}

export interface MiniDfs {
  pid: number;
  /** The namenode's RPC port: `hdfs://127.0.0.1:<rpcPort>/…` for Hadoop clients. */
  rpcPort: number;
  /** The namenode's HTTP port, which serves WebHDFS. */
  httpPort: number;
  /** The datanode's HTTP port, where WebHDFS redirects reads and writes. */
  datanodeHttpPort: number;
  /** The cluster's storage (removed by stop()). */
  baseDir: string;
  /** `http://127.0.0.1:<httpPort>/webhdfs/v1<path>?op=…&user.name=flowc&…`. */
  webhdfsUrl(path: string, op: string, params?: Record<string, string>): string;
  /** What the JVM printed (Hadoop logs to stderr). */
  logText(): string;
  /** SIGTERM, SIGKILL after graceMs (15 s); waits for the JVM to exit and removes baseDir. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** Starts a MiniDFSCluster and resolves once it serves (namenode out of safe mode, datanode registered). */
export async function startMiniDfs(opts: { startTimeoutMs?: number; jvmOpts?: string[] } = {}): Promise<MiniDfs> {
  const cp = hdfsClasspath();
  const baseDir = mkdtempSync(join(tmpdir(), 'flowc-minidfs-'));
  const proc = spawn('java', [...(opts.jvmOpts ?? ['-Xmx512m']), '-cp', cp, 'flowc.peers.MiniDfs', baseDir], {
    cwd: baseDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const p of running) p.kill('SIGKILL');
    });
  }
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) =>
    proc.once('exit', (code) => {
      running.delete(proc);
      r(code);
    }),
  );
  const stop = async (graceMs = 15_000) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(baseDir, { recursive: true, force: true });
  };

  const ports = await new Promise<{ rpcPort: number; httpPort: number; datanodeHttpPort: number }>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      void stop(2_000).then(() => reject(new Error(`MiniDFSCluster did not start in time:\n${stderr.slice(-4000)}`)));
    }, opts.startTimeoutMs ?? 120_000);
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line && stdout.includes('\n')) {
        clearTimeout(timer);
        resolveStart(JSON.parse(line));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`MiniDFSCluster exited (${code ?? proc.signalCode}) before it started:\n${stderr.slice(-4000)}`));
    });
  });

  return {
    pid: proc.pid!,
    ...ports,
    baseDir,
    webhdfsUrl: (path, op, params = {}) => {
      const q = new URLSearchParams({ op, 'user.name': 'flowc', ...params });
      return `http://127.0.0.1:${ports.httpPort}/webhdfs/v1${path.startsWith('/') ? path : `/${path}`}?${q}`;
    },
    logText: () => stderr,
    stop,
    exited,
  };
}

// Reading HDFS with Hadoop's own client API (test/peers/hdfs/src/flowc/peers/HdfsRead.java): a
// reader nobody here wrote, for what flowc or Flume wrote.

export interface HdfsEntry {
  /** The absolute path, without scheme and authority. */
  path: string;
  type: 'FILE' | 'DIRECTORY';
  length: number;
}

export interface SequenceFileContents {
  keyClass: string;
  valueClass: string;
  compressed: boolean;
  blockCompressed: boolean;
  codec: string | null;
  metadata: Record<string, string>;
  /** Each record's key as key.toString() and its value's bytes (BytesWritable or Text). */
  records: { key: string; value: Buffer }[];
}

function runHdfsRead(rpcPort: number, command: 'ls' | 'cat' | 'seq' | 'seqtree', path: string): Promise<Buffer> {
  const uri = `hdfs://127.0.0.1:${rpcPort}${path.startsWith('/') ? path : `/${path}`}`;
  const proc = spawn('java', ['-Xmx256m', '-cp', hdfsClasspath(), 'flowc.peers.HdfsRead', command, uri], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => out.push(d));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolveRead, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => {
      if (code === 0) resolveRead(Buffer.concat(out));
      else reject(new Error(`HdfsRead ${command} ${uri} failed (exit ${code}): ${err.split('\n').filter((l) => !/^\[|SLF4J|WARN/.test(l)).join('\n').trim() || err.slice(-2000)}`));
    });
  });
}

/** Every file and directory under `path`, listed by Hadoop's FileSystem (depth first, by name). */
export async function hdfsListTree(dfs: Pick<MiniDfs, 'rpcPort'>, path: string): Promise<HdfsEntry[]> {
  const text = (await runHdfsRead(dfs.rpcPort, 'ls', path)).toString('utf8');
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as HdfsEntry);
}

/** A file's bytes, read by Hadoop's FileSystem.open. */
export function hdfsReadFile(dfs: Pick<MiniDfs, 'rpcPort'>, path: string): Promise<Buffer> {
  return runHdfsRead(dfs.rpcPort, 'cat', path);
}

/** A SequenceFile read by Hadoop's SequenceFile.Reader: its header and every record. */
export async function hdfsReadSequenceFile(dfs: Pick<MiniDfs, 'rpcPort'>, path: string): Promise<SequenceFileContents> {
  const lines = (await runHdfsRead(dfs.rpcPort, 'seq', path)).toString('utf8').split('\n').filter((l) => l.startsWith('{'));
  return parseSequenceFile(lines);
}

/** Every file under a directory read as a SequenceFile by Hadoop (one JVM): path → contents. */
export async function hdfsReadSequenceFiles(dfs: Pick<MiniDfs, 'rpcPort'>, dir: string): Promise<Map<string, SequenceFileContents>> {
  const lines = (await runHdfsRead(dfs.rpcPort, 'seqtree', dir)).toString('utf8').split('\n').filter((l) => l.startsWith('{'));
  const out = new Map<string, SequenceFileContents>();
  let start = -1;
  const flush = (end: number) => {
    if (start >= 0) out.set((JSON.parse(lines[start]!) as { file: string }).file, parseSequenceFile(lines.slice(start + 1, end)));
  };
  for (const [i, l] of lines.entries()) {
    if (l.startsWith('{"file":')) {
      flush(i);
      start = i;
    }
  }
  flush(lines.length);
  return out;
}

function parseSequenceFile(lines: string[]): SequenceFileContents {
  const head = JSON.parse(lines[0]!) as Omit<SequenceFileContents, 'records'>;
  const records = lines.slice(1).map((l) => {
    const r = JSON.parse(l) as { key: string; value: string };
    return { key: r.key, value: Buffer.from(r.value, 'base64') };
  });
  return { ...head, records };
}

/**
 * A MiniDFSCluster for the enclosing describe block, with a WebHDFS client on it: started before
 * its tests, stopped after them (by PID, also when a test failed).
 */
export function useMiniDfs(): { readonly dfs: MiniDfs; readonly client: WebHdfsClient } {
  const state = {} as { dfs: MiniDfs; client: WebHdfsClient };
  beforeAll(async () => {
    state.dfs = await startMiniDfs();
    state.client = new WebHdfsClient({ namenodes: `http://127.0.0.1:${state.dfs.httpPort}`, user: 'flowc' });
  }, 180_000);
  afterAll(async () => {
    state.client?.close();
    await state.dfs?.stop();
  }, 60_000);
  return state;
}

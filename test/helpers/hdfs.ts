// A real HDFS as a test peer: Hadoop 3.4's MiniDFSCluster (one namenode, one datanode, every port
// on 127.0.0.1), started by test/peers/hdfs/src/flowc/peers/MiniDfs.java and stopped by PID.
// Installed by `bash test/peers/install.sh` (see test/peers/README.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

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

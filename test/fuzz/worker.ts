// Runs inputs [start, end) of one target in a worker thread. The index being worked on is kept
// in shared memory, so that the runner can tell which input hangs or blows up memory even when
// this thread is stuck or killed.
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from './rng.js';
import { loadTarget } from './targets.js';
import { currentThreadId, threadCpuMs } from './thread-cpu.js';
import type { Finding } from './target.js';

export interface WorkerJob {
  target: string;
  seed: number;
  start: number;
  end: number;
  /** Int32Array over a SharedArrayBuffer: [current index, this thread's kernel id (-1: unknown)]. */
  current: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'finding'; index: number; finding: Finding }
  | { type: 'done'; slowestMs: number; slowestIndex: number; slowestCpuMs?: number; slowestCpuIndex: number };

const job = workerData as WorkerJob;
const current = new Int32Array(job.current);
const tid = currentThreadId();
Atomics.store(current, 1, tid);
const target = loadTarget(job.target);
let slowestMs = 0;
let slowestIndex = -1;
let slowestCpuMs: number | undefined;
let slowestCpuIndex = -1;
for (let i = job.start; i < job.end; i++) {
  Atomics.store(current, 0, i);
  const t0 = performance.now();
  const cpu0 = threadCpuMs(tid);
  let finding: Finding | undefined;
  try {
    finding = target.check(target.generate(Rng.forInput(job.seed, job.target, i), i));
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    finding = { kind: 'crash', message: `${err.name}: ${err.message}`, ...(err.stack ? { detail: err.stack } : {}) };
  }
  const ms = performance.now() - t0;
  if (ms > slowestMs) [slowestMs, slowestIndex] = [ms, i];
  const cpu = cpu0 === undefined ? undefined : threadCpuMs(tid)! - cpu0;
  if (cpu !== undefined && cpu > (slowestCpuMs ?? -1)) [slowestCpuMs, slowestCpuIndex] = [cpu, i];
  if (finding) parentPort!.postMessage({ type: 'finding', index: i, finding } satisfies WorkerMessage);
}
parentPort!.postMessage({ type: 'done', slowestMs, slowestIndex, ...(slowestCpuMs === undefined ? {} : { slowestCpuMs }), slowestCpuIndex } satisfies WorkerMessage);

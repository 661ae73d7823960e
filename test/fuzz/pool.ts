// Runs an in-process target in worker threads and watches them: an input that runs past the
// time budget is a hang (the worker is stopped and a new one goes on after it), one that
// exceeds the heap limit is a memory blow-up. Each worker takes a contiguous share of indexes.
// The budget is CPU time of the worker's thread (on Linux), so that the load of other jobs on a
// shared machine does not count; a wall-clock limit of WALL_FACTOR budgets still stops an input
// that waits without computing.
import { Worker } from 'node:worker_threads';
import { Findings } from './findings.js';
import { Rng } from './rng.js';
import { loadTarget } from './targets.js';
import { threadCpuMs } from './thread-cpu.js';
import type { TargetSummary } from './target.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export interface PoolOptions {
  target: string;
  seed: number;
  start: number;
  count: number;
  jobs: number;
  /** CPU time (wall time where the thread's CPU time cannot be read) one input may take before it counts as a hang. */
  budgetMs: number;
  /** Heap one worker may use before an input counts as a memory blow-up. */
  heapMb: number;
  outDir: string;
  progress?: (done: number) => void;
}

/** How many budgets of wall time an input may take, whatever its CPU time. */
const WALL_FACTOR = 10;

export async function runInWorkers(o: PoolOptions): Promise<TargetSummary> {
  const target = loadTarget(o.target);
  const findings = new Findings({ target: o.target, seed: o.seed, outDir: o.outDir, extension: target.extension, replay: target.replay });
  const inputOf = (index: number) => target.generate(Rng.forInput(o.seed, o.target, index), index);
  const t0 = performance.now();
  const end = o.start + o.count;
  const share = Math.ceil(o.count / o.jobs);
  const slowest: Slowest = { ms: 0, index: -1, cpuMs: -1, cpuIndex: -1 };
  const lanes: Promise<void>[] = [];
  const done = new Array<number>(o.jobs).fill(0);
  for (let j = 0; j < o.jobs; j++) {
    const from = o.start + j * share;
    const to = Math.min(end, from + share);
    if (from >= to) continue;
    lanes.push(
      runLane(from, to, o, findings, inputOf, (n) => {
        done[j] = n;
        o.progress?.(done.reduce((a, b) => a + b, 0));
      }).then((s) => keepSlowest(slowest, s)),
    );
  }
  await Promise.all(lanes);
  const seconds = (performance.now() - t0) / 1000;
  const cpuNote = slowest.cpuMs >= 0 ? `; most CPU time: ${slowest.cpuMs.toFixed(0)} ms (#${slowest.cpuIndex}); budget ${o.budgetMs} ms of CPU time` : `; budget ${o.budgetMs} ms of wall time`;
  return findings.summary(o.count, seconds, [`slowest input: ${slowest.ms.toFixed(0)} ms of wall time (#${slowest.index})${cpuNote}`, `seeds: ${target.describeSeeds()}`]);
}

interface Slowest {
  ms: number;
  index: number;
  /** -1 when no thread CPU time could be read. */
  cpuMs: number;
  cpuIndex: number;
}

function keepSlowest(into: Slowest, s: Slowest): void {
  if (s.ms > into.ms) [into.ms, into.index] = [s.ms, s.index];
  if (s.cpuMs > into.cpuMs) [into.cpuMs, into.cpuIndex] = [s.cpuMs, s.cpuIndex];
}

/** Inputs [from, to) in one worker after another, each new one after a hang or a blow-up. */
async function runLane(
  from: number,
  to: number,
  o: PoolOptions,
  findings: Findings,
  inputOf: (i: number) => string | Buffer,
  progress: (n: number) => void,
): Promise<Slowest> {
  let next = from;
  const slowest: Slowest = { ms: 0, index: -1, cpuMs: -1, cpuIndex: -1 };
  while (next < to) {
    const outcome = await runWorker(next, to, o, findings, inputOf, progress, from);
    if (outcome.kind === 'done') {
      keepSlowest(slowest, { ms: outcome.slowestMs, index: outcome.slowestIndex, cpuMs: outcome.slowestCpuMs ?? -1, cpuIndex: outcome.slowestCpuIndex });
      break;
    }
    const index = outcome.index;
    if (outcome.kind === 'hang') {
      findings.add(index, { kind: 'hang', message: outcome.message }, inputOf(index));
    } else {
      findings.add(index, { kind: outcome.kind, message: outcome.message }, inputOf(index));
    }
    next = index + 1;
  }
  progress(to - from);
  return slowest;
}

type WorkerOutcome =
  | { kind: 'done'; slowestMs: number; slowestIndex: number; slowestCpuMs?: number; slowestCpuIndex: number }
  | { kind: 'hang' | 'memory' | 'crash'; index: number; message: string };

function runWorker(
  start: number,
  end: number,
  o: PoolOptions,
  findings: Findings,
  inputOf: (i: number) => string | Buffer,
  progress: (n: number) => void,
  laneStart: number,
): Promise<WorkerOutcome> {
  const current = new SharedArrayBuffer(8);
  const index = new Int32Array(current);
  index[0] = -1;
  index[1] = -1;
  const job: WorkerJob = { target: o.target, seed: o.seed, start, end, current };
  // The CLI's main thread has V8's default stack (under 1 MB): give the worker no more, so
  // that a recursion too deep for `flowc` is too deep here as well.
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: o.heapMb, stackSizeMb: 1 },
  });
  return new Promise((resolve) => {
    let settled = false;
    let seen = -1;
    let since = performance.now();
    let cpuSince: number | undefined;
    const settle = (outcome: WorkerOutcome) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      void worker.terminate();
      resolve(outcome);
    };
    const watch = setInterval(() => {
      const now = Atomics.load(index, 0);
      const cpu = threadCpuMs(Atomics.load(index, 1));
      if (now !== seen) {
        seen = now;
        since = performance.now();
        cpuSince = cpu;
        if (now >= 0) progress(now - laneStart);
      } else if (now >= 0) {
        const wall = performance.now() - since;
        const byCpu = cpu !== undefined && cpuSince !== undefined;
        if (byCpu && cpu - cpuSince! > o.budgetMs) settle({ kind: 'hang', index: now, message: `input took more than ${o.budgetMs} ms of CPU time` });
        else if (!byCpu && wall > o.budgetMs) settle({ kind: 'hang', index: now, message: `input took longer than ${o.budgetMs} ms` });
        else if (wall > WALL_FACTOR * o.budgetMs) settle({ kind: 'hang', index: now, message: `input took longer than ${WALL_FACTOR * o.budgetMs} ms of wall time (${WALL_FACTOR} budgets)` });
      }
    }, 100);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'finding') findings.add(m.index, m.finding, inputOf(m.index));
      else settle({ kind: 'done', slowestMs: m.slowestMs, slowestIndex: m.slowestIndex, ...(m.slowestCpuMs === undefined ? {} : { slowestCpuMs: m.slowestCpuMs }), slowestCpuIndex: m.slowestCpuIndex });
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const at = Math.max(start, Atomics.load(index, 0));
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') settle({ kind: 'memory', index: at, message: `input used more than ${o.heapMb} MB of heap` });
      else settle({ kind: 'crash', index: at, message: `the worker died: ${e.message}` });
    });
    worker.on('exit', (code) => {
      const at = Math.max(start, Atomics.load(index, 0));
      settle({ kind: 'crash', index: at, message: `the worker exited with code ${code}` });
    });
  });
}

// What a fuzz target is, and what a run of one reports.
import type { Rng } from './rng.js';

/** A defect one input showed. Crashes, hangs and memory blow-ups are found by the runner. */
export interface Finding {
  kind: 'crash' | 'hang' | 'memory' | 'formatter' | 'import' | 'lost-event' | 'unserved';
  message: string;
  /** More to read: the formatted text, the properties that differ, a stack. */
  detail?: string;
}

/** A target run input by input inside a worker thread (the runner watches time and memory). */
export interface FuzzTarget {
  name: string;
  /** The extension of the files failures are written to. */
  extension: string;
  describeSeeds(): string;
  /** Input `index` of a run; the same generator state always gives the same input. */
  generate(rng: Rng, index: number): string | Buffer;
  /** Undefined when the input was handled as promised; a thrown exception is a crash. */
  check(input: string | Buffer): Finding | undefined;
  /** The flowc command a user would run to see the failure on a written input. */
  replay(path: string): string;
}

export interface TargetSummary {
  target: string;
  inputs: number;
  seconds: number;
  /** Findings by kind. */
  counts: Partial<Record<Finding['kind'], number>>;
  /** Distinct findings (message with numbers blurred), with how often each was seen. */
  distinct: { kind: Finding['kind']; message: string; count: number; file?: string }[];
  /** Further figures worth recording (slowest input, peak memory ...). */
  notes: string[];
}

export function failureCount(s: TargetSummary): number {
  return Object.values(s.counts).reduce((n, c) => n + (c ?? 0), 0);
}

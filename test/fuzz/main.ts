// `npm run fuzz`: runs the fuzz targets for a set number of inputs, deterministically by seed.
//
//   npm run fuzz -- [--target flow,import,network] [--count N] [--seed S] [--start I]
//                   [--jobs J] [--budget MS] [--out DIR] [--json FILE]
//   npm run fuzz -- --target flow --replay fuzz-failures/flow-seed1-123.flow
//
// --budget is the CPU time one input of flow or import may take (its worker thread's, read from
// /proc on Linux; wall time elsewhere) before it counts as a hang; ten budgets of wall time
// also count as one.
//
// FUZZ_COUNT and FUZZ_SEED stand for --count and --seed. Each failing input is written to the
// output folder (default fuzz-failures/) with a .report.txt beside it that says how to replay it.
// Exit code: 0 when no target found anything, 1 otherwise, 2 on a usage mistake.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runAvroFrames } from './avro-target.js';
import { readAttacks, runNetwork } from './network/run.js';
import { runInWorkers } from './pool.js';
import { loadTarget, IN_PROCESS_TARGETS } from './targets.js';
import { failureCount, type TargetSummary } from './target.js';

const ALL_TARGETS: readonly string[] = [...IN_PROCESS_TARGETS, 'network', 'avro-frames'];

function usage(message: string): never {
  process.stderr.write(`fuzz: ${message}\n(targets: ${ALL_TARGETS.join(', ')})\n`);
  process.exit(2);
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) usage(`${name} must be a whole number, not \`${value}\``);
  return Number(value);
}

// Stopped with Ctrl-C or a signal: exit through 'exit', which also stops a fuzzed agent.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    start: { type: 'string' },
    jobs: { type: 'string' },
    budget: { type: 'string' },
    heap: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    replay: { type: 'string' },
    burst: { type: 'string' },
    parallel: { type: 'string' },
    'serve-ms': { type: 'string' },
    'rss-mb': { type: 'string' },
  },
});

const targets = (values.target ?? ALL_TARGETS.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
for (const t of targets) if (!ALL_TARGETS.includes(t) && t !== 'canary') usage(`unknown target \`${t}\``);

const networkOptions = {
  burst: Math.max(1, wholeNumber('--burst', values.burst, 64)),
  parallel: Math.max(1, wholeNumber('--parallel', values.parallel, 16)),
  serveMs: wholeNumber('--serve-ms', values['serve-ms'], 20_000),
  rssLimitMb: wholeNumber('--rss-mb', values['rss-mb'], 768),
};

if (values.replay !== undefined) {
  if (targets.length !== 1) usage('--replay needs one --target');
  if (targets[0] === 'avro-frames') usage('avro-frames replays by index: --target avro-frames --seed S --start I --count 1');
  process.exit(targets[0] === 'network' ? await replayNetwork(values.replay) : replay(targets[0]!, values.replay));
}

const count = wholeNumber('--count', values.count ?? process.env.FUZZ_COUNT, 1000);
const seed = wholeNumber('--seed', values.seed ?? process.env.FUZZ_SEED, 1);
const start = wholeNumber('--start', values.start, 0);
const jobs = Math.max(1, wholeNumber('--jobs', values.jobs, 1));
const budgetMs = wholeNumber('--budget', values.budget, 10_000);
const heapMb = wholeNumber('--heap', values.heap, 1024);
const outDir = values.out ?? 'fuzz-failures';

process.stdout.write(`fuzz: ${targets.join(', ')}; ${count} inputs each from #${start}; seed ${seed}; ${jobs} job(s); budget ${budgetMs} ms of CPU time per input\n`);
const summaries: TargetSummary[] = [];
for (const target of targets) {
  let lastShown = performance.now();
  // On a terminal a line that updates; elsewhere (CI logs) a line every half minute.
  const progress = (done: number) => {
    const tty = process.stdout.isTTY === true;
    if (performance.now() - lastShown < (tty ? 500 : 30_000)) return;
    lastShown = performance.now();
    process.stdout.write(tty ? `\r\u001b[2K${target}: ${done}/${count}` : `${target}: ${done}/${count}\n`);
  };
  const summary =
    target === 'network'
      ? await runNetwork({ seed, start, count, outDir, ...networkOptions, progress })
      : target === 'avro-frames'
        ? await runAvroFrames({ seed, start, count, outDir, parallel: networkOptions.parallel })
        : await runInWorkers({ target, seed, start, count, jobs, budgetMs, heapMb, outDir, progress });
  if (process.stdout.isTTY) process.stdout.write('\r\u001b[2K');
  summaries.push(summary);
  printSummary(summary);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ seed, start, count, summaries }, null, 2)}\n`);
const failed = summaries.reduce((n, s) => n + failureCount(s), 0);
process.stdout.write(failed === 0 ? 'fuzz: no failures\n' : `fuzz: ${failed} failing input(s); see ${outDir}/\n`);
process.exit(failed === 0 ? 0 : 1);

function printSummary(s: TargetSummary): void {
  const kinds = ['crash', 'hang', 'memory', 'formatter', 'import', 'lost-event', 'unserved'] as const;
  const rate = s.inputs / Math.max(s.seconds, 0.001);
  const found = kinds.filter((k) => s.counts[k]).map((k) => `${s.counts[k]} ${k}`).join(', ') || '0 failures';
  process.stdout.write(`${s.target}: ${s.inputs} inputs in ${s.seconds.toFixed(1)} s (${rate.toFixed(0)}/s): ${found}\n`);
  for (const n of s.notes) process.stdout.write(`  ${n}\n`);
  for (const d of s.distinct) process.stdout.write(`  ${d.count} x ${d.kind}: ${d.message.split('\n')[0]}${d.file ? ` (${d.file})` : ''}\n`);
}

function replay(targetName: string, path: string): number {
  const target = loadTarget(targetName);
  const bytes = readFileSync(path);
  const input = target.extension === '.flow' ? bytes.toString('utf8') : bytes;
  try {
    const finding = target.check(input);
    if (!finding) {
      process.stdout.write(`${path}: handled as promised\n`);
      return 0;
    }
    process.stdout.write(`${path}: ${finding.kind}: ${finding.message}\n${finding.detail ?? ''}\n`);
  } catch (e) {
    process.stdout.write(`${path}: crash: ${(e as Error).stack ?? String(e)}\n`);
  }
  return 1;
}

async function replayNetwork(path: string): Promise<number> {
  const attacks = readAttacks(path);
  const summary = await runNetwork({ seed: 0, start: attacks[0]?.index ?? 0, count: attacks.length, outDir: 'fuzz-failures/replayed', ...networkOptions, burst: attacks.length, attacks });
  printSummary(summary);
  return failureCount(summary) === 0 ? 0 : 1;
}

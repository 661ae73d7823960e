// Kafka runtime benchmark (part of `npm run bench:runtime`): flowc's Kafka sink and source
// against Apache Flume 1.11's on one real broker in the same run (bench/runtime/kafka.mjs).
//
//   node bench/kafka.bench.mjs [--events N] [--runs R] [--no-record]
//
// Records its table in bench/RESULTS.md between the bench:kafka markers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, recordBlock } from './runtime/harness.mjs';
import { kafkaCases } from './runtime/kafka.mjs';

const argv = process.argv.slice(2);
const option = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const N = Number(option('--events', '1000000'));
const RUNS = Number(option('--runs', '2'));
const RECORD = !argv.includes('--no-record');
const started = Date.now();
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const tmp = mkdtempSync(join(tmpdir(), 'flowc-kafka-bench-'));
const k = (n) => n.toLocaleString('en-US');

let rows;
try {
  rows = await kafkaCases(tmp, N, RUNS);
} finally {
  killAll();
  rmSync(tmp, { recursive: true, force: true });
}
const block = [
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version.slice(1)}, load average before the run ${load}. Best of ${RUNS} runs each, flowc and Flume alternating; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
  '',
  '| case | events | flowc: events/s · CPU µs/event · peak RSS | Flume 1.11: events/s · CPU µs/event · peak RSS | flowc ÷ Flume | goal |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.case} | ${k(r.events)} | ${k(r.flowc.eventsPerSec)} · ${r.flowc.cpuUsPerEvent} · ${r.flowc.peakRssMb} MB | ${k(r.flume.eventsPerSec)} · ${r.flume.cpuUsPerEvent} · ${r.flume.peakRssMb} MB | ${r.ratio} × | ≥ 1.5 × ${r.ratio >= 1.5 ? 'met' : 'not met'} |`),
  '',
  `Every run (events/s): ${rows.map((r) => `${r.case}: flowc ${r.flowcRuns.map(k).join(', ')}; Flume ${r.flumeRuns.map(k).join(', ')}`).join('. ')}.`,
].join('\n');
process.stdout.write(`${block}\n`);
if (RECORD) recordBlock('kafka', 'node bench/kafka.bench.mjs', block);
process.exit(0);

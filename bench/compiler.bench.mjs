// Compiler benchmark: parse + check + emit of 10,000 components across 100 agents.
// Target (issue 2): under 1 s and under 200 MB peak RSS, for one compile as the CLI does it
// (a fresh process). Warm runs show the steady state without JIT warm-up.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./compiler-run.mjs', import.meta.url));
const run = (repeat) => JSON.parse(execFileSync(process.execPath, [runner, String(repeat)], { encoding: 'utf8' }));

const cold = run(1);
const warm = run(6);
const first = cold.runs[0];
const steady = warm.runs.slice(1).sort((a, b) => a.total - b.total)[2];
const fmt = (n) => `${n.toFixed(0)} ms`;
const met = first.total < 1000 && cold.peakRssMb < 200;

console.log(`compiler: ${cold.lines} lines, 10,000 components, 100 agents (${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version})`);
console.log(`  one compile, fresh process: parse ${fmt(first.parse)}, resolve+check ${fmt(first.check)}, emit ${fmt(first.emit)}, total ${fmt(first.total)}, peak RSS ${cold.peakRssMb.toFixed(0)} MB`);
console.log(`  warm (median of 5)        : parse ${fmt(steady.parse)}, resolve+check ${fmt(steady.check)}, emit ${fmt(steady.emit)}, total ${fmt(steady.total)}`);
console.log(`  target: total < 1000 ms and peak RSS < 200 MB -> ${met ? 'met' : 'NOT met'}`);

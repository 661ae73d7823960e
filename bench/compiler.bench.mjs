// Compiler benchmark: parse + check + emit of 10,000 components across 100 agents.
// Target (issue 2): under 1 s and under 200 MB peak RSS. Run with `npm run bench`.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { generateFlow } from './generate.mjs';
import { parseFlow } from '../dist/grammar/index.js';
import { resolve } from '../dist/compiler/resolve.js';
import { check } from '../dist/compiler/check/index.js';
import { emitProperties } from '../dist/compiler/emit/properties.js';

const text = generateFlow(100, 100);
const lines = text.split('\n').length;

function once() {
  const t0 = performance.now();
  const parsed = parseFlow(text, 'bench.flow');
  const t1 = performance.now();
  const resolved = resolve([parsed.file]);
  const diagnostics = [...parsed.diagnostics, ...resolved.diagnostics, ...check(resolved.program)];
  const t2 = performance.now();
  const files = emitProperties(resolved.program);
  const t3 = performance.now();
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`benchmark input has errors: ${errors[0].message}`);
  if (files.length !== 100) throw new Error('expected 100 agents');
  return { parse: t1 - t0, check: t2 - t1, emit: t3 - t2, total: t3 - t0 };
}

// The first run includes JIT warm-up; a CLI pays that cost once, so report both.
const cold = once();
const warm = [];
for (let i = 0; i < 5; i++) warm.push(once());
warm.sort((a, b) => a.total - b.total);
const median = warm[2];
const peakRssMb = process.resourceUsage().maxRSS / 1024;

const fmt = (n) => `${n.toFixed(0)} ms`;
console.log(`compiler: ${lines} lines, 10,000 components, 100 agents (${cpus()[0]?.model ?? 'unknown cpu'})`);
console.log(`  cold run : parse ${fmt(cold.parse)}, resolve+check ${fmt(cold.check)}, emit ${fmt(cold.emit)}, total ${fmt(cold.total)}`);
console.log(`  warm run : parse ${fmt(median.parse)}, resolve+check ${fmt(median.check)}, emit ${fmt(median.emit)}, total ${fmt(median.total)} (median of 5)`);
console.log(`  peak RSS : ${peakRssMb.toFixed(0)} MB`);
console.log(`  target   : total < 1000 ms, peak RSS < 200 MB -> ${cold.total < 1000 && peakRssMb < 200 ? 'met' : 'NOT met'}`);

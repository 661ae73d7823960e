// One compile of the generated flow, in a fresh process, as the CLI would do it.
// Prints a JSON line with timings and peak RSS. Used by compiler.bench.mjs.
import { performance } from 'node:perf_hooks';
import { generateFlow } from './generate.mjs';
import { parseFlow } from '../dist/grammar/index.js';
import { resolve } from '../dist/compiler/resolve.js';
import { check } from '../dist/compiler/check/index.js';
import { emitProperties } from '../dist/compiler/emit/properties.js';

const repeat = Number(process.argv[2] ?? 1);
const text = generateFlow(100, 100);
const runs = [];
for (let i = 0; i < repeat; i++) {
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
  runs.push({ parse: t1 - t0, check: t2 - t1, emit: t3 - t2, total: t3 - t0 });
}
console.log(JSON.stringify({ lines: text.split('\n').length, runs, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

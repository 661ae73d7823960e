// One measurement of bench/scale.bench.mjs, in a fresh process: `node scale-run.mjs WHAT N`.
// Prints JSON: wall and CPU milliseconds of the work alone, and the peak RSS of the process.
import { performance } from 'node:perf_hooks';
import { compileText } from '../dist/compiler/program.js';
import { readFlumeConfig } from '../dist/compiler/flume/read-config.js';
import { importConfig } from '../dist/compiler/import/import.js';
import { formatFlow } from '../dist/compiler/format/printer.js';

const [what, nText] = process.argv.slice(2);
const n = Number(nText);
const third = Math.floor(n / 3);
const names = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(' ');

/** One agent of n components: a third each of sources (with an interceptor), channels, sinks. */
function flowFile() {
  const out = ['agent a1 {'];
  for (let i = 0; i < third; i++) out.push(`  channel c${i} : memory { capacity = 1000 }`);
  for (let i = 0; i < third; i++) out.push(`  source r${i} : netcat { bind = "127.0.0.1", port = ${1024 + (i % 60000)} }`);
  for (let i = 0; i < third; i++) out.push(`  sink k${i} : logger {}`);
  for (let i = 0; i < third; i++) out.push(`  r${i} | timestamp -> c${i}`, `  c${i} -> k${i}`);
  return `${out.join('\n')}\n}\n`;
}

/** The same agent as flume.properties. */
function propertiesFile() {
  const out = [`a1.sources = ${names('r', third)}`, `a1.channels = ${names('c', third)}`, `a1.sinks = ${names('k', third)}`];
  for (let i = 0; i < third; i++) {
    out.push(`a1.sources.r${i}.type = netcat`, `a1.sources.r${i}.bind = 127.0.0.1`, `a1.sources.r${i}.port = ${1024 + (i % 60000)}`, `a1.sources.r${i}.channels = c${i}`);
    out.push(`a1.channels.c${i}.type = memory`, `a1.sinks.k${i}.type = logger`, `a1.sinks.k${i}.channel = c${i}`);
  }
  return `${out.join('\n')}\n`;
}

/** n components that are each wrong: unknown kinds and references to undeclared channels. */
function invalidFlowFile() {
  const out = ['agent a1 {'];
  for (let i = 0; i < n / 2; i++) out.push(`  sink k${i} : nosuchkind { x = 1 }`);
  for (let i = 0; i < n / 2; i++) out.push(`  ch${i} -> k${i}`);
  return `${out.join('\n')}\n}\n`;
}

const inputs = {
  check: () => flowFile(),
  'check-invalid': () => invalidFlowFile(),
  import: () => propertiesFile(),
  'import-list': () => `a1.sinks = ${names('k', n)}\n`,
};
const text = inputs[what]();
const work = {
  check: () => compileText(text, 'scale.flow').diagnostics.length,
  'check-invalid': () => compileText(text, 'scale.flow').diagnostics.length,
  import: () => formatFlow(importConfig(readFlumeConfig(text, 'scale.properties'), 'scale.flow')).length,
  'import-list': () => formatFlow(importConfig(readFlumeConfig(text, 'scale.properties'), 'scale.flow')).length,
}[what];

const cpu0 = process.cpuUsage();
const t0 = performance.now();
work();
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ what, n, bytes: Buffer.byteLength(text), wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

// Start-up benchmark (issue 9): how long `flowc --version` and a check of the quickstart take
// as a user runs them, against `node -e 0`, hyperfine-style: warm-up runs, then N runs each,
// interleaved so that load on the machine hits every command alike. Target: a small check
// under 150 ms.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.STARTUP_RUNS ?? 30);
const commands = {
  'node -e 0': [process.execPath, '-e', '0'],
  'flowc --version': [process.execPath, 'bin/flowc.js', '--version'],
  'flowc check examples/quickstart.flow': [process.execPath, 'bin/flowc.js', 'check', 'examples/quickstart.flow'],
  // The same command from the tsc output (what bin/flowc.js did before the one-file bundle).
  'FLOWC_NO_BUNDLE=1 flowc check (dist/)': [process.execPath, 'bin/flowc.js', 'check', 'examples/quickstart.flow'],
};
const envOf = { 'FLOWC_NO_BUNDLE=1 flowc check (dist/)': { FLOWC_NO_BUNDLE: '1' } };
// STARTUP_BASELINE=<a built checkout of an older flowc>: its figures in the same run, for a ratio
// that the load on a shared machine does not skew.
const baseline = process.env.STARTUP_BASELINE;
if (baseline) {
  commands['baseline --version'] = [process.execPath, `${baseline}/bin/flowc.js`, '--version'];
  commands['baseline check examples/quickstart.flow'] = [process.execPath, `${baseline}/bin/flowc.js`, 'check', 'examples/quickstart.flow'];
}

// CPU time (user + system) of each run too, from GNU time where there is one: on a shared
// machine the wall time mostly measures the wait for a core, the CPU time much less so.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuSamples = {};

function time([cmd, ...args], env, name) {
  const argv = gnuTime ? [gnuTime, '-f', 'cpu %U %S', cmd, ...args] : [cmd, ...args];
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (name && cpu) (cpuSamples[name] ??= []).push((Number(cpu[1]) + Number(cpu[2])) * 1000);
  return wall;
}

const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const [name, argv] of Object.entries(commands)) time(argv, envOf[name]);
for (let i = 0; i < runs; i++) for (const [name, argv] of Object.entries(commands)) samples[name].push(time(argv, envOf[name], name));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { median: s[Math.floor(s.length / 2)], min: s[0], mean, sd: Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length) };
};
console.log(`startup: ${runs} runs each, interleaved (${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
const base = stats(samples['node -e 0']);
for (const name of Object.keys(commands)) {
  const s = stats(samples[name]);
  const over = name === 'node -e 0' ? '' : `, +${(s.median - base.median).toFixed(0)} ms over node`;
  const cpu = cpuSamples[name] ? `  cpu median ${stats(cpuSamples[name]).median.toFixed(0).padStart(4)} ms` : '';
  console.log(`  ${name.padEnd(38)} median ${s.median.toFixed(0).padStart(4)} ms  min ${s.min.toFixed(0).padStart(4)} ms  mean ${s.mean.toFixed(0)} ± ${s.sd.toFixed(0)} ms${cpu}${over}`);
}
const check = stats(samples['flowc check examples/quickstart.flow']);
console.log(`  target: small check < 150 ms -> median ${check.median < 150 ? 'met' : 'NOT met'}, min ${check.min < 150 ? 'met' : 'NOT met'}`);

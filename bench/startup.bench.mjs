// Start-up benchmark (issue 9): how long `flowc --version` and a check of the quickstart take
// as a user runs them, against `node -e 0`, hyperfine-style: warm-up runs, then N runs each,
// interleaved so that load on the machine hits every command alike. Target: a small check
// under 150 ms.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.STARTUP_RUNS ?? 30);
const commands = {
  'node -e 0': [process.execPath, '-e', '0'],
  'flowc --version': [process.execPath, 'bin/flowc.js', '--version'],
  'flowc check examples/quickstart.flow': [process.execPath, 'bin/flowc.js', 'check', 'examples/quickstart.flow'],
};
// STARTUP_BASELINE=<a built checkout of an older flowc>: its figures in the same run, for a ratio
// that the load on a shared machine does not skew.
const baseline = process.env.STARTUP_BASELINE;
if (baseline) {
  commands['baseline --version'] = [process.execPath, `${baseline}/bin/flowc.js`, '--version'];
  commands['baseline check examples/quickstart.flow'] = [process.execPath, `${baseline}/bin/flowc.js`, 'check', 'examples/quickstart.flow'];
}

function time([cmd, ...args]) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < 3; i++) for (const argv of Object.values(commands)) time(argv);
for (let i = 0; i < runs; i++) for (const [name, argv] of Object.entries(commands)) samples[name].push(time(argv));

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { median: s[Math.floor(s.length / 2)], min: s[0], mean, sd: Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length) };
};
console.log(`startup: ${runs} runs each, interleaved (${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`);
const base = stats(samples['node -e 0']);
for (const name of Object.keys(commands)) {
  const s = stats(samples[name]);
  const over = name === 'node -e 0' ? '' : `, +${(s.median - base.median).toFixed(0)} ms over node`;
  console.log(`  ${name.padEnd(38)} median ${s.median.toFixed(0).padStart(4)} ms  min ${s.min.toFixed(0).padStart(4)} ms  mean ${s.mean.toFixed(0)} ± ${s.sd.toFixed(0)} ms${over}`);
}
const check = stats(samples['flowc check examples/quickstart.flow']);
console.log(`  target: small check < 150 ms -> median ${check.median < 150 ? 'met' : 'NOT met'}, min ${check.min < 150 ? 'met' : 'NOT met'}`);

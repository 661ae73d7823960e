// Scale benchmark (issue 9): check and import of one agent of 10k, 50k and 100k components,
// an invalid file of as many mistakes, and a sink list of as many names. Each figure comes
// from a fresh process. Linear means the time per component stays flat from 10k to 100k; the
// ratio column is time(n) / time(10k) / (n / 10k): about 1 when linear, 10 at 100k if quadratic.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./scale-run.mjs', import.meta.url));
const sizes = (process.env.SCALE_SIZES ?? '10000,50000,100000').split(',').map(Number);
const run = (what, n) => JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=4096', runner, what, String(n)], { encoding: 'utf8' }));

console.log(`scale: one agent of n components, fresh process per figure (${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version})`);
console.log('  what            n        input     wall       cpu   µs/component (cpu)   ratio   peak RSS');
for (const what of ['check', 'check-invalid', 'import', 'import-list']) {
  let base;
  for (const n of sizes) {
    const r = run(what, n);
    base ??= r;
    const ratio = r.cpuMs / base.cpuMs / (n / base.n);
    console.log(
      `  ${what.padEnd(14)} ${String(n).padStart(7)} ${`${(r.bytes / 1e6).toFixed(1)} MB`.padStart(9)} ${`${r.wallMs.toFixed(0)} ms`.padStart(9)} ${`${r.cpuMs.toFixed(0)} ms`.padStart(9)} ${(1000 * r.cpuMs / n).toFixed(1).padStart(20)} ${ratio.toFixed(2).padStart(7)} ${`${r.peakRssMb.toFixed(0)} MB`.padStart(10)}`,
    );
  }
}

// `npm run fuzz:avro -- [--count N] [--seed S]`: the avro frame fuzzer (avro-frames.ts) on its
// own, printing its report; exits 1 when it found anything.
import { fuzzAvroFrames } from './avro-frames.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const count = arg('count', 200_000);
const seed = arg('seed', 1);
const report = await fuzzAvroFrames({ count, seed, parallel: arg('parallel', 16) });
console.log(JSON.stringify({ ...report, findings: report.findings.slice(0, 20), findingCount: report.findings.length }, null, 2));
console.log(
  `avro frames: ${report.inputs} inputs (seed ${seed}) in ${report.seconds.toFixed(1)} s, ${(report.inputs / report.seconds).toFixed(0)}/s; ` +
    `${report.findings.length} finding(s); peak RSS growth ${report.peakRssGrowthMb} MB`,
);
process.exit(report.findings.length > 0 ? 1 : 0);

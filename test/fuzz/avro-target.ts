// The avro source's frame fuzzer (avro-frames.ts, over real sockets against an AvroServer in
// this process) as a target of `npm run fuzz`: its findings are written out like the others.
import { avroFrameInput, fuzzAvroFrames } from './avro-frames.js';
import { Findings } from './findings.js';
import type { TargetSummary } from './target.js';

export async function runAvroFrames(o: { seed: number; start: number; count: number; outDir: string; parallel: number }): Promise<TargetSummary> {
  if (o.start !== 0) throw new Error('the avro-frames target runs from input 0 (its inputs are made by index; use --count to reach one)');
  const findings = new Findings({ target: 'avro-frames', seed: o.seed, outDir: o.outDir, extension: '.bin' });
  const report = await fuzzAvroFrames({ count: o.count, seed: o.seed, parallel: o.parallel });
  for (const f of report.findings) {
    findings.add(f.input, f, f.input >= 0 ? avroFrameInput(o.seed, f.input).bytes : undefined);
  }
  return findings.summary(report.inputs, report.seconds, [
    `inputs by kind: ${Object.entries(report.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `valid requests ${report.validRequests}; replies read ${report.repliesRead}; closed by the server ${report.closedByServer}; peak RSS growth ${report.peakRssGrowthMb} MB`,
  ]);
}

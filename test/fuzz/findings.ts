// Collects findings, writes each failing input out with the commands that replay it, and
// keeps the summary short: findings are grouped by their message with numbers blurred.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Finding, TargetSummary } from './target.js';

/** Inputs written per distinct finding; the rest are counted. */
const FILES_PER_FINDING = 5;

export interface RunIdentity {
  target: string;
  seed: number;
  outDir: string;
  extension: string;
  /** The flowc command a user would run on the written input. */
  replay?: (path: string) => string;
}

export class Findings {
  private readonly counts: TargetSummary['counts'] = {};
  private readonly distinct = new Map<string, TargetSummary['distinct'][number] & { written: number }>();

  constructor(private readonly run: RunIdentity) {}

  /** Records a finding; writes the input (when given) and returns the file written. */
  add(index: number, finding: Finding, input?: string | Buffer): string | undefined {
    this.counts[finding.kind] = (this.counts[finding.kind] ?? 0) + 1;
    const key = `${finding.kind}:${blur(finding.message)}`;
    let entry = this.distinct.get(key);
    if (!entry) {
      entry = { kind: finding.kind, message: finding.message.slice(0, 300), count: 0, written: 0 };
      this.distinct.set(key, entry);
    }
    entry.count++;
    if (entry.written >= FILES_PER_FINDING || input === undefined) return undefined;
    entry.written++;
    const file = this.write(index, finding, input);
    entry.file ??= file;
    return file;
  }

  private write(index: number, finding: Finding, input: string | Buffer): string {
    const { target, seed, outDir, extension, replay } = this.run;
    mkdirSync(outDir, { recursive: true });
    const base = join(outDir, `${target}-seed${seed}-${index}`);
    const inputPath = `${base}${extension}`;
    writeFileSync(inputPath, input);
    const shown = relative(process.cwd(), inputPath) || inputPath;
    const lines = [
      `target:  ${target}`,
      `seed:    ${seed}`,
      `input:   ${index} (${shown})`,
      `finding: ${finding.kind}: ${finding.message}`,
      '',
      'replay:',
      `  npm run fuzz -- --target ${target} --replay ${shown}`,
      `  npm run fuzz -- --target ${target} --seed ${seed} --start ${index} --count 1`,
      ...(replay ? [`  ${replay(shown)}`] : []),
      '',
      ...(finding.detail ? ['detail:', finding.detail.length > 20_000 ? `${finding.detail.slice(0, 20_000)}\n...` : finding.detail] : []),
    ];
    writeFileSync(`${base}.report.txt`, `${lines.join('\n')}\n`);
    return shown;
  }

  summary(inputs: number, seconds: number, notes: string[]): TargetSummary {
    return {
      target: this.run.target,
      inputs,
      seconds,
      counts: { ...this.counts },
      distinct: [...this.distinct.values()].map(({ written: _w, ...d }) => d),
      notes,
    };
  }
}

function blur(message: string): string {
  return message.replace(/\d+/g, '#').slice(0, 160);
}

// `npm run conformance -- <folder>`: the import round trip over every properties file in a
// folder. Lists every failure by file and by key; exits 1 if there is any.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { roundTrip } from '../compiler/conformance.js';

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return walk(full);
      return /\.properties(\.\w+)?$|\.template$/.test(name) ? [full] : [];
    });
}

const folder = process.argv[2];
if (!folder) {
  process.stderr.write('usage: npm run conformance -- <folder of flume.properties files>\n');
  process.exit(2);
}
let files: string[];
try {
  files = walk(folder);
} catch (e) {
  process.stderr.write(`error: cannot read \`${folder}\`: ${(e as Error).message}\n`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const name = relative(folder, file);
  const problems: string[] = [];
  try {
    const result = roundTrip(readFileSync(file), file);
    for (const d of result.compileErrors) {
      problems.push(`imported .flow does not compile: ${d.code} ${d.message}${d.span ? ` (line ${d.span.start.line})` : ''}`);
    }
    for (const d of result.differences) {
      problems.push(`${d.path}: ${d.kind}${d.before !== undefined ? ` before=${JSON.stringify(d.before)}` : ''}${d.after !== undefined ? ` after=${JSON.stringify(d.after)}` : ''}`);
    }
    if (!result.formatStable) problems.push('formatting the imported .flow changes it (fmt is not idempotent on it)');
  } catch (e) {
    problems.push(`crashed: ${(e as Error).stack ?? String(e)}`);
  }
  if (problems.length === 0) {
    process.stdout.write(`ok    ${name}\n`);
  } else {
    failed++;
    process.stdout.write(`FAIL  ${name}\n${problems.map((p) => `        ${p}\n`).join('')}`);
  }
}
process.stdout.write(`conformance: ${files.length - failed} of ${files.length} files round-trip with no difference\n`);
process.exit(failed > 0 ? 1 : 0);

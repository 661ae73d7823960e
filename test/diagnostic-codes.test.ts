// Every code the sources can report is documented, and the documentation is current.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes, renderCodesMarkdown } from '../compiler/diagnostics/codes.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

const used = new Map<string, string>();
for (const dir of ['grammar', 'compiler', 'cli', 'runtime']) {
  for (const file of sources(dir)) {
    if (file.endsWith('codes.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/FLOW\d{3}/g)) used.set(m[0], file);
  }
}

describe('diagnostic codes', () => {
  it('documents every code the sources report', () => {
    const missing = [...used.keys()].filter((c) => !(c in diagnosticCodes)).map((c) => `${c} (${used.get(c)})`);
    expect(missing).toEqual([]);
  });

  it('lists no code that nothing reports', () => {
    expect(Object.keys(diagnosticCodes).filter((c) => !used.has(c))).toEqual([]);
  });

  it('has a current docs/diagnostics.md (run `npm run docs:diagnostics` after a change)', () => {
    expect(readFileSync('docs/diagnostics.md', 'utf8')).toBe(renderCodesMarkdown());
  });

  it('has a baseline for every rule of the checker', () => {
    const baselines = readdirSync('test/baselines').filter((f) => f.endsWith('.errors.txt'));
    const shown = new Set(baselines.flatMap((f) => [...readFileSync(join('test/baselines', f), 'utf8').matchAll(/\[(FLOW0\d\d)\]/g)].map((m) => m[1]!)));
    // These come from the command line, not from checking a file; test/cli.test.ts covers them.
    const cliOnly = new Set(['FLOW090', 'FLOW093', 'FLOW095']);
    const withoutBaseline = Object.keys(diagnosticCodes).filter((c) => c.startsWith('FLOW0') && !cliOnly.has(c) && !shown.has(c));
    expect(withoutBaseline).toEqual([]);
  });
});

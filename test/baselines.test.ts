// Every test/baselines/<case>.flow is checked, and the diagnostics a user sees are compared
// with <case>.errors.txt, byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { renderDiagnostic, renderSummary } from '../compiler/diagnostics/render-text.js';
import { compileText } from '../compiler/program.js';
import { expectBaseline } from './helpers/baseline.js';

const dir = 'test/baselines';
const cases = readdirSync(dir).filter((f) => f.endsWith('.flow')).sort();

describe('diagnostic baselines', () => {
  it('has at least 40 cases', () => {
    if (cases.length < 40) throw new Error(`only ${cases.length} baseline cases`);
  });
  for (const name of cases) {
    it(name, () => {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      const result = compileText(text, path);
      const sources = new Map([[path, text]]);
      const rendered = result.diagnostics.map((d) => renderDiagnostic(d, { color: false, sources }));
      const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
      const summary = renderSummary(errors, result.diagnostics.length - errors);
      expectBaseline(path.replace(/\.flow$/, '.errors.txt'), [...rendered, summary].join('\n\n') + '\n');
    });
  }
});

// Inputs that nest or chain very deep: every stage (parse, resolve, evaluate, check, emit,
// format, the language server's name index) handles them without exhausting the stack, or
// says clearly where the nesting is too deep.
import { describe, expect, it } from 'vitest';
import { emitProperties } from '../compiler/emit/properties.js';
import { formatText } from '../compiler/format/printer.js';
import { compileText } from '../compiler/program.js';
import { parseFlow } from '../grammar/index.js';
import { buildNameIndex } from '../lsp/names.js';
import { flowc } from './helpers/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const agentWith = (property: string, before = '') => `${before}agent a {
  source s : netcat { bind = "127.0.0.1", port = 4444, ${property} }
  channel c : memory {}
  sink k : logger {}
  s -> c
  c -> k
}
`;

describe('deep input', () => {
  it('a `+` chain of 30,000 strings is checked, built, formatted and indexed', () => {
    const text = agentWith(`x = ${Array.from({ length: 30_000 }, (_, i) => `"${i % 10}"`).join(' + ')}`);
    const result = compileText(text, 'plus.flow');
    expect(result.errorCount).toBe(0);
    const [emitted] = emitProperties(result.program);
    expect(emitted!.text).toContain(`a.sources.s.x = ${'0123456789'.repeat(3_000)}\n`);
    const once = formatText(text, 'plus.flow').text;
    expect(formatText(once, 'plus.flow').text).toBe(once);
    expect(buildNameIndex(parseFlow(text, 'plus.flow').file)).toBeDefined();
  });

  it('a `+` chain of 100,000 lists through a constant keeps every item, in order', () => {
    const chain = Array.from({ length: 100_000 }, (_, i) => `["v${i}"]`).join(' + ');
    const result = compileText(agentWith('x = l', `let l = ${chain}\n`), 'lists.flow');
    expect(result.errorCount).toBe(0);
    const line = emitProperties(result.program)[0]!.text.split('\n').find((l) => l.startsWith('a.sources.s.x = '))!;
    const items = line.slice('a.sources.s.x = '.length).split(' ');
    expect(items.length).toBe(100_000);
    expect(items[0]).toBe('v0');
    expect(items[99_999]).toBe('v99999');
  });

  it('a mistake deep in a long chain is reported at its place', () => {
    const terms = Array.from({ length: 50_000 }, () => '"a"');
    terms[40_000] = 'nope';
    const result = compileText(agentWith(`x = ${terms.join(' + ')}`), 'typo.flow');
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['FLOW013']);
    expect(errors[0]!.message).toBe('no constant named `nope`');
  });

  it('brackets nested 100,000 deep get a clear diagnostic', () => {
    for (const [open, close] of [['[', ']'], ['{ y ', ' }']]) {
      const text = agentWith(`x = ${open!.repeat(100_000)}1${close!.repeat(100_000)}`);
      const result = compileText(text, 'nest.flow');
      expect(result.diagnostics.some((d) => d.code === 'FLOW002' && /nest more than \d+ levels deep/.test(d.message))).toBe(true);
    }
  });

  it('flowc check of a 2,000-term chain exits 0 (it exited 70 with a stack overflow)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowc-deep-'));
    writeFileSync(join(dir, 'plus.flow'), agentWith(`x = ${Array(2_000).fill('"a"').join(' + ')}`));
    const r = flowc(['check', join(dir, 'plus.flow')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('checked 1 file: no errors');
  });
});

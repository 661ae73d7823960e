// Large inputs stay linear in what they produce: a diagnostic about one of n components does
// not carry a list of all n. (Speed itself is measured by `npm run bench`, bench/scale.bench.mjs.)
import { describe, expect, it } from 'vitest';
import { readFlumeConfig } from '../compiler/flume/read-config.js';
import { compileText } from '../compiler/program.js';

const size = (ds: { message: string; help?: string[] }[]) => ds.reduce((n, d) => n + d.message.length + (d.help ?? []).join('').length, 0);

describe('large inputs', () => {
  it('4,000 sinks configured with no `a1.sinks` list: each warning is short', () => {
    const lines = ['a1.sources = r1', 'a1.channels = c1', 'a1.sources.r1.type = netcat', 'a1.sources.r1.bind = 0.0.0.0', 'a1.sources.r1.port = 4444', 'a1.sources.r1.channels = c1', 'a1.channels.c1.type = memory'];
    for (let i = 0; i < 4000; i++) lines.push(`a1.sinks.k${i}.type = logger`, `a1.sinks.k${i}.channel = c1`);
    const config = readFlumeConfig(`${lines.join('\n')}\n`, 'many.properties');
    const unlisted = config.diagnostics.filter((d) => d.code === 'FLOW120');
    expect(unlisted.length).toBe(4000);
    expect(unlisted[0]!.help).toEqual(['add `a1.sinks = k0 k1 k2 ...` naming all 4000 configured sinks']);
    // It was a list of all 4,000 names in each of the 4,000 warnings: 100 MB of text.
    expect(size(unlisted)).toBeLessThan(4000 * 300);
  });

  it('16,000 listed sinks that are not configured: each error points at its own name', () => {
    const names = Array.from({ length: 16_000 }, (_, i) => `k${i}`);
    const config = readFlumeConfig(`a1.sinks = ${names.join(' ')}\n`, 'list.properties');
    const missing = config.diagnostics.filter((d) => d.code === 'FLOW121');
    expect(missing.length).toBe(16_000);
    const last = missing[missing.length - 1]!;
    expect(last.message).toContain('`k15999`');
    expect(last.span!.start.offset).toBe(`a1.sinks = ${names.slice(0, -1).join(' ')} `.length);
    expect(last.span!.end.offset - last.span!.start.offset).toBe('k15999'.length);
  });

  it('an agent of 12,000 components checks clean, and 3,000 mistyped references each get their error', () => {
    const out = ['agent a1 {'];
    for (let i = 0; i < 4000; i++) out.push(`  channel c${i} : memory {}`, `  source r${i} : netcat { bind = "127.0.0.1", port = ${1024 + i} }`, `  sink k${i} : logger {}`);
    for (let i = 0; i < 4000; i++) out.push(`  r${i} | timestamp | timestamp -> c${i}`, `  c${i} -> k${i}`);
    const clean = compileText(`${out.join('\n')}\n}\n`, 'big.flow');
    expect(clean.errorCount).toBe(0);
    expect(clean.program.agents[0]!.sources[3999]!.interceptors.map((i) => i.name)).toEqual(['timestamp', 'timestamp2']);
    for (let i = 0; i < 3000; i++) out.push(`  c${i} -> x${i}`);
    const wrong = compileText(`${out.join('\n')}\n}\n`, 'typos.flow');
    expect(wrong.diagnostics.filter((d) => d.code === 'FLOW011').length).toBe(3000);
  });
});

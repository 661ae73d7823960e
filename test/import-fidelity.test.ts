// flowc import keeps what Flume runs: each rule below was a case where import → build changed
// the agent Flume starts, or where import failed or stayed silent about a problem.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowc } from './helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flowc-import-fidelity-'));

function importLines(lines: string[], args: string[] = []) {
  const dir = tmp();
  const input = join(dir, 'in.properties');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const out = join(dir, 'out.flow');
  const r = flowc(['import', input, '-o', out, ...args]);
  return { ...r, dir, input, out, flow: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

describe('import of names of any length', () => {
  it('points at a 32,768-character name in a list instead of failing (was exit 70)', () => {
    const long = 'x.'.repeat(16_384);
    const r = importLines([
      `a1.sources = ${long} r1`,
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.port = 4444',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
    ]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(0);
    // The warning about the unconfigured source names it, with a caret under it on line 1.
    expect(r.stderr).toMatch(/--> .*in\.properties:1:14/);
    expect(r.flow).toContain('source r1 : netcat');
  });
});

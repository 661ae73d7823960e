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
    // The long name is listed but not configured: an error Flume acts on (it drops it).
    expect(r.stderr).toContain('error[FLOW121]');
    expect(r.status).toBe(1);
    // The warning about the unconfigured source names it, with a caret under it on line 1.
    expect(r.stderr).toMatch(/--> .*in\.properties:1:14/);
    expect(r.flow).toContain('source r1 : netcat');
  });
});

describe('import reports values Flume cannot read, and exits non-zero on errors as check does', () => {
  const base = [
    'a1.sources = r1',
    'a1.channels = c1',
    'a1.sinks = k1',
    'a1.sources.r1.type = netcat',
    'a1.sources.r1.bind = 127.0.0.1',
    'a1.sources.r1.channels = c1',
    'a1.channels.c1.type = memory',
    'a1.sinks.k1.type = logger',
    'a1.sinks.k1.channel = c1',
  ];

  it('`port = abc` and `capacity = 10k`: errors at their lines, exit 1, the .flow still written', () => {
    const r = importLines([...base, 'a1.sources.r1.port = abc', 'a1.channels.c1.capacity = 10k']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[FLOW142]: `port` of source `r1` expects an integer, but the value is `abc`');
    expect(r.stderr).toMatch(/in\.properties:10:22/);
    expect(r.stderr).toContain('error[FLOW142]: `capacity` of channel `c1` expects an integer, but the value is `10k`');
    expect(r.stderr).toMatch(/in\.properties:11:27/);
    expect(r.stderr).toContain('write the number without a unit');
    // Nothing is lost: the values stay as written, for the user to fix.
    expect(r.flow).toContain('port = "abc"');
    expect(r.flow).toContain('capacity = "10k"');
  });

  it('exits 0 when the file has only warnings, and 1 on any error Flume would act on', () => {
    expect(importLines([...base, 'a1.sources.r1.port = 4444']).status).toBe(0);
    const dropped = importLines([...base.filter((l) => !l.includes('k1.type')), 'a1.sources.r1.port = 4444']);
    expect(dropped.stderr).toContain('error[');
    expect(dropped.status).toBe(1);
  });

  it('writes to standard output and still exits 1 on errors', () => {
    const dir = tmp();
    const input = join(dir, 'in.properties');
    writeFileSync(input, `${[...base, 'a1.sources.r1.port = 99999999999'].join('\n')}\n`);
    const r = flowc(['import', input]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('agent a1 {');
    expect(r.stderr).toContain('expects an integer, but the value is `99999999999`');
  });

  it('a boolean other than true or false is read as false, and says so', () => {
    const r = importLines([...base, 'a1.sources.r1.port = 4444', 'a1.sources.r1.ack-every-event = yes']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning[FLOW143]: `ack-every-event` of source `r1` is `yes`, which Flume reads as false');
  });
});

describe('whitespace at the ends of values', () => {
  it('a no-break space, which Flume keeps, stays in the value with a warning', () => {
    const r = importLines([
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = localhost\\u00a0',
      'a1.sources.r1.port = 4444',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning[FLOW106]: the value of `bind` ends with U+00A0, a space Flume does not trim');
    expect(r.flow).toContain('bind = "localhost\\u00A0"');
  });
});

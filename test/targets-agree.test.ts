// What `check` accepts, every target builds: the properties emitter, the runtime configuration
// (`run` and the bundle) and `diff` meet no value the checker let through unchecked.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitProperties } from '../compiler/emit/properties.js';
import { runtimeConfigs } from '../compiler/emit/runtime-config.js';
import { programAsFlumeConfig } from '../compiler/flume/from-program.js';
import { compileText } from '../compiler/program.js';
import { flowc } from './helpers/cli.js';

/** Values the catalog cannot place: unknown properties and custom components, with every kind of value. */
const UNCATALOGUED = `agent a {
  source s : netcat { bind = "127.0.0.1", port = 44444, mystery = VALUE }
  channel c : memory {}
  sink k : "com.example.Sink" { mystery = VALUE }
  sink h : hdfs { hdfs.path = "/x", hdfs.idleTimeoutt = VALUE }
  s -> c
  c -> failover { k: 2, h: 1 }
}
`;
const VALUES = ['2m', '64MB', '[[1, 2]]', '[1, 2m]', '[a, "b"]', '10', '1.5', 'true', 'word', '"text"', 'env("HOME")', '"a" + 1'];

function inputs(): { name: string; text: string }[] {
  const files = ['examples', 'test/baselines'].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.flow'))
      .map((f) => ({ name: join(dir, f), text: readFileSync(join(dir, f), 'utf8') })),
  );
  return [...files, ...VALUES.map((v) => ({ name: `uncatalogued ${v}`, text: UNCATALOGUED.replaceAll('VALUE', v) }))];
}

describe('what check accepts, every target builds', () => {
  it('holds for the examples, every baseline and every kind of uncatalogued value', () => {
    let accepted = 0;
    for (const input of inputs()) {
      const result = compileText(input.text, 'in.flow');
      if (result.errorCount > 0) continue;
      accepted++;
      expect(() => emitProperties(result.program), input.name).not.toThrow();
      expect(() => programAsFlumeConfig(result.program, 'in.flow'), input.name).not.toThrow();
      for (const r of runtimeConfigs(result.program, { env: { HOME: '/home/u' } })) expect(r.diagnostics, input.name).toEqual([]);
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('an unknown property with a duration: check, build, diff and run all refuse it with FLOW024', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowc-targets-'));
    const file = join(dir, 'typo.flow');
    writeFileSync(file, UNCATALOGUED.replaceAll('VALUE', '2m'));
    const runs = [
      flowc(['check', file]),
      flowc(['build', '-o', join(dir, 'props'), file]),
      flowc(['build', '--target', 'bundle', '-o', join(dir, 'bundle'), file]),
      flowc(['diff', file, file]),
      flowc(['run', file]),
    ];
    for (const r of runs) {
      const out = r.stdout + r.stderr;
      expect(out).toContain('error[FLOW024]: `2m` is a duration');
      expect(out).toContain('did you mean `hdfs.idleTimeout`?');
      expect(out).not.toContain('internal error');
      expect(r.status).not.toBe(0);
    }
    expect(readdirSync(dir)).toEqual(['typo.flow']);
  });
});

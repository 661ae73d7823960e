// The one-file CLI bundle (scripts/bundle-cli.mjs) that bin/flowc.js starts from: it must say
// what dist/ says, never run stale code, and work from a folder of its own (an npm install).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBundle, flowc } from './helpers/cli.js';

beforeAll(() => ensureCliBundle(), 120_000);

describe('the CLI bundle', () => {
  it('reports exactly what the tsc output reports (diagnostics, formatting, properties, help)', () => {
    const out = mkdtempSync(join(tmpdir(), 'flowc-bundle-out-'));
    const runs: string[][] = [
      ['check', 'test/baselines/syntax-errors-recovered.flow'],
      ['check', '--format', 'json', 'examples/'],
      ['fmt', '--check', 'test/baselines/unused-interceptor.flow'],
      ['build', '--target', 'properties', 'examples/quickstart.flow', '-o', out],
      ['--help'],
      ['run', '--help'],
      ['graph', '--help'],
    ];
    for (const args of runs) {
      const bundled = flowc(args);
      const fromDist = flowc(args, { env: { FLOWC_NO_BUNDLE: '1' } });
      expect({ args, ...bundled }).toEqual({ args, ...fromDist });
    }
  });

  it('is used only when it is at least as new as dist/, and keeps a code cache beside itself', () => {
    // A copy of the bin and the bundle in a folder of their own, with a stand-in for dist/'s
    // CLI that says when it is the one that ran.
    const root = mkdtempSync(join(tmpdir(), 'flowc-bundle-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
    mkdirSync(join(root, 'dist', 'cli'));
    copyFileSync(resolve('bin/flowc.js'), join(root, 'bin', 'flowc.js'));
    copyFileSync(resolve('dist/bundle/flowc.cjs'), join(root, 'dist', 'bundle', 'flowc.cjs'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module', version: '9.8.7' }));
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), "console.log('from dist');\n");
    const run = () => spawnSync(process.execPath, [join(root, 'bin', 'flowc.js'), '--version'], { encoding: 'utf8' });
    const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

    at(join(root, 'dist', 'cli', 'main.js'), 1_000_000);
    at(join(root, 'dist', 'bundle', 'flowc.cjs'), 2_000_000);
    expect(run().stdout).toBe('9.8.7\n');
    expect(readdirSync(join(root, 'dist', 'bundle')).filter((f) => f.endsWith('.cache'))).toHaveLength(1);
    expect(run().stdout).toBe('9.8.7\n'); // from the cache

    // dist/ rebuilt after the bundle (a `tsc` alone): the bundle is stale and not used.
    at(join(root, 'dist', 'cli', 'main.js'), 3_000_000);
    expect(run().stdout).toBe('from dist\n');
  });
});

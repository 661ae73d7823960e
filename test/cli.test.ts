// `flowc check` and `flowc build` as a user runs them: real files, a real child process.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBundle, flowc } from './helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flowc-cli-'));
const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

describe('flowc check', () => {
  it('passes every example', () => {
    const r = flowc(['check', 'examples/']);
    expect(r.stdout).toContain('no errors');
    expect(r.status).toBe(0);
  });

  it('reports every problem of a file with a code frame and exits 1', () => {
    const r = flowc(['check', 'test/baselines/syntax-errors-recovered.flow']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error\[FLOW002\]/);
    expect(r.stdout).toMatch(/--> test\/baselines\/syntax-errors-recovered\.flow:2:\d+/);
    expect(r.stdout).toMatch(/\^/);
    // The mistake in the second agent is found although the first one has syntax errors.
    expect(r.stdout).toContain('capacty');
  });

  it('exits 0 with warnings only', () => {
    const r = flowc(['check', 'test/baselines/unused-interceptor.flow']);
    expect(r.stdout).toMatch(/warning\[FLOW045\]/);
    expect(r.status).toBe(0);
  });

  it('prints terraform-style JSON with --format json', () => {
    const r = flowc(['check', '--format', 'json', 'test/baselines/port-out-of-range.flow']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.valid).toBe(false);
    expect(report.error_count).toBe(1);
    expect(report.warning_count).toBe(0);
    expect(report.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'FLOW026',
      range: { filename: 'test/baselines/port-out-of-range.flow', start: { line: 2 } },
    });
    expect(report.diagnostics[0].summary).toContain('70000');
  });

  it('colours only on request, never with NO_COLOR', () => {
    const plain = flowc(['check', 'test/baselines/port-out-of-range.flow']);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = flowc(['check', 'test/baselines/port-out-of-range.flow'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[');
    const both = flowc(['check', 'test/baselines/port-out-of-range.flow'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(both.stdout).not.toContain('\u001b[');
  });

  it('has --help and --version', () => {
    expect(flowc(['check', '--help']).stdout).toContain('Usage: flowc check');
    expect(flowc(['build', '--help']).stdout).toContain('--target');
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
    expect(flowc(['--version']).stdout.trim()).toBe(version);
    expect(flowc(['check', '--version']).stdout.trim()).toBe(version);
  });

  it('exits 2 on a usage mistake', () => {
    const r = flowc(['check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("missing required argument 'paths'");
  });
});

describe('start-up loads only what the command needs', () => {
  const modulesOf = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, ['--import', './test/fixtures/trace-modules.mjs', 'bin/flowc.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.status, r.stderr).toBe(0);
    return r.stderr.split('\n').filter((l) => l.startsWith('module ')).map((l) => l.slice('module '.length));
  };
  const heavy = ['node_modules/lodash-es/', 'node_modules/esbuild/', 'node_modules/elkjs/', 'node_modules/avsc/', 'node_modules/prettier/', 'node_modules/@resvg/'];

  beforeAll(() => ensureCliBundle(), 120_000);

  it('--version loads no compiler, parser or runtime', () => {
    for (const env of [{}, { FLOWC_NO_BUNDLE: '1' }]) {
      const loaded = modulesOf(['--version'], env);
      expect(loaded.filter((u) => /\/dist\/(grammar|compiler|runtime|lsp)\//.test(u) || heavy.some((h) => u.includes(h)))).toEqual([]);
    }
  });

  it('check runs from the one-file bundle: no other module, no bundler, layout, runtime or avro library', () => {
    const loaded = modulesOf(['check', 'examples/quickstart.flow']);
    expect(loaded.map((u) => u.replace(/^.*\/(bin\/)/, '$1'))).toEqual(['bin/flowc.js']);
  });

  it('from dist/ (FLOWC_NO_BUNDLE), check loads the parser from its one-file build, and nothing heavy', () => {
    const loaded = modulesOf(['check', 'examples/quickstart.flow'], { FLOWC_NO_BUNDLE: '1' });
    expect(loaded.some((u) => u.endsWith('node_modules/chevrotain/lib/chevrotain.min.mjs'))).toBe(true);
    expect(loaded.filter((u) => heavy.some((h) => u.includes(h)) || u.includes('node_modules/chevrotain/lib/src/'))).toEqual([]);
  });
});

describe('bad input gets a clear message, never a stack trace', () => {
  it('a missing file', () => {
    const r = flowc(['check', 'no/such/file.flow']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('cannot read `no/such/file.flow`: no such file or folder');
    noStackTrace(r.stdout + r.stderr);
  });

  it('an empty file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'empty.flow'), '');
    const r = flowc(['check', join(dir, 'empty.flow')]);
    expect(r.stdout).toContain('defines no agent');
    expect(r.status).toBe(0);
  });

  it('binary garbage', () => {
    const dir = tmp();
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    writeFileSync(join(dir, 'garbage.flow'), bytes);
    const r = flowc(['check', join(dir, 'garbage.flow')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('is not a text file');
    noStackTrace(r.stdout + r.stderr);
  });

  it('a 10 MB file of text that is not .flow', () => {
    const dir = tmp();
    const line = 'this is not a flow file; it is ten megabytes of prose { [ ( "\n';
    writeFileSync(join(dir, 'big.flow'), line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)));
    const r = flowc(['check', join(dir, 'big.flow')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/error\[FLOW00\d\]/);
    expect(r.stdout).toMatch(/\.\.\. and \d+ more problems? in/);
    noStackTrace(r.stdout + r.stderr);
  });

  it('names the file of every problem, also of file-level ones, over many files', () => {
    // 55 files that define no agent: 55 warnings without a code position, each about its file.
    const dir = tmp();
    for (let i = 0; i < 55; i++) writeFileSync(join(dir, `e${String(i).padStart(2, '0')}.flow`), '// nothing here yet\n');
    const r = flowc(['check', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/more problems? in\s*$/m);
    expect(r.stdout).toContain(`--> ${join(dir, 'e54.flow')}`);
    expect((r.stdout.match(/warning\[FLOW093\]/g) ?? []).length).toBe(55);
    expect(r.stdout).toContain('0 errors, 55 warnings');
  });

  it('a folder with no .flow files', () => {
    const dir = tmp();
    const r = flowc(['check', dir]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('contains no .flow files');
  });

  it('a folder is searched for .flow files', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'bad.flow'), 'agent a { source r : netcar }');
    const r = flowc(['check', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('unknown source kind `netcar`');
  });
});

describe('flowc build --target properties', () => {
  it('writes one properties file per agent', () => {
    const out = tmp();
    const r = flowc(['build', 'examples/tiered.flow', '--target', 'properties', '-o', out]);
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['collector.properties', 'collector2.properties', 'edge.properties']);
    const edge = readFileSync(join(out, 'edge.properties'), 'utf8');
    expect(edge).toContain('edge.sinks.to_primary.hostname = collector-1.example.com');
    expect(edge).toContain('edge.sinkgroups.uplink.processor.maxpenalty = 30000');
  });

  it('writes nothing when the input has errors', () => {
    const out = join(tmp(), 'out');
    const r = flowc(['build', 'test/baselines/missing-required.flow', '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FLOW022');
    expect(r.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  it('reports an unwritable output folder clearly', () => {
    if (process.getuid?.() === 0) {
      // root can write anywhere; use a path below a regular file instead.
      const dir = tmp();
      writeFileSync(join(dir, 'file'), 'x');
      const r = flowc(['build', 'examples/quickstart.flow', '-o', join(dir, 'file', 'out')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('cannot write to');
      noStackTrace(r.stderr);
      return;
    }
    const dir = tmp();
    chmodSync(dir, 0o500);
    const r = flowc(['build', 'examples/quickstart.flow', '-o', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot write to');
  });
});

// The extension's TextMate grammar (`source.flow`), tested with vscode-tmgrammar-test:
// assertions over every form of docs/language.md (vscode-extension/test/grammar), and
// snapshots of the scopes of every example (vscode-extension/test/snapshots; FLOWC_ACCEPT=1
// rewrites them, to be reviewed on the diff).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accepting } from './helpers/baseline.js';

const ext = resolve('vscode-extension');
const grammar = join(ext, 'syntaxes/flow.tmLanguage.json');
const bin = (name: string) => resolve('node_modules/.bin', name);
const snapshots = join(ext, 'test/snapshots');
const work = mkdtempSync(join(tmpdir(), 'flowc-grammar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(tool: string, args: string[]) {
  const r = spawnSync(bin(tool), args, { cwd: ext, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('TextMate grammar', () => {
  it('gives every form of the language its scopes', () => {
    const r = run('vscode-tmgrammar-test', ['-g', grammar, '--config', join(ext, 'package.json'), 'test/grammar/*.flow']);
    expect(r.output).toContain('run successfuly');
    expect(r.status, r.output).toBe(0);
  });

  const examples = readdirSync('examples').filter((f) => f.endsWith('.flow')).sort();
  it.each(examples)('scopes examples/%s as its snapshot says', (name) => {
    const snap = join(snapshots, `${name}.snap`);
    if (!accepting && !existsSync(snap)) throw new Error(`no grammar snapshot for examples/${name}; run \`npm run baseline:accept\` and review ${snap}`);
    const dir = join(work, name.replace(/\.flow$/, ''));
    mkdirSync(dir, { recursive: true });
    copyFileSync(join('examples', name), join(dir, name));
    if (existsSync(snap)) copyFileSync(snap, join(dir, `${name}.snap`));
    const r = run('vscode-tmgrammar-snap', ['-g', grammar, '--config', join(ext, 'package.json'), ...(accepting ? ['-u'] : []), join(dir, name)]);
    expect(r.status, r.output).toBe(0);
    if (accepting) {
      mkdirSync(snapshots, { recursive: true });
      copyFileSync(join(dir, `${name}.snap`), snap);
    }
  });
});

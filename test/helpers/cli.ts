import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

const bin = resolve('bin/flowc.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `flowc` as a user would, in a child process. */
export function flowc(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Builds dist/bundle/flowc.cjs when it is older than the tsc output (after a bare `tsc`), so
 * that tests of the bundle test the current code. `npm test` builds it first anyway.
 */
export function ensureCliBundle(): void {
  const mtime = (p: string) => (existsSync(p) ? statSync(p).mtimeMs : -1);
  if (mtime(resolve('dist/bundle/flowc.cjs')) >= mtime(resolve('dist/cli/main.js'))) return;
  const r = spawnSync(process.execPath, [resolve('scripts/bundle-cli.mjs')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/bundle-cli.mjs failed:\n${r.stderr}`);
}

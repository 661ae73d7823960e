// The README's commands, run as written: a user copies them into a terminal.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort, runFlow, takeAll, type Running } from './runtime/helpers.js';

let running: Running | undefined;
let group: number | undefined;
afterEach(async () => {
  if (group !== undefined) {
    try {
      process.kill(-group, 'SIGKILL'); // a command that hung: sh and its nc
    } catch {
      // already gone
    }
    group = undefined;
  }
  await running?.stop();
  running = undefined;
});

/** The README's line that pipes into nc, without its comment. */
function ncCommand(): string {
  const line = readFileSync('README.md', 'utf8')
    .split('\n')
    .find((l) => /\|\s*nc\b/.test(l));
  if (!line) throw new Error('the README has no `… | nc …` command');
  return line.replace(/\s+#.*$/, '');
}

describe('README: sending a line to the quickstart', () => {
  it('the nc command ends by itself once the agent answered (Debian\'s netcat-openbsd)', async () => {
    const port = await freePort();
    running = await runFlow(`agent quickstart {
      source lines : netcat { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      lines -> c }`);
    const command = ncCommand().replaceAll('44444', String(port));
    expect(command).toContain(String(port));
    const sh = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    group = sh.pid;
    let out = '';
    let err = '';
    sh.stdout.on('data', (d) => (out += d));
    sh.stderr.on('data', (d) => (err += d));
    // The command must end on its own; the test's own timeout is the only limit.
    const code = await new Promise<number | null>((r) => sh.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toBe('OK\n');
    expect(takeAll(running, 'c').map((e) => e.body.toString())).toEqual(['hello flume']);
  });
});

// `npx flowc run …` as a user runs it: npm starts the agent through `sh -c`, and on SIGTERM
// passes the signal to that shell only. The agent must not outlive the command that was stopped.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, freePort, scratch, tcpExchange, waitFor } from './helpers.js';

const { cleanup, work } = scratch();

/** Pids of the processes whose command line contains `text`. */
function pidsWith(text: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether a process still runs (a zombie waiting to be reaped has stopped running). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('npx flowc run', () => {
  it('stops the agent, after draining, when npx gets SIGTERM', async () => {
    // A project with flowc installed, as `npm install flowc` leaves it.
    const dir = work();
    writeFileSync(join(dir, 'package.json'), '{ "name": "uses-flowc", "private": true }\n');
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    const agentBin = join(dir, 'node_modules', '.bin', 'flowc');
    symlinkSync(bin, agentBin);
    const port = await freePort();
    writeFileSync(
      join(dir, 'app.flow'),
      `agent a {
        source s : netcat { bind = "127.0.0.1", port = ${port} }
        channel c : memory
        sink k : file_roll { sink { directory = "out", rollInterval = 0 } }
        s -> c -> k
      }\n`,
    );
    const npx = spawn('npx', ['flowc', 'run', 'app.flow'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    npx.stdout!.on('data', (d) => (output += d));
    npx.stderr!.on('data', (d) => (output += d));
    let agents: number[] = [];
    cleanup.push(() => {
      if (npx.exitCode === null) npx.kill('SIGKILL');
      for (const pid of agents) if (running(pid)) process.kill(pid, 'SIGKILL');
    });
    await waitFor(() => output.includes('press Ctrl-C'), 60_000, `the banner (output: ${output})`);
    agents = pidsWith(agentBin);
    expect(agents).toHaveLength(1);
    const agent = agents[0]!;
    expect(agent).not.toBe(npx.pid);
    expect(await tcpExchange(port, 'before the stop\n')).toBe('OK\n');

    npx.kill('SIGTERM');
    await waitFor(() => !running(agent), 30_000, 'the agent to stop after npx did');
    expect(output).toContain('stopped; every channel was drained');
    const files = existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : [];
    expect(files.map((f) => readFileSync(join(dir, 'out', f), 'utf8')).join('')).toContain('before the stop');
  }, 120_000);
});

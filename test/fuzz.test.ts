// `npm run fuzz`, short and seeded: the CI pass of the fuzzers (the long recorded run is in
// bench/RESULTS.md), and the runner's own promises: failures are caught, written out and
// replayable, and a seed always makes the same inputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from './fuzz/rng.js';
import { loadTarget } from './fuzz/targets.js';

const main = resolve('dist/test/fuzz/main.js');

function fuzz(args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'flowc-fuzz-'));
  const r = spawnSync(process.execPath, [main, '--out', out, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out };
}

// Budgets are generous: CI machines are shared and slow; a real hang runs for ever.
describe('npm run fuzz (short seeded pass)', () => {
  it('finds nothing in the .flow pipeline: no crash, no hang, fmt idempotent, keeping comments and meaning', () => {
    const r = fuzz(['--target', 'flow', '--count', '1000', '--seed', '20261206', '--budget', '60000']);
    expect(r.stdout).toMatch(/flow: 1000 inputs in [\d.]+ s .*: 0 failures/);
    expect(r.status).toBe(0);
  }, 600_000);

  it('finds nothing in import: no crash, no hang, the .flow it writes parses and is formatted', () => {
    const r = fuzz(['--target', 'import', '--count', '1000', '--seed', '20261206', '--budget', '60000']);
    expect(r.stdout).toMatch(/import: 1000 inputs in [\d.]+ s .*: 0 failures/);
    expect(r.stdout).toMatch(/seeds: \d+ from the examples, [1-9]\d* test fixtures/);
    expect(r.status).toBe(0);
  }, 600_000);

  it('finds nothing in the network sources: the agent never crashes, keeps serving, loses no acknowledged event', () => {
    const r = fuzz(['--target', 'network', '--count', '800', '--seed', '20261206', '--serve-ms', '60000']);
    expect(r.stdout).toMatch(/network: 800 inputs in [\d.]+ s .*: 0 failures/);
    // Events were acknowledged under attack, so the loss check had something to check.
    expect(r.stdout).toMatch(/events acknowledged under attack: .*netcat [1-9]/);
    expect(r.stdout).toMatch(/events acknowledged under attack: .*http_json [1-9]/);
    expect(r.stdout).toMatch(/events acknowledged under attack: .*avro [1-9]/);
    expect(r.status).toBe(0);
  }, 600_000);

  it('finds nothing in the avro source\'s frame handling', () => {
    const r = fuzz(['--target', 'avro-frames', '--count', '1500', '--seed', '20261206']);
    expect(r.stdout).toMatch(/avro-frames: 1500 inputs in [\d.]+ s .*: 0 failures/);
    expect(r.status).toBe(0);
  }, 600_000);
});

describe('the fuzz runner', () => {
  it('catches a crash, a hang and a memory blow-up, and writes each input with the commands that replay it', () => {
    const r = fuzz(['--target', 'canary', '--count', '10', '--budget', '4000', '--heap', '64']);
    expect(r.stdout).toContain('1 crash, 1 hang, 1 memory');
    // On Linux the budget is the worker thread's CPU time, which other jobs on the machine do not inflate.
    if (process.platform === 'linux') expect(r.stdout).toContain('hang: input took more than 4000 ms of CPU time');
    expect(r.status).toBe(1);
    expect(readdirSync(r.out).sort()).toEqual([
      'canary-seed1-3.input', 'canary-seed1-3.report.txt',
      'canary-seed1-5.input', 'canary-seed1-5.report.txt',
      'canary-seed1-7.input', 'canary-seed1-7.report.txt',
    ]);
    const report = readFileSync(join(r.out, 'canary-seed1-3.report.txt'), 'utf8');
    expect(report).toContain('finding: crash: TypeError: canary crash');
    expect(report).toContain('npm run fuzz -- --target canary --seed 1 --start 3 --count 1');
    const replay = report.match(/npm run fuzz -- (--target canary --replay \S+)/)![1]!.split(' ');
    const again = spawnSync(process.execPath, [main, ...replay], { encoding: 'utf8' });
    expect(again.stdout).toContain('crash: TypeError: canary crash');
    expect(again.status).toBe(1);
  }, 120_000);

  it('makes the same inputs from the same seed, and others from another', () => {
    for (const name of ['flow', 'import']) {
      const target = loadTarget(name);
      const make = (seed: number, i: number) => target.generate(Rng.forInput(seed, name, i), i).toString();
      const a = Array.from({ length: 50 }, (_, i) => make(5, i));
      expect(Array.from({ length: 50 }, (_, i) => make(5, i))).toEqual(a);
      expect(Array.from({ length: 50 }, (_, i) => make(6, i)).filter((x, i) => x !== a[i]).length).toBeGreaterThan(40);
    }
  });

  it('refuses an unknown target with the list of targets', () => {
    const r = fuzz(['--target', 'nope']);
    expect(r.stderr).toContain('unknown target `nope`');
    expect(r.stderr).toContain('flow, import, network, avro-frames');
    expect(r.status).toBe(2);
    expect(existsSync(main)).toBe(true);
  });
});

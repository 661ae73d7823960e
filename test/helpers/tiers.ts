// Helpers for the tests of tiers of agents (flowc's and Flume's, avro and thrift): `flowc run`
// and `flowc send` as child processes, a self-signed certificate made with openssl, and counts
// of the sequence numbers that arrived at the far end.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, spawnNode, waitFor, type Child } from '../runtime/helpers.js';

/** Runs `flowc run <name> <args>` in `dir` with the flow text, and waits for its banner. */
export async function runFlowc(dir: string, flow: string, args: string[] = [], name = 'app.flow'): Promise<Child> {
  writeFileSync(join(dir, name), flow);
  const child = spawnNode([bin, 'run', name, ...args], dir);
  await waitFor(() => child.stdout().includes('press Ctrl-C') || child.proc.exitCode !== null, 30_000, 'the banner of flowc run');
  if (child.proc.exitCode !== null) throw new Error(`flowc run exited ${child.proc.exitCode}:\n${child.stdout()}\n${child.stderr()}`);
  return child;
}

/**
 * Runs `flowc send <args>` to completion; `input` goes to its standard input. Asynchronous, so
 * that a server in the test's own process can answer it.
 */
export function flowcSend(args: string[], options: { cwd?: string; input?: string | Buffer } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [bin, 'send', ...args], { cwd: options.cwd ?? process.cwd(), env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdin.on('error', () => undefined); // it may exit before reading everything
  proc.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface Certificate {
  /** PKCS12 keystore with the key and certificate (for a source). */
  keystore: string;
  password: string;
  /** The certificate alone, PEM (a truststore for flowc). */
  certPem: string;
  /** The private key alone, PEM (PKCS#8). */
  keyPem: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export function selfSigned(dir: string): Certificate {
  const keyPem = join(dir, 'key.pem');
  const certPem = join(dir, 'cert.pem');
  const keystore = join(dir, 'keystore.p12');
  const password = 'changeit';
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPem, '-out', certPem, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyPem, '-in', certPem, '-out', keystore, '-passout', `pass:${password}`, '-name', 'flowc'], { stdio: 'ignore' });
  return { keystore, password, certPem, keyPem };
}

/** Whether `seen` holds each of the numbers 0 … n-1 and nothing else (repeats allowed). */
export function everyNumber(seen: number[], n: number): boolean {
  const set = new Set(seen);
  return set.size === n && [...set].every((x) => x >= 0 && x < n);
}

/** How many of the numbers 0 … n-1 are among the lines of every file in `dir`, and how many lines repeat one. */
export function sequenceCount(dir: string, n: number): { seen: number; duplicates: number; lines: number; firstMissing: number | undefined } {
  const seen = new Uint8Array(n);
  let distinct = 0;
  let duplicates = 0;
  let lines = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // not there yet
  }
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'latin1');
    } catch {
      continue;
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      // Bodies may be padded after the number (RpcLoad pads with `x`).
      const v = Number.parseInt(text.slice(start, nl), 10);
      start = nl + 1;
      lines++;
      if (!Number.isInteger(v) || v < 0 || v >= n) continue;
      if (seen[v]) duplicates++;
      else {
        seen[v] = 1;
        distinct++;
      }
    }
  }
  const missing = seen.indexOf(0);
  return { seen: distinct, duplicates, lines, firstMissing: missing < 0 ? undefined : missing };
}

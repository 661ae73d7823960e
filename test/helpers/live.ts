// Helpers for the tests of `flowc run --ui`: the built CLI in a child process, the quickstart
// in a temporary folder, a steady TCP sender, and a reader of server-sent events.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { bin, freePort, spawnNode, waitFor, type Child } from '../runtime/helpers.js';

export interface Agent {
  child: Child;
  ui: string;
  monitor?: string;
}

/** Runs `flowc run app.flow <args>` in `dir` and waits for the banner. */
export async function runAgent(dir: string, flow: string, args: string[]): Promise<Agent> {
  writeFileSync(join(dir, 'app.flow'), flow);
  const child = spawnNode([bin, 'run', 'app.flow', ...args], dir);
  await waitFor(() => child.stdout().includes('press Ctrl-C') || child.proc.exitCode !== null, 20_000, 'the banner');
  const ui = /live view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(child.stdout());
  if (!ui) throw new Error(`no live view in the banner:\n${child.stdout()}\n${child.stderr()}`);
  const monitor = /monitor: (http:\/\/\S+)\/metrics/.exec(child.stdout());
  return monitor ? { child, ui: ui[1]!, monitor: monitor[1]! } : { child, ui: ui[1]! };
}

/** The quickstart on a free port, writing its files under `dir`. */
export async function quickstart(dir: string): Promise<{ flow: string; port: number }> {
  const port = await freePort();
  const flow = readFileSync('examples/quickstart.flow', 'utf8').replaceAll('44444', String(port)).replace('"out/quickstart"', JSON.stringify(join(dir, 'out')));
  return { flow, port };
}

/**
 * Sends `perSecond` lines a second to 127.0.0.1:`port` for `seconds`, on a schedule (each
 * step sends what is due by the clock), so that timer delays do not change the average rate.
 */
export function sendSteadily(port: number, perSecond: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('data', () => undefined); // the acks
    s.on('error', reject);
    s.on('connect', () => {
      const start = Date.now();
      let sent = 0;
      const step = () => {
        const elapsed = Date.now() - start;
        const due = Math.floor((Math.min(elapsed, seconds * 1000) / 1000) * perSecond);
        let chunk = '';
        while (sent < due) chunk += `line ${sent++}\n`;
        if (chunk) s.write(chunk);
        if (elapsed >= seconds * 1000) {
          s.end(() => resolve(sent));
          return;
        }
        setTimeout(step, 10);
      };
      step();
    });
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseReader {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  /** Raw text received, for checking the wire format. */
  raw: () => string;
  ended: Promise<void>;
  close(): void;
}

/** Opens an event stream and parses what arrives (the fields this server sends). */
export function readEvents(url: string): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      let raw = '';
      let buffer = '';
      const events: SseEvent[] = [];
      res.setEncoding('utf8');
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      res.on('data', (d: string) => {
        raw += d;
        buffer += d;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: SseEvent = { event: 'message', data: '' };
          let fields = 0;
          for (const line of block.split('\n')) {
            const i = line.indexOf(':');
            if (i <= 0) continue;
            const [k, v] = [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
            if (k === 'id') e.id = v;
            else if (k === 'event') e.event = v;
            else if (k === 'data') e.data += v;
            else continue;
            fields++;
          }
          if (fields > 0 && (e.data !== '' || e.event !== 'message')) events.push(e);
        }
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, events, raw: () => raw, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function metricsOf(monitor: string): Promise<Record<string, Record<string, string>>> {
  return (await (await fetch(`${monitor}/metrics`)).json()) as Record<string, Record<string, string>>;
}

/** `1.2k ev/s` → 1200, `— ev/s` → null. */
export function parseRate(label: string): number | null {
  const m = /^([\d.]+)([kM]?) ev\/s$/.exec(label.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

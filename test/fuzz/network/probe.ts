// The well-behaved clients: after each burst of attacks every source must still serve one.
// Each probe sends a marker event; netcat, HTTP and Avro acknowledge it, and every marker must
// reach the source's sink. The sinks' files are read as they grow.
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { AvroClient } from '../../../runtime/rpc/client.js';
import { SOURCES, type SourceName } from './agent.js';

/** Sources whose clients hear that an event was taken. */
export const ACKING: ReadonlySet<SourceName> = new Set(['netcat', 'http_json', 'http_blob', 'avro']);

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

function netcatSend(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    let got = '';
    s.on('connect', () => s.write(`${line}\n`));
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\n')) {
        s.destroy();
        if (got.startsWith('OK\n')) resolve();
        else reject(new Error(`netcat answered ${JSON.stringify(got.slice(0, 200))}`));
      }
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error(`netcat closed the connection (answer so far ${JSON.stringify(got.slice(0, 200))})`)));
  });
}

function tcpSend(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.on('connect', () => s.end(`${line}\n`, () => resolve()));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

function udpSend(port: number, message: string): Promise<void> {
  const s = createSocket('udp4');
  return new Promise((resolve, reject) =>
    s.send(Buffer.from(message), port, '127.0.0.1', (e) => {
      s.close();
      if (e) reject(e);
      else resolve();
    }),
  );
}

async function httpSend(port: number, body: string, contentType: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(20_000) });
  await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
}

async function avroSend(port: number, marker: string): Promise<void> {
  const client = await AvroClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 20_000, requestTimeoutMs: 20_000 });
  try {
    const status = await client.appendBatch([{ headers: { probe: 'yes' }, body: Buffer.from(marker) }]);
    if (status !== 'OK') throw new Error(`avro answered ${status}`);
  } finally {
    await client.close();
  }
}

/** Sends one marker the way a valid client of `source` does; resolves when acknowledged (or sent). */
export function sendMarker(source: SourceName, ports: number[], marker: string): Promise<void> {
  const port = ports[0]!;
  switch (source) {
    case 'netcat':
      return netcatSend(port, marker);
    case 'http_json':
      return httpSend(port, JSON.stringify([{ headers: { probe: 'yes' }, body: marker }]), 'application/json');
    case 'http_blob':
      return httpSend(port, marker, 'application/octet-stream');
    case 'avro':
      return avroSend(port, marker);
    case 'netcatudp':
      return udpSend(port, marker);
    case 'syslogudp':
      return udpSend(port, `<13>Dec  6 02:00:00 fuzzhost probe: ${marker}`);
    case 'syslogtcp':
      return tcpSend(port, `<13>Dec  6 02:00:00 fuzzhost probe: ${marker}`);
    case 'multiport_syslogtcp':
      return Promise.all(ports.map((p, i) => tcpSend(p, `<13>Dec  6 02:00:00 fuzzhost probe: ${marker}-port${i}`))).then(() => undefined);
  }
}

/** What a marker must look like in the sink's file (multiport: one per port). */
export function expectedMarkers(source: SourceName, ports: number[], marker: string): string[] {
  return source === 'multiport_syslogtcp' ? ports.map((_, i) => `${marker}-port${i}`) : [marker];
}

/** Reads the sinks' files as they grow: markers seen, and lines written per source. */
export class SinkOutput {
  private readonly offsets = new Map<string, number>();
  private readonly carry = new Map<string, string>();
  readonly seen = new Set<string>();
  readonly lines = new Map<SourceName, number>();

  constructor(private readonly outDir: string) {}

  /** Reads what was appended since the last call. */
  poll(): void {
    for (const source of SOURCES) {
      const dir = join(this.outDir, source);
      let files: string[];
      try {
        files = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const f of files) this.readNew(source, join(dir, f));
    }
  }

  private readNew(source: SourceName, path: string): void {
    const from = this.offsets.get(path) ?? 0;
    const size = statSync(path).size;
    if (size <= from) return;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.min(size - from, 64 << 20));
      const n = readSync(fd, buf, 0, buf.length, from);
      this.offsets.set(path, from + n);
      const text = (this.carry.get(path) ?? '') + buf.subarray(0, n).toString('latin1');
      const lastNl = text.lastIndexOf('\n');
      this.carry.set(path, text.slice(lastNl + 1));
      const complete = text.slice(0, lastNl + 1);
      let count = 0;
      for (let i = complete.indexOf('\n'); i !== -1; i = complete.indexOf('\n', i + 1)) count++;
      this.lines.set(source, (this.lines.get(source) ?? 0) + count);
      for (const m of complete.matchAll(/MARK-[0-9a-z-]+/g)) this.seen.add(m[0]);
    } finally {
      closeSync(fd);
    }
  }
}

export interface ProbeOutcome {
  source: SourceName;
  ok: boolean;
  acked: boolean;
  markers: string[];
  error?: string;
  ms: number;
}

/**
 * Serves one valid client of `source` and waits for its marker to reach the sink. A busy
 * channel may refuse a marker for a while (503, FAILED): that is retried until the deadline.
 */
export async function probe(source: SourceName, ports: number[], marker: string, output: SinkOutput, timeoutMs: number): Promise<ProbeOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + timeoutMs;
  const markers = expectedMarkers(source, ports, marker);
  let lastError = '';
  let acked = false;
  while (Date.now() < deadline) {
    try {
      await withTimeout(sendMarker(source, ports, marker), Math.max(1000, deadline - Date.now()), source);
      acked = ACKING.has(source);
      break;
    } catch (e) {
      lastError = (e as Error).message;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (!acked && ACKING.has(source)) return { source, ok: false, acked, markers, error: `not served: ${lastError}`, ms: performance.now() - t0 };
  // Delivered to the sink: datagrams may be resent (a burst can fill the socket's buffer).
  let resend = Date.now() + 2000;
  while (Date.now() < deadline) {
    output.poll();
    if (markers.every((m) => output.seen.has(m))) return { source, ok: true, acked, markers, ms: performance.now() - t0 };
    if (!ACKING.has(source) && Date.now() > resend) {
      resend = Date.now() + 2000;
      await sendMarker(source, ports, marker).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { source, ok: false, acked, markers, error: `the marker did not reach the sink within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`, ms: performance.now() - t0 };
}

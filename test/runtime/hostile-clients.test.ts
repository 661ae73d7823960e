// Network sources under hostile clients: a client that misbehaves is cut off cleanly and
// costs the agent a bounded amount of work; every other client stays served meanwhile.
import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { headersOf } from '../../runtime/core/event.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import { flowsPerTest, freePort, httpPost, runFlow, scratch, takeAll, waitFor } from './helpers.js';

const { work } = scratch();

const { run } = flowsPerTest();

describe('netcat: a line over max-line-length', () => {
  it('is answered FAILED and the connection is closed fully, even while the client keeps sending', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 16 }
      channel c : memory
      s -> c }`);
    // allowHalfOpen: the client does not hang up when the server does; it goes on writing,
    // as a client that never reads would. Only the server can end this connection.
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let replies = '';
    let writer: NodeJS.Timeout | undefined;
    s.on('data', (d) => (replies += d.toString()));
    s.on('error', () => undefined); // a reset once the server closes is expected
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    s.on('connect', () => {
      s.write(`${'x'.repeat(40)}\n`);
      writer = setInterval(() => {
        if (s.writable) s.write('more data that nobody will read\n'.repeat(100));
      }, 10);
    });
    await closed;
    clearInterval(writer);
    expect(replies).toBe('FAILED: Event exceeds the maximum length (16 chars, including newline)\n');
  });
});

describe('header names that are also names of Object.prototype', () => {
  const names = ['__proto__', 'constructor', 'valueOf', 'toString', 'hasOwnProperty'];
  const ownHeaders = (h: object) => Object.fromEntries(Object.entries(h));

  it('are kept by the JSON handler, and routed on by a multiplexing selector', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel hit : memory
      channel other : memory
      s -> route header "constructor" {
        "yes" -> hit
        default -> other
      }
    }`);
    const headers = Object.fromEntries(names.map((n) => [n, `v-${n}`]));
    // JSON.stringify writes "__proto__" as a key like any other; JSON.parse reads it so too.
    const body = `[{"headers":${JSON.stringify(headers)},"body":"all"},{"headers":{"constructor":"yes"},"body":"routed"},{"body":"none"}]`;
    expect(body).toContain('"__proto__":"v-__proto__"');
    expect((await httpPost(port, body)).status).toBe(200);
    const other = takeAll(running, 'other');
    expect(other.map((e) => e.body.toString())).toEqual(['all', 'none']);
    expect(ownHeaders(other[0]!.headers)).toEqual(headers);
    expect(Object.keys(other[1]!.headers)).toEqual([]);
    expect(takeAll(running, 'hit').map((e) => e.body.toString())).toEqual(['routed']);
  });

  it('are kept from the BLOB handler query, and a mandatory `toString` is really required', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port}, handler = "org.apache.flume.source.http.BLOBHandler",
        handler.mandatoryParameters = ["toString"] }
      channel c : memory
      s -> c }`);
    expect((await httpPost(port, 'no parameters')).status).toBe(500);
    const query = names.map((n) => `${encodeURIComponent(n)}=v-${n}`).join('&');
    expect((await httpPost(port, 'blob', {}, `/?${query}`)).status).toBe(200);
    const events = takeAll(running, 'c');
    expect(events.map((e) => e.body.toString())).toEqual(['blob']);
    expect(ownHeaders(events[0]!.headers)).toEqual(Object.fromEntries(names.map((n) => [n, `v-${n}`])));
  });

  it('are kept by the avro source, as sent over Avro RPC', async () => {
    const port = await freePort();
    const running = await run(`agent a { source rpc : avro { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      rpc -> c }`);
    const client = await AvroClient.connect({ host: '127.0.0.1', port });
    try {
      const sent = Object.fromEntries(names.map((n) => [n, `v-${n}`]));
      expect(await client.appendBatch([{ headers: headersOf(Object.entries(sent)), body: Buffer.from('rpc') }])).toBe('OK');
      const [e] = takeAll(running, 'c');
      expect(ownHeaders(e!.headers)).toEqual(sent);
    } finally {
      await client.close();
    }
  });

  it('are kept by the file channel across a restart', async () => {
    const dir = work();
    const port = await freePort();
    const flow = `agent a { source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : file { checkpointDir = "${join(dir, 'cp')}", dataDirs = "${join(dir, 'data')}" }
      s -> c }`;
    const headers = Object.fromEntries(names.map((n) => [n, `v-${n}`]));
    const first = await runFlow(flow);
    try {
      expect((await httpPost(port, `[{"headers":${JSON.stringify(headers)},"body":"durable"}]`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    const running = await run(flow);
    const [e] = takeAll(running, 'c');
    expect(e!.body.toString()).toBe('durable');
    expect(ownHeaders(e!.headers)).toEqual(headers);
  });

  it('are set by interceptors like any other name', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      interceptor p : static { key = "__proto__", value = "from-static" }
      interceptor v : static { key = "valueOf", value = "kept" }
      channel c : memory
      s | p | v -> c }`);
    expect((await httpPost(port, '[{"body":"x"}]')).status).toBe(200);
    const [e] = takeAll(running, 'c');
    // (a `__proto__` key in an object literal would set the prototype: build the expectation from entries)
    expect(ownHeaders(e!.headers)).toEqual(Object.fromEntries([['__proto__', 'from-static'], ['valueOf', 'kept']]));
  });
});

/** Posts a body with node:http; `sent` resolves once the whole body is handed to the kernel. */
function post(port: number, body: string): { sent: Promise<void>; answered: Promise<{ status: number; text: string }> } {
  let markSent!: () => void;
  const sent = new Promise<void>((r) => (markSent = r));
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body, () => markSent());
  });
  return { sent, answered };
}

/** The server's side of a loopback TCP connection, found among this process's handles. */
function serverSocketOf(serverPort: number, clientPort: number): Socket | undefined {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.find((h): h is Socket => h instanceof Socket && h.localPort === serverPort && h.remotePort === clientPort);
}

/** A connected netcat client; `line` sends one line and resolves with the reply. */
async function netcatClient(port: number): Promise<{ socket: Socket; line: (text: string) => Promise<string> }> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((r, j) => socket.once('connect', () => r()).once('error', j));
  return {
    socket,
    line: (text) =>
      new Promise((resolve) => {
        socket.once('data', (d) => resolve(d.toString()));
        socket.write(`${text}\n`);
      }),
  };
}

describe('http: the work of one request is bounded', () => {
  it('refuses 16.7 million empty events (48 MB) with 503 before building them, and keeps serving', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory { capacity = 1000, transactionCapacity = 100 }
      s -> c }`);
    const hostile = `[${'{},'.repeat(16_777_215)}{}]`;
    expect(hostile.length).toBeGreaterThan(48_000_000);
    const { answered } = post(port, hostile);
    const answer = await answered;
    expect(answer.status).toBe(503);
    expect(answer.text).toContain('more than 100 events');
    expect(takeAll(running, 'c')).toEqual([]);
    // the agent is still there, and takes a request the channel can take
    expect((await httpPost(port, JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ body: String(i) }))))).status).toBe(200);
    expect(takeAll(running, 'c')).toHaveLength(100);
    expect(running.runner.agents[0]!.metrics.json()['SOURCE.s']).toMatchObject({ ChannelWriteFail: '1', EventAcceptedCount: '100' });
  });

  it('answers another client (a netcat line) while it builds the events of a large request', async () => {
    const httpPort = await freePort();
    const ncPort = await freePort();
    const running = await run(`agent a {
      source web : http { bind = "127.0.0.1", port = ${httpPort} }
      source lines : netcat { bind = "127.0.0.1", port = ${ncPort} }
      channel big : memory { capacity = 100000, transactionCapacity = 100000 }
      channel small : memory
      web -> big
      lines -> small }`);
    const nc = await netcatClient(ncPort);
    const body = Buffer.from(`[${'{"body":"x"},'.repeat(99_999)}{"body":"x"}]`);
    const head = Buffer.from(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`);
    const web = connect({ port: httpPort, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((r) => web.once('connect', () => r()));
    const order: string[] = [];
    const httpDone = new Promise<string>((resolve) => {
      let text = '';
      web.on('data', (d) => {
        text += d.toString();
        if (!text.includes('\r\n\r\n') || order.includes('http')) return;
        order.push('http');
        resolve(text);
      });
    });
    // All of the request but its last byte, read by the server before the test goes on (the
    // agent runs in this process: the server's side of the connection counts the bytes).
    web.write(Buffer.concat([head, body.subarray(0, body.length - 1)]));
    const serverSide = await waitFor(() => serverSocketOf(httpPort, web.localPort!), 10_000, 'the server side of the connection');
    await waitFor(() => serverSide.bytesRead === head.length + body.length - 1, 20_000, 'the server to read the request');
    // The last byte starts the building of 100,000 events; the line arrives while it runs,
    // and its OK must not wait for the request's answer.
    web.write(body.subarray(body.length - 1));
    const lineDone = nc.line('during').then((reply) => {
      order.push('netcat');
      return reply;
    });
    const [reply, answer] = await Promise.all([lineDone, httpDone]);
    nc.socket.destroy();
    web.destroy();
    expect(reply).toBe('OK\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(order).toEqual(['netcat', 'http']);
    expect(takeAll(running, 'big')).toHaveLength(100_000);
  });
});

// Network sources under hostile clients: a client that misbehaves is cut off cleanly and
// costs the agent a bounded amount of work; every other client stays served meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { freePort, httpPost, runFlow, takeAll, type Running } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('netcat: a line over max-line-length', () => {
  it('is answered FAILED and the connection is closed fully, even while the client keeps sending', async () => {
    const port = await freePort();
    running = await runFlow(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 16 }
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
    running = await runFlow(`agent a {
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
    running = await runFlow(`agent a {
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

  it('are set by interceptors like any other name', async () => {
    const port = await freePort();
    running = await runFlow(`agent a {
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

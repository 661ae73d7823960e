// Network sources under hostile clients: a client that misbehaves is cut off cleanly and
// costs the agent a bounded amount of work; every other client stays served meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { freePort, runFlow, type Running } from './helpers.js';

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

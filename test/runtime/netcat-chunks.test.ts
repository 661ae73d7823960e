// netcat reads lines in place in each network chunk; a line begun in one chunk and ended in a
// later one is joined. Writes spaced in time arrive as separate chunks.
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { flowsPerTest, freePort, takeAll } from './helpers.js';

const { run } = flowsPerTest();

/** Writes the parts with pauses between them; resolves with the replies once the server closes or goes quiet. */
function spacedWrites(port: number, parts: string[], gapMs = 40): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true });
    let out = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      if (quiet) clearTimeout(quiet);
      s.destroy();
      resolve(out);
    };
    s.on('data', (d) => {
      out += d.toString();
      if (quiet) clearTimeout(quiet);
      quiet = setTimeout(done, 300);
    });
    s.on('close', done);
    s.on('error', (e) => (out ? done() : reject(e)));
    s.on('connect', async () => {
      for (const p of parts) {
        s.write(p);
        await new Promise((r) => setTimeout(r, gapMs));
      }
      quiet = setTimeout(done, 300);
    });
  });
}

describe('netcat across chunks', () => {
  it('joins lines split across chunks and reads the rest of each chunk in place', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 20 }
      channel c : memory
      s -> c }`);
    const reply = await spacedWrites(port, ['par', 'tial\nsec', 'ond\nthird\nfou', 'r', '\n', '\nsixth\n']);
    expect(reply).toBe('OK\n'.repeat(6));
    expect(takeAll(running, 'c').map((e) => e.body.toString())).toEqual(['partial', 'second', 'third', 'four', '', 'sixth']);
  });

  it('finds a line that grows too long across chunks', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 10 }
      channel c : memory
      s -> c }`);
    const reply = await spacedWrites(port, ['ok\nabcdef', 'ghijkl', 'mno\nnever\n']);
    expect(reply).toBe('OK\nFAILED: Event exceeds the maximum length (10 chars, including newline)\n');
    expect(takeAll(running, 'c').map((e) => e.body.toString())).toEqual(['ok']);
  });

  it('counts characters, not bytes, against max-line-length', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 6 }
      channel c : memory
      s -> c }`);
    // 5 characters in 10 bytes, split in the middle of a character.
    const bytes = Buffer.from('ééééé\n');
    const reply = await new Promise<string>((resolve) => {
      const s = connect({ port, host: '127.0.0.1', noDelay: true }, async () => {
        s.write(bytes.subarray(0, 3));
        await new Promise((r) => setTimeout(r, 40));
        s.write(bytes.subarray(3));
      });
      let out = '';
      s.on('data', (d) => {
        out += d.toString();
        if (out.endsWith('\n')) {
          s.destroy();
          resolve(out);
        }
      });
    });
    expect(reply).toBe('OK\n');
    expect(takeAll(running, 'c').map((e) => e.body.toString())).toEqual(['ééééé']);
  });
});

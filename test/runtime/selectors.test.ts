// Channel selectors end to end: an http source routing into memory channels.
import { describe, expect, it } from 'vitest';
import { flowsPerTest, freePort, httpPost, takeAll, type Running } from './helpers.js';

const { run } = flowsPerTest();

const bodies = (r: Running, c: string) => takeAll(r, c).map((e) => e.body.toString());

describe('selectors', () => {
  it('replicating: every channel gets every event; a full optional channel does not fail the batch', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel one : memory
      channel two : memory
      channel tiny : memory { capacity = 1, transactionCapacity = 1, keep-alive = 0s }
      s -> one, two, tiny?
    }`);
    expect((await httpPost(port, JSON.stringify([{ body: 'a' }, { body: 'b' }]))).status).toBe(200);
    expect(bodies(running, 'one')).toEqual(['a', 'b']);
    expect(bodies(running, 'two')).toEqual(['a', 'b']);
    expect(bodies(running, 'tiny')).toEqual([]);
  });

  it('multiplexing: routes by header, with optional channels and a default', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel hot : memory
      channel cold : memory
      channel debug : memory
      s -> route header "level" {
        "ERROR" -> hot, cold
        "DEBUG" -> debug, cold?
        default -> cold
      }
    }`);
    const events = [
      { headers: { level: 'ERROR' }, body: 'e' },
      { headers: { level: 'DEBUG' }, body: 'd' },
      { headers: { level: 'INFO' }, body: 'i' },
      { body: 'none' },
    ];
    expect((await httpPost(port, JSON.stringify(events))).status).toBe(200);
    expect(bodies(running, 'hot')).toEqual(['e']);
    expect(bodies(running, 'debug')).toEqual(['d']);
    expect(bodies(running, 'cold')).toEqual(['e', 'i', 'none', 'd']);
  });
});

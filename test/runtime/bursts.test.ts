// Sources that batch what arrives together (netcat, syslogtcp) split a burst into pieces that fit
// a transaction of their channels: with Flume's default transactionCapacity (100), a burst of
// 1,000 lines in one write is accepted whole, as Flume (one transaction per event) accepts it.
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { flowsPerTest, freePort, takeAll, tcpExchange, waitFor } from './helpers.js';

const { run } = flowsPerTest();

describe('bursts larger than a transaction', () => {
  it('netcat answers OK to every line of a 1,000-line write', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port} }
      channel c : memory { capacity = 10_000 }
      s -> c }`);
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    const reply = await tcpExchange(port, lines.map((l) => `${l}\n`).join(''));
    expect(reply).toBe('OK\n'.repeat(1000));
    expect(takeAll(running, 'c').map((e) => e.body.toString())).toEqual(lines);
  });

  it('netcat answers FAILED only for the pieces the channel refused', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port} }
      channel c : memory { capacity = 250, transactionCapacity = 100, keep-alive = 0s }
      s -> c }`);
    const reply = await tcpExchange(port, 'x\n'.repeat(300));
    const ok = reply.split('\n').filter((l) => l === 'OK').length;
    const failed = reply.split('\n').filter((l) => l.startsWith('FAILED: channel `c` is full')).length;
    expect([ok, failed]).toEqual([200, 100]);
    expect(takeAll(running, 'c')).toHaveLength(200);
  });

  it('syslogtcp keeps every record of a 1,000-record write', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : syslogtcp { host = "127.0.0.1", port = ${port} }
      channel c : memory { capacity = 10_000 }
      s -> c }`);
    const s = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((r) => s.on('connect', () => r()));
    s.end(Array.from({ length: 1000 }, (_, i) => `<13>Nov 25 10:00:00 host app: record ${i}\n`).join(''));
    const events = await waitFor(() => {
      const m = running.runner.agents[0]!.metrics.json()['SOURCE.s']!;
      return Number(m.EventReceivedCount) >= 1000 ? takeAll(running, 'c') : undefined;
    }, 5000, '1,000 records');
    expect(events.map((e) => e.body.toString())).toEqual(Array.from({ length: 1000 }, (_, i) => `app: record ${i}`));
    expect(running.runner.agents[0]!.metrics.json()['SOURCE.s']).toMatchObject({ EventAcceptedCount: '1000', ChannelWriteFail: '0' });
  });
});

// One end-to-end test per sink.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { collector, fileLines, flowsPerTest, freePort, httpPost, removeDir, tempDir, waitFor, type Collector } from './helpers.js';

const { run, cleanup } = flowsPerTest();

describe('sinks', () => {
  it('logger logs events in Flume format, cut at maxBytesToLog', async () => {
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink k : logger { maxBytesToLog = 20 }
      s -> c -> k }`);
    await httpPost(port, JSON.stringify([{ headers: { h: 'v' }, body: 'hello' }, { body: 'abcdefghijklmnopqrstuvwxyz' }]));
    const lines = await waitFor(() => {
      const l = running.lines.filter((x) => x.includes('Event: '));
      return l.length >= 2 && l;
    });
    expect(lines[0]).toContain(`[a/k] Event: { headers:{h=v} body: 68 65 6C 6C 6F${' '.repeat(34)}hello }`);
    expect(lines[1]).toContain(
      `Event: { headers:{} body: 61 62 63 64 65 66 67 68 69 6A 6B 6C 6D 6E 6F 70 abcdefghijklmnop\n 71 72 73 74${' '.repeat(37)}qrst }`,
    );
  });

  it('null discards every event', async () => {
    const running = await run(`agent a {
      source s : seq { totalEvents = 500, batchSize = 50 }
      channel c : memory { capacity = 1000 }
      sink k : null { batchSize = 100 }
      s -> c -> k }`);
    const agent = running.runner.agents[0]!;
    await waitFor(() => agent.metrics.json()['SOURCE.s']!.EventAcceptedCount === '500' && agent.channels.get('c')!.size() === 0);
  });

  it('file_roll writes headers and bodies and rolls to a new file', async () => {
    const dir = tempDir();
    cleanup.push(() => removeDir(dir));
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink k : file_roll { sink.directory = "${dir}", sink.rollInterval = 1s, sink.serializer = header_and_text, sink.pathManager.prefix = "ev-", sink.pathManager.extension = "log" }
      s -> c -> k }`);
    await httpPost(port, JSON.stringify([{ headers: { a: '1' }, body: 'one' }, { body: 'two' }]));
    await waitFor(() => fileLines(dir).length === 2);
    await new Promise((r) => setTimeout(r, 1100));
    await httpPost(port, JSON.stringify([{ body: 'three' }]));
    await waitFor(() => fileLines(dir).length === 3);
    expect(fileLines(dir)).toEqual(['{a=1} one', '{} two', '{} three']);
    const names = readdirSync(dir).sort();
    expect(names.length).toBe(2);
    for (const n of names) expect(n).toMatch(/^ev-\d+-\d\.log$/);
    const sink = () => running.runner.agents[0]!.metrics.json()['SINK.k']!;
    await waitFor(() => sink().EventDrainSuccessCount === '3');
    expect(sink()).toMatchObject({ ConnectionCreatedCount: '2', ConnectionClosedCount: '1' });
  });

  it('http posts each body and follows the per-status rules (rolled back on 503, retried in order)', async () => {
    let failures = 2;
    const server: Collector = await collector(0, () => (failures-- > 0 ? 503 : 200));
    cleanup.push(() => server.close());
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink k : http { endpoint = "http://127.0.0.1:${server.port}/in", rollback.200 = false, "backoff.2XX" = false, incrementMetrics.200 = true, backoff.503 = false }
      s -> c -> k }`);
    await httpPost(port, JSON.stringify(['e1', 'e2', 'e3'].map((b) => ({ body: b }))));
    await waitFor(() => server.bodies.length === 3);
    expect(server.bodies).toEqual(['e1', 'e2', 'e3']);
    const sink = () => running.runner.agents[0]!.metrics.json()['SINK.k']!;
    await waitFor(() => sink().EventDrainSuccessCount === '3');
    expect(sink().EventDrainAttemptCount).toBe('5');
  });
});

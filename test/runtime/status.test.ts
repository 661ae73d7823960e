// The runtime's per-component status (`AgentRuntime.status()`, the monitor's `/status`): a sink
// whose process() keeps throwing is failing, with its last error, until it delivers again.
import { describe, expect, it } from 'vitest';
import { collector, flowsPerTest, freePort, tcpExchange, testSourceAgent, waitFor, type Collector } from './helpers.js';

const { run, cleanup } = flowsPerTest();

describe('component status', () => {
  it('marks a sink that cannot connect as failing with its error, and running again once it delivers', async () => {
    const target = await freePort();
    const port = await freePort();
    const running = await run(
      `agent a {
        source s : netcat { bind = "127.0.0.1", port = ${port} }
        channel c : memory
        sink k : http { endpoint = "http://127.0.0.1:${target}/in", rollback.200 = false, "backoff.2XX" = false, incrementMetrics.200 = true }
        s -> c -> k }`,
      { monitorPort: 0 },
    );
    const agent = running.runner.agents[0]!;
    const sink = () => agent.status().find((s) => s.role === 'sink' && s.name === 'k')!;
    expect(agent.status().map((s) => [s.role, s.name, s.state])).toEqual([
      ['source', 's', 'running'],
      ['channel', 'c', 'running'],
      ['sink', 'k', 'running'],
    ]);

    expect(await tcpExchange(port, 'one\n')).toBe('OK\n');
    await waitFor(() => sink().state === 'failing', 10_000, 'the sink to fail');
    expect(sink().lastError).toMatch(new RegExp(`cannot POST to http://127\\.0\\.0\\.1:${target}/in: .*ECONNREFUSED`));
    expect(sink().failures).toBeGreaterThan(0);
    expect(sink().lastErrorAt).toBeGreaterThan(Date.now() - 10_000);

    const res = await fetch(`${running.runner.monitor!.url}/status`);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    const body = (await res.json()) as Record<string, { role: string; name: string; state: string; lastError?: string }[]>;
    expect(body.a!.find((s) => s.name === 'k')).toMatchObject({ role: 'sink', state: 'failing', lastError: expect.stringContaining('ECONNREFUSED') });

    const server: Collector = await collector(target);
    cleanup.push(() => server.close());
    await waitFor(() => server.bodies.length === 1, 10_000, 'the delivery');
    await waitFor(() => sink().state === 'running', 10_000, 'the sink to recover');
    // The error stays on record, for whoever looks at why it was red.
    expect(sink()).toMatchObject({ failures: 0, lastError: expect.stringContaining('ECONNREFUSED') });
  });

  it('marks a component the supervisor is restarting as failing', async () => {
    let starts = 0;
    let failNow: ((e: unknown) => void) | undefined;
    // A source whose server socket breaks after start, and that cannot start the first time again.
    const running = await run(
      '',
      testSourceAgent((ctx) => {
        starts++;
        failNow = (e) => ctx.fail(e);
        if (starts === 2) throw new Error('port 4545 is already in use');
      }),
    );
    const agent = running.runner.agents[0]!;
    const source = () => agent.status().find((x) => x.name === 's')!;
    expect(source().state).toBe('running');
    failNow!(new Error('socket closed under us'));
    expect(source()).toMatchObject({ state: 'failing', lastError: 'socket closed under us' });
    await waitFor(() => starts === 2, 10_000, 'the first restart');
    await waitFor(() => source().lastError === 'port 4545 is already in use', 10_000, 'the failed restart');
    expect(source().state).toBe('failing');
    await waitFor(() => source().state === 'running', 10_000, 'the second restart');
    expect(source()).toMatchObject({ restarts: 2, lastError: 'port 4545 is already in use' });
  });
});

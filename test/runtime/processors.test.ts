// Sink processors and the sink runner end to end: failover, load balancing, and a sink that
// fails in the middle of a batch.
import { describe, expect, it } from 'vitest';
import type { AgentRuntimeConfig } from '../../runtime/core/config.js';
import type { ComponentRegistry, SinkFactory } from '../../runtime/core/component.js';
import { dynamicRegistry } from '../../runtime/loader.js';
import { processBatch } from '../../runtime/lib/sink-batch.js';
import { collector, flowsPerTest, freePort, httpPost, testSourceAgent, waitFor, type Collector } from './helpers.js';

const { run, cleanup } = flowsPerTest();

const rules = 'rollback.200 = false, backoff.200 = false';
const post = (port: number, bodies: string[]) => httpPost(port, JSON.stringify(bodies.map((body) => ({ body }))));

describe('sink processors', () => {
  it('failover moves to the backup while the primary is down, and back after the penalty', async () => {
    const primaryPort = await freePort(); // nothing listens there yet
    const backup = await collector();
    cleanup.push(() => backup.close());
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink primary : http { endpoint = "http://127.0.0.1:${primaryPort}/", ${rules}, connectTimeout = 500ms }
      sink backup : http { endpoint = "http://127.0.0.1:${backup.port}/", ${rules} }
      s -> c -> failover { primary: 10, backup: 5 } with { maxpenalty = 300ms }
    }`);
    await post(port, ['a1', 'a2', 'a3']);
    await waitFor(() => backup.bodies.length === 3, 10_000, 'events at the backup');
    expect(backup.bodies).toEqual(['a1', 'a2', 'a3']);
    const primary: Collector = await collector(primaryPort);
    cleanup.push(() => primary.close());
    await new Promise((r) => setTimeout(r, 400)); // the primary's penalty is over
    await post(port, ['b1', 'b2']);
    await waitFor(() => primary.bodies.length === 2, 10_000, 'events at the primary');
    expect(primary.bodies).toEqual(['b1', 'b2']);
    expect(backup.bodies).toEqual(['a1', 'a2', 'a3']);
    expect(running.lines.some((l) => l.includes('failing over to `backup`'))).toBe(true);
  });

  it('load_balance spreads events over its sinks, round robin', async () => {
    const one = await collector();
    const two = await collector();
    cleanup.push(() => one.close(), () => two.close());
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink k1 : http { endpoint = "http://127.0.0.1:${one.port}/", ${rules} }
      sink k2 : http { endpoint = "http://127.0.0.1:${two.port}/", ${rules} }
      s -> c -> balance [k1, k2] with { selector = round_robin, backoff = true }
    }`);
    const bodies = Array.from({ length: 20 }, (_, i) => `e${i}`);
    await post(port, bodies);
    await waitFor(() => one.bodies.length + two.bodies.length === 20);
    expect(one.bodies.length).toBeGreaterThan(0);
    expect(two.bodies.length).toBeGreaterThan(0);
    expect([...one.bodies, ...two.bodies].sort()).toEqual([...bodies].sort());
  });

  it('load_balance routes around a sink whose endpoint is down', async () => {
    const up = await collector();
    cleanup.push(() => up.close());
    const downPort = await freePort();
    const port = await freePort();
    const running = await run(`agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink k1 : http { endpoint = "http://127.0.0.1:${downPort}/", ${rules} }
      sink k2 : http { endpoint = "http://127.0.0.1:${up.port}/", ${rules} }
      s -> c -> balance [k1, k2] with { selector = random, backoff = true }
    }`);
    await post(port, ['x1', 'x2', 'x3', 'x4']);
    await waitFor(() => up.bodies.length === 4);
    expect(up.bodies).toEqual(['x1', 'x2', 'x3', 'x4']);
  });
});

describe('sink runner', () => {
  it('rolls back a batch that fails in the middle; every event is delivered later, once, in order', async () => {
    const delivered: string[] = [];
    let attempts = 0;
    // A real sink that writes a batch event by event and breaks down after a few events on
    // its first attempts; what it wrote of a failed batch is thrown away with the batch.
    const flaky: SinkFactory = (config, ctx) => ({
      process: () =>
        processBatch(ctx.channel, 10, (events) => {
          attempts++;
          const staged: string[] = [];
          for (const [i, e] of events.entries()) {
            if (attempts <= 3 && i === 4) throw new Error('disk unplugged');
            staged.push(e.body.toString());
          }
          delivered.push(...staged);
        }),
    });
    const registry: ComponentRegistry = {
      load: async (dir, kind) => (dir === 'sinks' && kind === 'flaky' ? (flaky as never) : dynamicRegistry.load(dir, kind)),
    };
    const config: AgentRuntimeConfig = {
      version: 1,
      agent: 'a',
      channels: [{ name: 'c', kind: 'memory', params: { capacity: 1000, transactionCapacity: 100, 'keep-alive': 3, byteCapacityBufferPercentage: 20 } }],
      sources: [
        {
          name: 's',
          kind: 'seq',
          params: { batchSize: 7, totalEvents: 95, backoffSleepIncrement: 1000, maxBackoffSleep: 5000 },
          channels: ['c'],
          selector: { kind: 'replicating', params: {} },
          interceptors: [],
        },
      ],
      sinks: [{ name: 'k', kind: 'flaky', channel: 'c', params: {} }],
      sinkGroups: [],
    };
    const running = await run('', { registry, configs: [config] });
    await waitFor(() => delivered.length === 95, 15_000, 'every event delivered');
    expect(delivered).toEqual(Array.from({ length: 95 }, (_, i) => String(i)));
    expect(attempts).toBeGreaterThan(3);
    expect(running.lines.filter((l) => l.includes('disk unplugged')).length).toBe(3);
  });
});

describe('supervisor', () => {
  it('restarts a component that reports a failure, with backoff, and logs it', async () => {
    let starts = 0;
    const running = await run(
      '',
      testSourceAgent((ctx) => {
        starts++;
        if (starts === 1) setTimeout(() => ctx.fail(new Error('socket went away')), 10);
      }),
    );
    await waitFor(() => starts === 2);
    expect(running.lines.some((l) => l.includes('source `s` failed: socket went away; restarting it in'))).toBe(true);
    await waitFor(() => running.lines.some((l) => l.includes('source `s` restarted')));
    expect(running.runner.agents[0]!.health().find((h) => h.name === 's')).toMatchObject({ state: 'running', restarts: 1 });
  });
});

// flowc's thrift source and sink against real Apache Flume 1.11.0 (test/peers): Flume's thrift
// sink sends to our source, and our sink sends to Flume's thrift source, in Flume's default
// compact protocol and in binary, 100,000 events each way; every event is counted at the far end.
import { describe, expect, it } from 'vitest';
import { expectEverySequence, fileRollCollector, flumeTestScope, freePort, rolledLines, startFlumeAgent } from './helpers/flume.js';
import { runFlow, takeAll, waitFor } from './runtime/helpers.js';

const { temp, agent: keepAgent, flow: keepFlow } = flumeTestScope('flowc-thrift-flume-');

const N = 100_000;

describe("Flume's thrift sink → flowc's thrift source", () => {
  for (const protocol of ['compact', 'binary'] as const) {
    const n = protocol === 'compact' ? N : 20_000;
    it(`${n.toLocaleString('en')} events, ${protocol} protocol: all of them in our channel, each once, headers kept`, async () => {
      const port = await freePort();
      const r = await runFlow(`
agent collector {
  source rpc : thrift { bind = "127.0.0.1", port = ${port}, protocol = ${protocol} }
  channel mem : memory { capacity = 200000, transactionCapacity = 1000 }
  rpc -> mem
}`);
      keepFlow(r);
      const props = [
        'edge.sources = gen',
        'edge.channels = c1',
        'edge.sinks = k1',
        'edge.sources.gen.type = seq',
        `edge.sources.gen.totalEvents = ${n}`,
        'edge.sources.gen.batchSize = 500',
        'edge.sources.gen.channels = c1',
        'edge.sources.gen.interceptors = h',
        'edge.sources.gen.interceptors.h.type = static',
        'edge.sources.gen.interceptors.h.key = from',
        'edge.sources.gen.interceptors.h.value = flume-thrift',
        'edge.channels.c1.type = memory',
        'edge.channels.c1.capacity = 100000',
        'edge.channels.c1.transactionCapacity = 1000',
        'edge.sinks.k1.type = thrift',
        'edge.sinks.k1.hostname = 127.0.0.1',
        `edge.sinks.k1.port = ${port}`,
        'edge.sinks.k1.batch-size = 500',
        `edge.sinks.k1.protocol = ${protocol}`,
        'edge.sinks.k1.channel = c1',
      ].join('\n');
      const edge = keepAgent(await startFlumeAgent({ name: 'edge', properties: `${props}\n` }));
      const source = () => r.runner.agents[0]!.metrics.json()['SOURCE.rpc']!;
      await waitFor(() => Number(source().EventAcceptedCount) >= n, 240_000, `${n} events at our thrift source`);
      const events = takeAll(r, 'mem');
      expect(events[0]!.headers).toEqual({ from: 'flume-thrift' });
      expectEverySequence(events.map((e) => Number(e.body.toString())), n);
      expect(source()).toMatchObject({ EventReceivedCount: String(n), EventAcceptedCount: String(n), ChannelWriteFail: '0' });
      // Flume's sink counts a batch once our answer has arrived: a moment after our commit.
      await waitFor(async () => Number((await edge.metrics())['SINK.k1']?.EventDrainSuccessCount ?? 0) >= n, 60_000, "Flume's sink to count every event");
      expect((await edge.metrics())['SINK.k1']).toMatchObject({ EventDrainSuccessCount: String(n) });
    }, 300_000);
  }
});

describe("flowc's thrift sink → Flume's thrift source", () => {
  for (const protocol of ['compact', 'binary'] as const) {
    const n = protocol === 'compact' ? N : 20_000;
    it(`${n.toLocaleString('en')} events, ${protocol} protocol: all of them at Flume, each once`, async () => {
      const port = await freePort();
      const out = temp();
      const col = keepAgent(await startFlumeAgent({ name: 'col', properties: fileRollCollector({ type: 'thrift', port, out, source: { protocol }, capacity: 200_000 }), waitForPorts: [port] }));
      const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = ${n}, batchSize = 1000 }
  channel buf : memory { capacity = 100000, transactionCapacity = 1000 }
  sink up : thrift { hostname = "127.0.0.1", port = ${port}, batch-size = 1000, protocol = ${protocol} }
  gen -> buf -> up
}`);
      keepFlow(r);
      // Counted in the files Flume wrote: Flume 1.11's ThriftSource registers its SOURCE counters
      // only after its server is serving, so a batch that arrives at once is not in them.
      await waitFor(() => rolledLines(out).length >= n, 240_000, `${n} events written by Flume`);
      expect((await col.metrics())['CHANNEL.c1']!.EventPutSuccessCount).toBe(String(n));
      await waitFor(() => Number(r.runner.agents[0]!.metrics.json()['SINK.up']!.EventDrainSuccessCount) >= n, 60_000, 'our sink to count every event');
      expect(r.runner.agents[0]!.metrics.json()['SINK.up']).toMatchObject({ EventDrainSuccessCount: String(n), ConnectionFailedCount: '0' });
      expectEverySequence(rolledLines(out).map(Number), n);
    }, 300_000);
  }
});

// The Kafka sink and source against a real Kafka 4.x broker (the test peer): flowc → topic →
// flowc with every event delivered, headers carried by Flume's event format, Flume's headers on
// the source side, the broker restarted in the middle of a million events, and the channel full
// (no offset committed until the batch is in).
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Event } from '../../runtime/core/event.js';
import { keyedPartition } from '../../runtime/lib/kafka-records.js';
import { useKafka } from '../helpers/kafka-scope.js';
import { sequenceCount } from '../helpers/tiers.js';
import { componentMetrics, freePort, runFlow, scratch, spawnNode, takeAll, takeN, waitFor, type Running } from './helpers.js';

const { children, cleanup, work } = scratch();

function counter(r: Running, agent: string, key: string, name: string): number {
  return Number(componentMetrics(r, agent, key)?.[name] ?? 0);
}

describe('kafka sink and source (real broker)', () => {
  const kafka = useKafka({ partitions: 3, tls: true, sasl: true });

  it('sink → topic → source: every event, headers kept with the Flume event format, Flume headers added', async () => {
    const r = await runFlow(`
agent cons {
${kafka.source('fmt', { useFlumeEventFormat: true, batchSize: 500, batchDurationMillis: 200 })}
  channel c : memory { capacity = 100000, transactionCapacity = 1000 }
  k -> c
}
agent prod {
  source s : seq { totalEvents = 5000, batchSize = 500 }
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
${kafka.sink('fmt', { flumeBatchSize: 500, 'kafka.producer.acks': 'all', useFlumeEventFormat: true })}
  s | static { key = "origin", value = "edge-1" } -> c -> k
}
`);
    cleanup.push(() => r.stop());
    const events = await takeN(r, 'c', 5000, 60_000).catch((e) => {
      throw new Error(`${e.message}\n${r.lines.slice(-40).join('\n')}`);
    });
    expect(new Set(events.map((e) => e.body.toString())).size).toBe(5000);
    for (const e of events.slice(0, 50)) {
      expect(e.headers.origin).toBe('edge-1');
      expect(e.headers.topic).toBe('fmt');
      expect(Number(e.headers.partition)).toBeGreaterThanOrEqual(0);
      expect(e.headers.offset).toMatch(/^\d+$/);
      expect(Math.abs(Number(e.headers.timestamp) - Date.now())).toBeLessThan(600_000);
    }
    // Flume's Kafka counters under Flume's names (KafkaSourceCounter, KafkaSinkCounter).
    const source = componentMetrics(r, 'cons', 'SOURCE.k');
    expect(Object.keys(source)).toEqual(expect.arrayContaining(['EventAcceptedCount', 'KafkaEventGetTimer', 'KafkaCommitTimer', 'KafkaEmptyCount']));
    expect(source).not.toHaveProperty('ChannelWriteFail');
    expect(Number(source.EventAcceptedCount)).toBeGreaterThanOrEqual(5000);
    await waitFor(() => counter(r, 'prod', 'SINK.k', 'EventDrainSuccessCount') === 5000, 30_000, 'the sink counted');
    const sink = componentMetrics(r, 'prod', 'SINK.k');
    expect(Object.keys(sink)).toEqual(expect.arrayContaining(['KafkaEventSendTimer', 'RollbackCount']));
    expect(sink).not.toHaveProperty('EventWriteFail');
  }, 180_000);

  it('kafka.topics.regex reads every topic whose whole name matches; the key header, a %{header} topic and partitionIdHeader steer the sink', async () => {
    const prod = await runFlow(`
agent prod {
  source s : seq { totalEvents = 300, batchSize = 100 }
  channel c : memory { capacity = 1000, transactionCapacity = 100 }
${kafka.sink('rx-%{bucket}', { flumeBatchSize: 100, partitionIdHeader: 'p' })}
  s | regex_extractor { regex = r"(\\d)$", serializers = [b], serializers.b.name = "bucket" }
    | static { key = "key", value = "k1" }
    | static { key = "p", value = "2" }
    -> c -> k
}`);
    await waitFor(() => counter(prod, 'prod', 'SINK.k', 'EventDrainSuccessCount') >= 300, 60_000, 'events sent', 100);
    await prod.stop();
    const r = await runFlow(`agent cons {
${kafka.source('rx', { 'kafka.topics': undefined, 'kafka.topics.regex': 'rx-[0-4]', batchDurationMillis: 200 })}
  channel c : memory { capacity = 1000, transactionCapacity = 1000 }
  k -> c
}`);
    cleanup.push(() => r.stop());
    // Bodies ending in 0–4 went to rx-0 … rx-4: 150 of the 300 (at least once: a consumer
    // restarted by a rebalance may read a batch again).
    const events: Event[] = [];
    await waitFor(() => (events.push(...takeAll(r, 'c')), new Set(events.map((e) => e.body.toString())).size >= 150), 60_000, '150 distinct events');
    expect(new Set(events.map((e) => e.body.toString())).size).toBe(150);
    for (const e of events) {
      expect(e.headers.topic).toBe(`rx-${e.body.toString().slice(-1)}`);
      expect(Number(e.body.toString().slice(-1))).toBeLessThan(5);
      expect(e.headers.key).toBe('k1');
      expect(e.headers.partition).toBe('2');
    }
  }, 120_000);

  it('1,000,000 events sink → topic → source, the broker killed and restarted in the middle: none lost', async () => {
    const out = work();
    const N = 1_000_000;
    const r = await runFlow(`
agent cons {
${kafka.source('million', { batchSize: 1000, batchDurationMillis: 200 })}
  channel c : memory { capacity = 200000, transactionCapacity = 1000 }
  sink f : file_roll { sink.directory = "${out}", sink.rollInterval = 0, sink.batchSize = 1000 }
  k -> c -> f
}
agent prod {
  source s : seq { totalEvents = ${N}, batchSize = 1000 }
  channel c : memory { capacity = 200000, transactionCapacity = 1000 }
${kafka.sink('million', { flumeBatchSize: 1000, 'kafka.producer.acks': 'all' })}
  s -> c -> k
}
`);
    cleanup.push(() => r.stop());
    const sent = () => counter(r, 'prod', 'SINK.k', 'EventDrainSuccessCount');
    await waitFor(() => sent() >= N / 3, 300_000, 'a third of the events sent', 200);
    await kafka.cluster.restart({ kill: true });
    await waitFor(() => sent() >= N, 400_000, `every event sent (${sent()})`, 500);
    const c = await waitFor(
      () => {
        const c = sequenceCount(out, N);
        return c.seen === N ? c : undefined;
      },
      300_000,
      'every event written by the consumer',
      2000,
    ).catch((e) => {
      const c = sequenceCount(out, N);
      throw new Error(`${e.message}: seen ${c.seen}, first missing ${c.firstMissing}\n${r.lines.slice(-30).join('\n')}`);
    });
    expect(c.seen).toBe(N);
    // The restart made the sink fail at least once, and it rolled back and sent again.
    expect(r.lines.join('\n')).toMatch(/Kafka did not acknowledge|restart/i);
  }, 900_000);

  it('a full channel: the batch is offered again and no offset is committed until it is in', async () => {
    const produce = await runFlow(`
agent prod {
  source s : seq { totalEvents = 3000, batchSize = 500 }
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
${kafka.sink('full', { flumeBatchSize: 500, 'kafka.producer.acks': 'all' })}
  s -> c -> k
}`);
    await waitFor(() => counter(produce, 'prod', 'SINK.k', 'EventDrainSuccessCount') >= 3000, 120_000, 'events sent', 100);
    await produce.stop();
    // A channel of 1000 and no sink: two batches of 500 fit, the rest are refused.
    const first = await runFlow(`agent cons {
${kafka.source('full', { batchDurationMillis: 200, batchSize: 500 })}
  channel c : memory { capacity = 1000, transactionCapacity = 500 }
  k -> c
}`);
    const ch = first.runner.agents[0]!.channels.get('c')!;
    await waitFor(() => ch.size() === 1000 && first.lines.some((l) => /channels refused 500 event/.test(l)), 120_000, 'a full channel and a refused batch');
    // Taken and stopped in one tick: the source gets no chance to put the refused batch after the take.
    const kept = takeAll(first, 'c');
    await first.stop();
    expect(kept).toHaveLength(1000);
    const second = await runFlow(`agent cons {
${kafka.source('full', { batchSize: 1000, batchDurationMillis: 200 })}
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
  k -> c
}`);
    cleanup.push(() => second.stop());
    const rest = await takeN(second, 'c', 2000, 120_000);
    const all = new Set([...kept, ...rest].map((e) => e.body.toString()));
    expect(all.size).toBe(3000);
  }, 300_000);

  it('TLS (PEM truststore) for the sink and SASL/PLAIN over TLS for the source, through the pass-throughs', async () => {
    const r = await runFlow(`
agent cons {
${kafka.source('secure', {
  'kafka.bootstrap.servers': kafka.cluster.saslSslBootstrap,
  'kafka.consumer.security.protocol': 'SASL_SSL',
  'kafka.consumer.sasl.mechanism': 'PLAIN',
  'kafka.consumer.sasl.jaas.config': kafka.cluster.sasl!.jaasConfig,
  'kafka.consumer.ssl.truststore.location': kafka.cluster.tls!.caPem,
  'kafka.consumer.ssl.truststore.type': 'PEM',
  batchDurationMillis: 200,
})}
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
  k -> c
}
agent prod {
  source s : seq { totalEvents = 1000, batchSize = 100 }
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
${kafka.sink('secure', {
  'kafka.bootstrap.servers': kafka.cluster.sslBootstrap,
  'kafka.producer.security.protocol': 'SSL',
  'kafka.producer.ssl.truststore.location': kafka.cluster.tls!.caPem,
  'kafka.producer.ssl.truststore.type': 'PEM',
})}
  s -> c -> k
}`);
    cleanup.push(() => r.stop());
    const events = await takeN(r, 'c', 1000, 120_000);
    expect(new Set(events.map((e) => e.body.toString())).size).toBe(1000);
  }, 180_000);

  it('a wrong SASL password: the sink rolls back and says why, nothing is taken', async () => {
    const r = await runFlow(`
agent prod {
  source s : seq { totalEvents = 10, batchSize = 10 }
  channel c : memory { capacity = 100, transactionCapacity = 100 }
${kafka.sink('secure', {
  'kafka.bootstrap.servers': kafka.cluster.saslBootstrap,
  'kafka.producer.security.protocol': 'SASL_PLAINTEXT',
  'kafka.producer.sasl.mechanism': 'PLAIN',
  'kafka.producer.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="flowc" password="wrong";',
  'kafka.producer.retries': '0',
})}
  s -> c -> k
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => r.lines.some((l) => /Kafka did not acknowledge 10 event/.test(l)), 60_000, 'the failure logged');
    expect(r.lines.join('\n')).toMatch(/SASL|[Aa]uthentication/);
    expect(counter(r, 'prod', 'CHANNEL.c', 'ChannelSize')).toBe(10);
  }, 120_000);

  it('an agent SIGKILLed while it consumes loses nothing after its restart (file channel)', async () => {
    const N = 200_000;
    const produce = await runFlow(`
agent prod {
  source s : seq { totalEvents = ${N}, batchSize = 1000 }
  channel c : memory { capacity = 100000, transactionCapacity = 1000 }
${kafka.sink('killed', { flumeBatchSize: 1000, 'kafka.producer.acks': 'all' })}
  s -> c -> k
}`);
    await waitFor(() => counter(produce, 'prod', 'SINK.k', 'EventDrainSuccessCount') >= N, 300_000, 'events sent', 200);
    await produce.stop();
    const dir = work();
    const out = join(dir, 'out');
    const flow = join(dir, 'cons.flow');
    writeFileSync(
      flow,
      `agent cons {
${kafka.source('killed', { batchDurationMillis: 200, batchSize: 500 })}
  channel c : file { checkpointDir = "${dir}/cp", dataDirs = "${dir}/data" }
  sink f : file_roll { sink.directory = "${out}", sink.rollInterval = 0, sink.batchSize = 1000 }
  k -> c -> f
}`,
    );
    const start = async () => {
      const port = await freePort();
      const child = spawnNode([resolve('bin/flowc.js'), 'run', flow, '--monitor-port', String(port)]);
      children.push(child);
      return child;
    };
    const first = await start();
    await waitFor(() => sequenceCount(out, N).seen >= N / 4 || undefined, 180_000, 'a quarter consumed', 500).catch((e) => {
      throw new Error(`${e.message}\n${first.stdout()}\n${first.stderr()}`);
    });
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(sequenceCount(out, N).seen).toBeLessThan(N);
    const second = await start();
    await waitFor(() => sequenceCount(out, N).seen === N || undefined, 300_000, 'every event after the restart', 1000).catch((e) => {
      throw new Error(`${e.message}: ${sequenceCount(out, N).seen} seen\n${second.stdout()}\n${second.stderr()}`);
    });
  }, 600_000);

  it("keyed events land where Java's default partitioner puts them, through the sink's own encoder and through the client's Producer (gzip)", async () => {
    const keyed = (name: string, sink: string, topic: string, extra = '') => `
  source ${name} : seq { totalEvents = 600, batchSize = 100 }
  channel c${name} : memory { capacity = 1000, transactionCapacity = 100 }
  sink ${sink} : kafka { kafka.bootstrap.servers = "${kafka.cluster.bootstrap}", kafka.topic = "${topic}", flumeBatchSize = 100${extra} }
  ${name} | regex_extractor { regex = r"(\\d)$", serializers = [d], serializers.d.name = "key" } -> c${name} -> ${sink}`;
    const prod = await runFlow(`agent prod {
${keyed('plain', 'k', 'keyed')}
${keyed('zipped', 'g', 'keyed-gzip', ', kafka.producer.compression.type = "gzip"')}
}`);
    await waitFor(() => counter(prod, 'prod', 'SINK.k', 'EventDrainSuccessCount') >= 600 && counter(prod, 'prod', 'SINK.g', 'EventDrainSuccessCount') >= 600, 60_000, 'events sent', 100);
    await prod.stop();
    const r = await runFlow(`agent cons {
${kafka.source('keyed,keyed-gzip', { batchDurationMillis: 200 })}
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
  k -> c
}`);
    cleanup.push(() => r.stop());
    const events: Event[] = [];
    const distinct = () => new Set(events.map((e) => `${e.headers.topic}/${e.body}`)).size;
    await waitFor(() => (events.push(...takeAll(r, 'c')), distinct() >= 1200), 60_000, '1,200 distinct events');
    expect(distinct()).toBe(1200);
    const partitions = new Set<string>();
    for (const e of events) {
      expect(e.headers.key).toBe(e.body.toString().slice(-1));
      expect(Number(e.headers.partition)).toBe(keyedPartition(Buffer.from(e.headers.key!), 3));
      partitions.add(e.headers.partition!);
    }
    expect(partitions.size).toBeGreaterThan(1);
  }, 120_000);
});

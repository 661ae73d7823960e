// flowc and Apache Flume 1.11 sharing Kafka topics, both ways, on a real Kafka 4.x broker:
// Flume's Kafka sink → flowc's Kafka source, and flowc's Kafka sink → Flume's Kafka source,
// with the Flume event format carrying the headers across.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFlumeAgent, type FlumeAgent } from './helpers/flume.js';
import { useKafka } from './helpers/kafka-scope.js';
import { runFlow, takeN, type Running } from './runtime/helpers.js';

describe('Kafka interop with Flume 1.11 (Flume event format)', () => {
  const kafka = useKafka({ partitions: 2 });
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  }, 60_000);

  it("Flume's Kafka sink → flowc's Kafka source: bodies and headers arrive", async () => {
    const flume: FlumeAgent = await startFlumeAgent({
      name: 'a1',
      properties: [
        'a1.sources = seq',
        'a1.channels = c1',
        'a1.sinks = k',
        'a1.sources.seq.type = seq',
        'a1.sources.seq.totalEvents = 2000',
        'a1.sources.seq.channels = c1',
        'a1.sources.seq.interceptors = tag',
        'a1.sources.seq.interceptors.tag.type = static',
        'a1.sources.seq.interceptors.tag.key = origin',
        'a1.sources.seq.interceptors.tag.value = flume-edge',
        'a1.channels.c1.type = memory',
        'a1.channels.c1.capacity = 10000',
        'a1.channels.c1.transactionCapacity = 1000',
        'a1.sinks.k.type = org.apache.flume.sink.kafka.KafkaSink',
        `a1.sinks.k.kafka.bootstrap.servers = ${kafka.cluster.bootstrap}`,
        'a1.sinks.k.kafka.topic = from-flume',
        'a1.sinks.k.useFlumeEventFormat = true',
        'a1.sinks.k.channel = c1',
      ].join('\n'),
    });
    stops.push(() => flume.stop());
    const r: Running = await runFlow(`
agent cons {
${kafka.source('from-flume', { useFlumeEventFormat: true, batchDurationMillis: 200 })}
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
  k -> c
}`);
    stops.push(() => r.stop());
    const events = await takeN(r, 'c', 2000, 120_000).catch((e) => {
      throw new Error(`${e.message}\n${r.lines.slice(-20).join('\n')}\n${flume.logText().slice(-3000)}`);
    });
    expect(new Set(events.map((e) => e.body.toString())).size).toBe(2000);
    for (const e of events) {
      expect(e.headers.origin).toBe('flume-edge');
      expect(e.headers.topic).toBe('from-flume');
    }
  }, 240_000);

  it("flowc's Kafka sink → Flume's Kafka source: bodies and headers arrive", async () => {
    const r: Running = await runFlow(`
agent prod {
  source s : seq { totalEvents = 2000, batchSize = 500 }
  channel c : memory { capacity = 10000, transactionCapacity = 1000 }
${kafka.sink('to-flume', { useFlumeEventFormat: true, flumeBatchSize: 500 })}
  s | static { key = "origin", value = "flowc-edge" } -> c -> k
}`);
    stops.push(() => r.stop());
    const out = mkdtempSync(join(tmpdir(), 'flowc-kafka-to-flume-'));
    stops.push(async () => rmSync(out, { recursive: true, force: true }));
    const flume = await startFlumeAgent({
      name: 'a1',
      properties: [
        'a1.sources = k',
        'a1.channels = c1',
        'a1.sinks = roll',
        'a1.sources.k.type = org.apache.flume.source.kafka.KafkaSource',
        `a1.sources.k.kafka.bootstrap.servers = ${kafka.cluster.bootstrap}`,
        'a1.sources.k.kafka.topics = to-flume',
        'a1.sources.k.kafka.consumer.group.id = flume',
        'a1.sources.k.kafka.consumer.auto.offset.reset = earliest',
        'a1.sources.k.kafka.consumer.metadata.max.age.ms = 1000',
        'a1.sources.k.useFlumeEventFormat = true',
        'a1.sources.k.channels = c1',
        'a1.channels.c1.type = memory',
        'a1.channels.c1.capacity = 10000',
        'a1.channels.c1.transactionCapacity = 1000',
        'a1.sinks.roll.type = file_roll',
        `a1.sinks.roll.sink.directory = ${out}`,
        'a1.sinks.roll.sink.rollInterval = 0',
        'a1.sinks.roll.sink.serializer = header_and_text',
        'a1.sinks.roll.channel = c1',
      ].join('\n'),
    });
    stops.push(() => flume.stop());
    // header_and_text writes `{k1=v1, k2=v2} body` per line.
    const lines = () => readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    for (let i = 0; i < 600 && new Set(lines()).size < 2000; i++) await new Promise((res) => setTimeout(res, 200));
    const got = lines();
    expect(new Set(got.map((l) => l.slice(l.lastIndexOf('} ') + 2))).size, flume.logText().slice(-4000)).toBe(2000);
    for (const l of got) expect(l).toMatch(/^\{.*\borigin=flowc-edge\b.*\} \d+$/);
  }, 240_000);
});

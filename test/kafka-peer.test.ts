// The Kafka test peer itself: a real Kafka 4.x broker (KRaft) that tests start and stop by PID,
// its TLS and SASL/PLAIN listeners, a restart that keeps the data, and Flume 1.11's own Kafka
// components (kafka-clients 2.7.2) talking to it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Producer, ProduceAcks, type ConnectionOptions } from '@platformatic/kafka';
import { useKafka } from './helpers/kafka-scope.js';
import { startFlumeAgent } from './helpers/flume.js';

async function produce(bootstrap: string, topic: string, values: string[], conn: ConnectionOptions = {}): Promise<void> {
  const producer = new Producer({ clientId: 'peer-test', bootstrapBrokers: bootstrap.split(','), acks: ProduceAcks.ALL, autocreateTopics: true, retries: 10, ...conn });
  try {
    await producer.send({ messages: values.map((v) => ({ topic, value: Buffer.from(v) })) });
  } finally {
    await producer.close();
  }
}

async function consumeAll(bootstrap: string, topic: string, count: number, conn: ConnectionOptions = {}): Promise<string[]> {
  const consumer = new Consumer({ clientId: 'peer-test', groupId: `g-${topic}-${Date.now()}`, bootstrapBrokers: bootstrap.split(','), maxWaitTime: 200, ...conn });
  const got: string[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    await new Promise<void>((resolve) =>
      stream.on('data', (m) => {
        got.push((m.value as Buffer).toString());
        if (got.length >= count) resolve();
      }),
    );
    await stream.close();
  } finally {
    await consumer.close();
  }
  return got;
}

describe('the Kafka test peer (Kafka 4.x, KRaft, on loopback)', () => {
  const kafka = useKafka({ tls: true, sasl: true });

  it('serves PLAINTEXT, and keeps what it acknowledged across a restart on the same port', async () => {
    await produce(kafka.cluster.bootstrap, 'peer-plain', ['a', 'b', 'c']);
    expect(await consumeAll(kafka.cluster.bootstrap, 'peer-plain', 3)).toEqual(['a', 'b', 'c']);
    const before = kafka.cluster.brokers[0].pid();
    await kafka.cluster.restart({ kill: true });
    expect(kafka.cluster.brokers[0].pid()).not.toBe(before);
    expect(await consumeAll(kafka.cluster.bootstrap, 'peer-plain', 3)).toEqual(['a', 'b', 'c']);
  }, 180_000);

  it('serves TLS with its self-signed certificate, and SASL/PLAIN with the given login only', async () => {
    const ca = readFileSync(kafka.cluster.tls!.caPem);
    await produce(kafka.cluster.sslBootstrap!, 'peer-tls', ['tls'], { tls: { ca } });
    expect(await consumeAll(kafka.cluster.sslBootstrap!, 'peer-tls', 1, { tls: { ca } })).toEqual(['tls']);

    const sasl = { mechanism: 'PLAIN' as const, username: kafka.cluster.sasl!.username, password: kafka.cluster.sasl!.password };
    await produce(kafka.cluster.saslBootstrap!, 'peer-sasl', ['sasl'], { sasl });
    expect(await consumeAll(kafka.cluster.saslSslBootstrap!, 'peer-sasl', 1, { sasl, tls: { ca } })).toEqual(['sasl']);

    await expect(produce(kafka.cluster.saslBootstrap!, 'peer-sasl', ['x'], { sasl: { ...sasl, password: 'wrong' }, retries: 0 })).rejects.toThrow();
  }, 120_000);

  it("Flume 1.11's Kafka sink and source (kafka-clients 2.7.2) write to and read from it", async () => {
    const out = mkdtempSync(join(tmpdir(), 'flowc-kafka-flume-'));
    const agent = await startFlumeAgent({
      name: 'a1',
      properties: [
        'a1.sources = seq kin',
        'a1.channels = c1 c2',
        'a1.sinks = kout roll',
        'a1.sources.seq.type = seq',
        'a1.sources.seq.totalEvents = 1000',
        'a1.sources.seq.channels = c1',
        'a1.channels.c1.type = memory',
        'a1.channels.c2.type = memory',
        'a1.channels.c2.capacity = 10000',
        'a1.channels.c2.transactionCapacity = 1000',
        'a1.sinks.kout.type = org.apache.flume.sink.kafka.KafkaSink',
        `a1.sinks.kout.kafka.bootstrap.servers = ${kafka.cluster.bootstrap}`,
        'a1.sinks.kout.kafka.topic = peer-flume',
        'a1.sinks.kout.channel = c1',
        'a1.sources.kin.type = org.apache.flume.source.kafka.KafkaSource',
        `a1.sources.kin.kafka.bootstrap.servers = ${kafka.cluster.bootstrap}`,
        'a1.sources.kin.kafka.topics = peer-flume',
        'a1.sources.kin.kafka.consumer.auto.offset.reset = earliest',
        // The topic does not exist until the sink writes; look again each second, not every 5 minutes.
        'a1.sources.kin.kafka.consumer.metadata.max.age.ms = 1000',
        'a1.sources.kin.channels = c2',
        'a1.sinks.roll.type = file_roll',
        `a1.sinks.roll.sink.directory = ${out}`,
        'a1.sinks.roll.sink.rollInterval = 0',
        'a1.sinks.roll.channel = c2',
      ].join('\n'),
    });
    try {
      const lines = () => readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
      for (let i = 0; i < 600 && lines().length < 1000; i++) await new Promise((r) => setTimeout(r, 200));
      expect(new Set(lines()).size, agent.logText().slice(-6000)).toBe(1000);
      expect(agent.logText()).not.toMatch(/UnsupportedVersionException/);
    } finally {
      await agent.stop();
    }
    expect(await consumeAll(kafka.cluster.bootstrap, 'peer-flume', 1000)).toHaveLength(1000);
  }, 240_000);
});

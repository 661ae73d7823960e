// The kafka cases of bench/runtime.bench.mjs, on one real broker (the Kafka 4.1 test peer,
// KRaft, 3 partitions) and the same load for flowc (a bundle) and Apache Flume 1.11 (a JVM from
// test/peers, `-Xmx256m`) in the same run:
// - sink: seq → memory → kafka sink (acks=1, Flume's default; batches of 1,000): events/s from the
//   first acknowledged batch until the sink's EventDrainSuccessCount reaches N (a take commits
//   only after the broker acknowledged it, in both);
// - source: a topic preloaded with N events → kafka source (batches of 1,000) → memory → null:
//   events/s from the first accepted batch until the source's EventAcceptedCount reaches N.
// The broker is shared by both and runs on the same 2 cores, so the ratio is what counts; the
// client libraries alone are compared by bench/kafka-clients.bench.mjs.
import { join } from 'node:path';
import { buildBundle, pollUntil, startAgent } from './harness.mjs';
import { startFlume } from './flume.mjs';
import { loadKafkaPeer } from './kafka-peer.mjs';

const BATCH = 1000;

/** Runs an agent until `count(metrics)` reaches n; events/s from the first counted event, CPU µs/event, peak RSS. */
async function measure(agent, n, count, what) {
  // On this shared machine an answer can take longer than the harness's 5 s: ask again.
  const ask = agent.metrics;
  agent = {
    ...agent,
    metrics: async () => {
      for (let i = 0; ; i++) {
        try {
          return await ask();
        } catch (e) {
          if (i >= 10) throw e;
        }
      }
    },
  };
  const first = await pollUntil(agent, (m) => count(m) > 0, { everyMs: 5, timeoutMs: 180_000, what: `${what}: the first batch` });
  const c0 = agent.cpuMs();
  const start = count(first.metrics);
  const end = await pollUntil(agent, (m) => count(m) >= n, { everyMs: 20, timeoutMs: 600_000, what });
  const cpu = agent.cpuMs() - c0;
  const done = n - start;
  const mem = agent.memory();
  await agent.stop();
  return { eventsPerSec: Math.round(done / ((end.t - first.t) / 1000)), cpuUsPerEvent: Number(((cpu * 1000) / done).toFixed(2)), peakRssMb: Math.round(mem.peakRssMb) };
}

const sinkFlow = (name, bootstrap, topic, n) => `agent ${name} {
  source s : seq { totalEvents = ${n}, batchSize = ${BATCH} }
  channel c : memory { capacity = 100_000, transactionCapacity = ${BATCH} }
  sink k : kafka { kafka.bootstrap.servers = "${bootstrap}", kafka.topic = "${topic}", flumeBatchSize = ${BATCH} }
  s -> c -> k
}
`;
const sinkProps = (bootstrap, topic, n) => `a.sources = s
a.channels = c
a.sinks = k
a.sources.s.type = seq
a.sources.s.totalEvents = ${n}
a.sources.s.batchSize = ${BATCH}
a.sources.s.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 100000
a.channels.c.transactionCapacity = ${BATCH}
a.sinks.k.type = org.apache.flume.sink.kafka.KafkaSink
a.sinks.k.kafka.bootstrap.servers = ${bootstrap}
a.sinks.k.kafka.topic = ${topic}
a.sinks.k.flumeBatchSize = ${BATCH}
a.sinks.k.channel = c
`;
const sourceFlow = (name, bootstrap, topic, group) => `agent ${name} {
  source k : kafka {
    kafka.bootstrap.servers = "${bootstrap}"
    kafka.topics = "${topic}"
    kafka.consumer.group.id = "${group}"
    kafka.consumer.auto.offset.reset = "earliest"
    batchSize = ${BATCH}
  }
  channel c : memory { capacity = 100_000, transactionCapacity = ${BATCH} }
  sink n : null { batchSize = ${BATCH} }
  k -> c -> n
}
`;
const sourceProps = (bootstrap, topic, group) => `a.sources = k
a.channels = c
a.sinks = n
a.sources.k.type = org.apache.flume.source.kafka.KafkaSource
a.sources.k.kafka.bootstrap.servers = ${bootstrap}
a.sources.k.kafka.topics = ${topic}
a.sources.k.kafka.consumer.group.id = ${group}
a.sources.k.kafka.consumer.auto.offset.reset = earliest
a.sources.k.batchSize = ${BATCH}
a.sources.k.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 100000
a.channels.c.transactionCapacity = ${BATCH}
a.sinks.n.type = null
a.sinks.n.batchSize = ${BATCH}
a.sinks.n.channel = c
`;

const drained = (m) => Number(Object.entries(m).find(([k]) => /^SINK\.(.*\.)?k$/.test(k))?.[1]?.EventDrainSuccessCount ?? 0);
const accepted = (m) => Number(Object.entries(m).find(([k]) => /^SOURCE\.(.*\.)?k$/.test(k))?.[1]?.EventAcceptedCount ?? 0);

/** The kafka cases: `runs` alternating runs of flowc and Flume each, best kept. */
export async function kafkaCases(tmp, n, runs) {
  const { startKafka } = await loadKafkaPeer();
  const kafka = await startKafka({ partitions: 3, jvmOpts: ['-Xmx1g', '-Xms256m'] });
  const rows = [];
  try {
    const best = { flowcSink: [], flumeSink: [], flowcSource: [], flumeSource: [] };
    for (let run = 0; run < runs; run++) {
      const flowcTopic = `bench-flowc-${run}`;
      const { bundle } = buildBundle(tmp, `ksink${run}`, sinkFlow(`ksink${run}`, kafka.bootstrap, flowcTopic, n));
      best.flowcSink.push(await measure(await startAgent([bundle]), n, drained, 'flowc kafka sink'));
      best.flumeSink.push(await measure(await startFlume(join(tmp, `flume-sink-${run}`), sinkProps(kafka.bootstrap, `bench-flume-${run}`, n)), n, drained, 'Flume kafka sink'));
      // Both sources read the topic flowc's sink wrote, each as its own group.
      const { bundle: src } = buildBundle(tmp, `ksrc${run}`, sourceFlow(`ksrc${run}`, kafka.bootstrap, flowcTopic, `flowc-${run}`));
      best.flowcSource.push(await measure(await startAgent([src]), n, accepted, 'flowc kafka source'));
      best.flumeSource.push(await measure(await startFlume(join(tmp, `flume-src-${run}`), sourceProps(kafka.bootstrap, flowcTopic, `flume-${run}`)), n, accepted, 'Flume kafka source'));
    }
    const top = (xs) => xs.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a));
    for (const [what, flowc, flume] of [
      ['memory → kafka sink', best.flowcSink, best.flumeSink],
      ['kafka source → memory → null', best.flowcSource, best.flumeSource],
    ]) {
      const f = top(flowc);
      const j = top(flume);
      rows.push({ case: what, events: n, flowc: f, flume: j, ratio: Number((f.eventsPerSec / j.eventsPerSec).toFixed(2)), flowcRuns: flowc.map((r) => r.eventsPerSec), flumeRuns: flume.map((r) => r.eventsPerSec) });
    }
  } finally {
    await kafka.stop();
  }
  return rows;
}

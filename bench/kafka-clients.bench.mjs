// Which Kafka client for flowc's Kafka components: @platformatic/kafka against kafkajs, on one
// real broker (the test peer, Kafka 4.x KRaft on 127.0.0.1), in one run.
//
//   node bench/kafka-clients.bench.mjs [--clients DIR] [--events N]
//
// DIR holds node_modules with both clients (flowc depends on one only; install the other in a
// scratch folder: npm install --save-exact kafkajs@2.2.4 @platformatic/kafka@1.22.0).
// Each client produces N events of 100 bytes in batches of 500 with acks=all (awaiting each
// batch, as a sink's transaction does), then consumes them all from the earliest offset in a
// new consumer group. Figures: events/s of each phase, best of 2 runs.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadKafkaPeer } from './runtime/kafka-peer.mjs';

const argv = process.argv.slice(2);
const option = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const DIR = resolve(option('--clients', '.'));
const N = Number(option('--events', '200000'));
const BATCH = 500;
const body = Buffer.alloc(100, 'x');

const { startKafka } = await loadKafkaPeer();
const pk = await import(pathToFileURL(join(DIR, 'node_modules/@platformatic/kafka/dist/index.js')).href);
const kjs = (await import(pathToFileURL(join(DIR, 'node_modules/kafkajs/index.js')).href)).default;

async function platformatic(bootstrap, topic) {
  const producer = new pk.Producer({ clientId: 'bench', bootstrapBrokers: bootstrap.split(','), acks: pk.ProduceAcks.ALL, autocreateTopics: true });
  let t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) messages.push({ topic, value: body });
    await producer.send({ messages, acks: pk.ProduceAcks.ALL }); // 1.x ignores the constructor's acks in send()
  }
  const produceMs = performance.now() - t;
  await producer.close();
  const consumer = new pk.Consumer({ clientId: 'bench', groupId: `g-${topic}`, bootstrapBrokers: bootstrap.split(',') });
  t = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 500 });
  let got = 0;
  await new Promise((r) => stream.on('data', () => { if (++got === N) r(); }));
  const consumeMs = performance.now() - t;
  await stream.close();
  await consumer.close();
  return { produceMs, consumeMs };
}

async function kafkajs(bootstrap, topic) {
  const kafka = new kjs.Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: kjs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  let t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) messages.push({ value: body });
    await producer.send({ topic, messages, acks: -1 });
  }
  const produceMs = performance.now() - t;
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  t = performance.now();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let got = 0;
  await new Promise((r) => consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => { got += batch.messages.length; if (got >= N) r(); } }));
  const consumeMs = performance.now() - t;
  await consumer.disconnect();
  return { produceMs, consumeMs };
}

const kafka = await startKafka();
try {
  const best = {};
  for (let run = 0; run < 2; run++) {
    for (const [name, fn] of [['@platformatic/kafka', platformatic], ['kafkajs', kafkajs]]) {
      const r = await fn(kafka.bootstrap, `bench-${name.replace(/\W/g, '')}-${run}`);
      const produce = Math.round(N / (r.produceMs / 1000));
      const consume = Math.round(N / (r.consumeMs / 1000));
      console.log(`${name} run ${run + 1}: produce ${produce} events/s, consume ${consume} events/s`);
      best[name] = { produce: Math.max(best[name]?.produce ?? 0, produce), consume: Math.max(best[name]?.consume ?? 0, consume) };
    }
  }
  console.log(JSON.stringify({ events: N, batch: BATCH, bodyBytes: body.length, best }));
} finally {
  await kafka.stop();
}

// Flume's Kafka sink: each take of up to flumeBatchSize events is sent as one produce call and
// the take commits only once the broker acknowledged it (kafka.producer.acks); a failure rolls
// the take back and throws, so the sink runner retries after its backoff and nothing is lost
// (at least once: a batch the broker stored but whose answer was lost is sent again).
// Up to kafka.producer.max.in.flight.requests.per.connection batches are in flight at once, each
// its own take (Java's producer, which Flume's sink uses, also keeps that many requests in
// flight): while the broker answers one, the next is taken and encoded. With more than one, a
// failed batch goes back to the channel behind batches sent after it; 1 keeps the channel order.
// Per event, as Flume's KafkaSink: the topic is the header named by topicHeader when
// allowTopicOverride is on, else kafka.topic with its %{header} escapes; the key is the `key`
// header; the partition is the partitionIdHeader header's value, else defaultPartitionId, else
// the key's as Java's default partitioner picks it (murmur2), else the batch's: unkeyed events
// go to one partition per batch, in turn; timestampHeader gives the record timestamp; header.*
// maps event headers to record headers; useFlumeEventFormat sends the whole event as an Avro
// AvroFlumeEvent instead of the body.
import type { Sink, SinkFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString, paramsUnder } from '../core/config.js';
import { EventDeliveryException } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SinkCounter } from '../core/metrics.js';
import { compileBucketPath, hasEscapes } from '../lib/bucket-path.js';
import { encodeFlumeEvent } from '../lib/flume-event-format.js';
import { kafkaClientSettings, kafkaErrorText } from '../lib/kafka-client.js';
import { batchSender, type BatchSender, type ProducedRecord } from '../lib/kafka-producer.js';
import { BatchPipeline } from '../lib/sink-batch.js';

const ACKS: Record<string, number> = { '0': 0, '1': 1, '-1': -1, all: -1 };

/** Flume's KafkaSinkCounter: the sink counters without EventWriteFail / ChannelReadFail, plus the send timer (ms) and rollbacks. */
class KafkaSinkCounter extends SinkCounter {
  kafkaEventSendTimer = 0;
  rollbacks = 0;

  protected override values(): Record<string, number> {
    const { EventWriteFail: _w, ChannelReadFail: _r, ...rest } = super.values();
    return { ...rest, KafkaEventSendTimer: this.kafkaEventSendTimer, RollbackCount: this.rollbacks };
  }
}

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  const name = `sink \`${config.name}\``;
  const bootstrap = need(paramList(p, 'kafka.bootstrap.servers'), config.name, 'kafka.bootstrap.servers');
  const topicTemplate = need(paramString(p, 'kafka.topic'), config.name, 'kafka.topic');
  const batchSize = need(paramNumber(p, 'flumeBatchSize'), config.name, 'flumeBatchSize');
  const acksText = need(paramString(p, 'kafka.producer.acks'), config.name, 'kafka.producer.acks');
  const acks = ACKS[acksText.trim().toLowerCase()];
  if (acks === undefined) throw new ConfigError(`${name}: \`kafka.producer.acks\` must be 0, 1, -1 or all, not \`${acksText}\``);
  const flumeFormat = paramBool(p, 'useFlumeEventFormat') ?? false;
  const defaultPartition = paramNumber(p, 'defaultPartitionId');
  const partitionHeader = paramString(p, 'partitionIdHeader');
  const allowOverride = paramBool(p, 'allowTopicOverride') ?? true;
  const topicHeader = paramString(p, 'topicHeader') ?? 'topic';
  const timestampHeader = paramString(p, 'timestampHeader');
  const headerMap = paramsUnder(p, 'header.').map(([flume, kafka]) => [flume, Buffer.from(String(kafka))] as const);
  const topicOf = hasEscapes(topicTemplate) ? compileBucketPath(topicTemplate) : () => topicTemplate;
  const settings = kafkaClientSettings({
    component: name,
    params: p,
    prefix: 'kafka.producer.',
    bootstrap,
    defaultClientId: `flowc-${ctx.agent}-${config.name}`,
    handled: ['acks'],
    log: ctx.log,
  });
  const counter = new KafkaSinkCounter(config.name);
  const window = need(paramNumber(p, 'kafka.producer.max.in.flight.requests.per.connection'), config.name, 'kafka.producer.max.in.flight.requests.per.connection');
  let producer: BatchSender | undefined;
  const open = () => (producer ??= batchSender(settings, acks));

  function record(e: Event): ProducedRecord {
    const h = e.headers;
    const override = allowOverride ? h[topicHeader] : undefined;
    const topic = override || topicOf(h);
    const m: ProducedRecord = { topic, value: flumeFormat ? encodeFlumeEvent(e) : e.body };
    const key = h.key;
    if (key !== undefined) m.key = Buffer.from(key, 'utf8');
    const partitionText = partitionHeader !== undefined ? h[partitionHeader] : undefined;
    if (partitionText !== undefined) {
      const n = Number(partitionText);
      if (!Number.isInteger(n) || n < 0) throw new EventDeliveryException(`the ${partitionHeader} header \`${partitionText}\` is not a partition number`);
      m.partition = n;
    } else if (defaultPartition !== undefined) m.partition = defaultPartition;
    const stamp = timestampHeader !== undefined ? h[timestampHeader] : undefined;
    const millis = stamp !== undefined && /^-?\d+$/.test(stamp.trim()) ? Number(stamp.trim()) : NaN;
    if (Number.isSafeInteger(millis)) m.timestamp = millis;
    if (headerMap.length) {
      const out: [Buffer, Buffer][] = [];
      for (const [flume, kafka] of headerMap) {
        const v = h[flume];
        if (v !== undefined) out.push([kafka, Buffer.from(v, 'utf8')]);
      }
      if (out.length) m.headers = out;
    }
    return m;
  }

  async function deliver(events: Event[]): Promise<void> {
    const messages = events.map(record);
    const client = open();
    const started = Date.now();
    try {
      await client.send(messages);
      counter.kafkaEventSendTimer += Date.now() - started;
    } catch (e) {
      counter.rollbacks++;
      // A fresh client next time: its metadata and connections may be those of a broker that went away.
      producer = undefined;
      void client.close().catch(() => {});
      counter.connectionFailed++;
      throw new EventDeliveryException(`Kafka did not acknowledge ${events.length} event(s) for ${[...new Set(messages.map((m) => m.topic))].join(', ')}: ${kafkaErrorText(e)}`);
    }
  }

  const pipeline = new BatchPipeline(ctx.channel, batchSize, window, deliver, counter);
  const sink: Sink = {
    start() {
      ctx.metrics.register(counter);
      counter.start();
      open();
      counter.connectionCreated++;
    },
    async stop() {
      // Every batch in flight is acknowledged (committed) or rolled back before the client closes.
      await pipeline.settled().catch(() => {});
      counter.stop();
      const client = producer;
      producer = undefined;
      if (client) {
        counter.connectionClosed++;
        await client.close().catch(() => {});
      }
    },
    process(): Promise<Status> {
      return pipeline.process();
    },
    endpoints: () => bootstrap.map((b) => `kafka://${b}/${topicTemplate}`),
  };
  return sink;
};

export default create;

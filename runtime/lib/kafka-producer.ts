// A producer for whole Flume batches: the records of one take go out as one Produce request per
// leader broker, one record batch per partition (lib/kafka-records.ts), and the promise settles
// with the broker's answer. @platformatic/kafka's client does the rest (metadata, connections,
// TLS and SASL, API version choice, reading the answer); its own Producer builds every record
// through many small buffers and BigInts, several times the CPU per event of this one.
// Used when the user asks for neither compression nor idempotence (`batchSender` below).
import {
  Base,
  DynamicBuffer,
  kGetApi,
  kGetConnection,
  kOptions,
  produceV7,
  produceV8,
  produceV9,
  produceV10,
  produceV11,
  Producer,
  Writer,
  type BaseOptions,
  type Broker,
  type CallbackWithPromise,
  type ClusterMetadata,
  type Connection,
  type MessageToProduce,
} from '@platformatic/kafka';
import type { KafkaClientSettings } from './kafka-client.js';
import { encodeRecordBatch, keyedPartition, murmur2, type OutRecord } from './kafka-records.js';

export interface ProducedRecord extends OutRecord {
  topic: string;
  /** An explicit partition (wrapped into the topic's partitions, as the Producer did); else by key; else the batch's turn. */
  partition?: number;
}

type ResponseParser = typeof produceV11.parseResponse;
const PARSERS: Record<number, ResponseParser> = {
  7: produceV7.parseResponse as ResponseParser,
  8: produceV8.parseResponse as ResponseParser,
  9: produceV9.parseResponse as ResponseParser,
  10: produceV10.parseResponse as ResponseParser,
  11: produceV11.parseResponse as ResponseParser,
};

function call<T>(run: (cb: CallbackWithPromise<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run(((e: Error | null, v: T) => (e ? reject(e) : resolve(v))) as CallbackWithPromise<T>));
}

/** Bytes of a Produce request body (version `version`, 7–11) for partition batches grouped by topic. */
function produceRequest(version: number, acks: number, timeoutMs: number, topics: Map<string, Map<number, Buffer>>): DynamicBuffer {
  const flexible = version >= 9;
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(16);
  let at = 0;
  const uvarint = (buf: Buffer, n: number, pos: number) => {
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    return pos;
  };
  // transactional_id: null
  if (flexible) head[at++] = 0;
  else at = head.writeInt16BE(-1, at);
  at = head.writeInt16BE(acks, at);
  at = head.writeInt32BE(timeoutMs, at);
  at = flexible ? uvarint(head, topics.size + 1, at) : head.writeInt32BE(topics.size, at);
  parts.push(head.subarray(0, at));
  for (const [topic, partitions] of topics) {
    const name = Buffer.from(topic, 'utf8');
    const t = Buffer.allocUnsafe(name.length + 10);
    let p = flexible ? uvarint(t, name.length + 1, 0) : t.writeInt16BE(name.length, 0);
    p += name.copy(t, p);
    p = flexible ? uvarint(t, partitions.size + 1, p) : t.writeInt32BE(partitions.size, p);
    parts.push(t.subarray(0, p));
    for (const [index, batch] of partitions) {
      const h = Buffer.allocUnsafe(9);
      let q = h.writeInt32BE(index, 0);
      q = flexible ? uvarint(h, batch.length + 1, q) : h.writeInt32BE(batch.length, q);
      parts.push(h.subarray(0, q), batch);
      if (flexible) parts.push(Buffer.of(0)); // partition tagged fields
    }
    if (flexible) parts.push(Buffer.of(0)); // topic tagged fields
  }
  if (flexible) parts.push(Buffer.of(0)); // request tagged fields
  return new DynamicBuffer(parts);
}

export class FlumeBatchProducer extends Base {
  /** Per topic, the partition the next batch of unkeyed records goes to (Java's sticky partitioner moves on per batch too). */
  private readonly turn = new Map<string, number>();

  constructor(options: BaseOptions) {
    super(options);
  }

  /** Sends `records` and resolves once every leader acknowledged its part (acks 1 or -1), or once written (acks 0). */
  async produce(records: readonly ProducedRecord[], acks: number): Promise<void> {
    const topicNames = [...new Set(records.map((r) => r.topic))];
    const metadata = (await this.metadata({ topics: topicNames, autocreateTopics: true })) as ClusterMetadata;
    for (const topic of topicNames) {
      const count = metadata.topics.get(topic)!.partitionsCount;
      this.turn.set(topic, ((this.turn.get(topic) ?? Math.floor(Math.random() * count)) + 1) % count);
    }
    // leader → topic → partition → records
    const byLeader = new Map<number, Map<string, Map<number, ProducedRecord[]>>>();
    for (const r of records) {
      const info = metadata.topics.get(r.topic)!;
      const count = info.partitionsCount;
      const partition = r.partition !== undefined ? r.partition % count : r.key !== undefined ? keyedPartition(r.key, count) : this.turn.get(r.topic)!;
      const leader = info.partitions[partition]!.leader;
      let topics = byLeader.get(leader);
      if (!topics) byLeader.set(leader, (topics = new Map()));
      let partitions = topics.get(r.topic);
      if (!partitions) topics.set(r.topic, (partitions = new Map()));
      let list = partitions.get(partition);
      if (!list) partitions.set(partition, (list = []));
      list.push(r);
    }
    const now = Date.now();
    const timeout = (this[kOptions] as { timeout?: number }).timeout ?? 30_000;
    await Promise.all(
      [...byLeader].map(async ([leader, topics]) => {
        const batches = new Map<string, Map<number, Buffer>>();
        for (const [topic, partitions] of topics) {
          const encoded = new Map<number, Buffer>();
          for (const [partition, list] of partitions) encoded.set(partition, encodeRecordBatch(list, now));
          batches.set(topic, encoded);
        }
        const broker = metadata.brokers.get(leader) as Broker;
        const connection = await call<Connection>((cb) => this[kGetConnection](broker, cb));
        const api = await call<{ version: number }>((cb) => this[kGetApi]('Produce', cb as never));
        const parse = PARSERS[api.version];
        if (!parse) throw new Error(`the broker offers Produce v${api.version}, which flowc's Kafka sink does not write`);
        const payload = new Writer(produceRequest(api.version, acks, timeout, batches));
        if (acks === 0) payload.context.noResponse = true;
        const flexible = api.version >= 9;
        await call<unknown>((cb) => connection.send(0, api.version, () => payload, parse, flexible, flexible, cb as never));
      }),
    );
  }
}

/** What the Kafka sink and channel send with: one call per batch, resolved once it is acknowledged. */
export interface BatchSender {
  send(records: ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}

function asMessage(r: ProducedRecord): MessageToProduce {
  const m: MessageToProduce = { topic: r.topic, value: r.value };
  if (r.key !== undefined) m.key = r.key;
  if (r.partition !== undefined) m.partition = r.partition;
  if (r.timestamp !== undefined) m.timestamp = BigInt(r.timestamp);
  if (r.headers) m.headers = new Map(r.headers as [Buffer, Buffer][]);
  return m;
}

/**
 * A sender for `kafka.producer.*` settings: FlumeBatchProducer, or the client's own Producer
 * when compression or idempotence is asked for (it has both). Either way a keyed record goes to
 * Java's partition for its key and unkeyed records to one partition per batch, in turn.
 */
export function batchSender(settings: Pick<KafkaClientSettings, 'connection' | 'producer'>, acks: number): BatchSender {
  const { compression, idempotent } = settings.producer;
  if ((compression === undefined || compression === 'none') && !idempotent) {
    const fast = new FlumeBatchProducer({ ...settings.connection });
    return { send: (records) => fast.produce(records, acks), close: () => fast.close() };
  }
  let turn = 0;
  // The client wraps what the partitioner returns into the topic's partitions (a modulo).
  const partitioner = (m: MessageToProduce) => (m.key ? murmur2(m.key as Buffer) & 0x7fffffff : turn);
  const client = new Producer({ ...settings.connection, ...settings.producer, acks, autocreateTopics: true, partitioner });
  return {
    async send(records) {
      turn = (turn + 1) & 0x3fffffff;
      // acks per send: @platformatic/kafka 1.x ignores the producer's own `acks` option in send().
      await client.send({ messages: records.map(asMessage), acks });
    },
    close: () => client.close(),
  };
}

// Flume's Kafka channel: the channel's contents live in a Kafka topic, so agents that share the
// topic (Flume's or flowc's) share the channel. Transactions map onto Kafka as in Flume's
// KafkaChannel:
//  - a put transaction keeps its events; commit produces them (AvroFlumeEvent values with
//    parseAsFlumeEvent, else bare bodies; the `key` header as record key; partitionIdHeader,
//    then defaultPartitionId) and returns once the broker acknowledged every one
//    (kafka.producer.acks); a rollback discards them;
//  - a take transaction takes records the consumer fetched ahead (at most pollTimeout per fetch),
//    and its commit commits the consumer offsets past them; a rollback hands the same events to
//    the next take, in order (Flume's failedEvents). A crash before commit leaves the offsets
//    where they were, so the records are read again: at least once.
// `put`/`take` are synchronous (the core's channel interface): the consumer fetches in the
// background into a bounded queue, and `onAvailable` wakes the sinks when records arrive. The
// consumer joins the group only at the first take, as Flume's does: an agent whose channel only
// receives (an edge agent with no sink on it) never takes partitions from the readers.
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Channel, Transaction } from '../core/channel.js';
import type { ChannelFactory, ComponentContext } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString } from '../core/config.js';
import { Deque } from '../core/deque.js';
import { ChannelException, errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { ChannelCounter } from '../core/metrics.js';
import { decodeFlumeEvent, encodeFlumeEvent } from '../lib/flume-event-format.js';
import { batchSender, type BatchSender, type ProducedRecord } from '../lib/kafka-producer.js';
import { kafkaClientSettings, kafkaErrorText, type KafkaClientSettings } from '../lib/kafka-client.js';
import { OffsetTracker, javaCommittedOffsets } from '../lib/kafka-offsets.js';

type Record_ = Message<Buffer, Buffer, Buffer, Buffer>;

/** A taken record: its event and where it came from, for the offset commit. */
interface Taken {
  event: Event;
  topic: string;
  partition: number;
  offset: bigint;
}

const ACKS: Record<string, number> = { '0': 0, '1': 1, '-1': -1, all: -1 };
/** Records fetched ahead of the takes; the channel stops reading the stream at this many. */
const PREFETCH = 10_000;
/** After a failed attempt to join the group, takes wait this long before the next one. */
const REJOIN_MS = 2_000;

/** Flume's KafkaChannelCounter: the channel counters plus the Kafka timers (milliseconds) and rollbacks. */
export class KafkaChannelCounter extends ChannelCounter {
  kafkaEventGetTimer = 0;
  kafkaEventSendTimer = 0;
  kafkaCommitTimer = 0;
  rollbackCount = 0;

  protected override values(): Record<string, number> {
    return {
      ...super.values(),
      KafkaEventGetTimer: this.kafkaEventGetTimer,
      KafkaEventSendTimer: this.kafkaEventSendTimer,
      KafkaCommitTimer: this.kafkaCommitTimer,
      RollbackCount: this.rollbackCount,
    };
  }
}

export interface KafkaChannelOptions {
  topic: string;
  groupId: string;
  parseAsFlumeEvent: boolean;
  pollTimeout: number;
  acks: number;
  defaultPartitionId?: number;
  partitionIdHeader?: string;
  producer: KafkaClientSettings;
  consumer: KafkaClientSettings;
}

export class KafkaChannel implements Channel {
  readonly counter: KafkaChannelCounter;
  private producer: BatchSender | undefined;
  private consumer: Consumer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private joining: Promise<void> | undefined;
  private nextJoinAt = 0;
  private stopped = false;
  /** Fetched records not taken yet. */
  private readonly fetched = new Deque<Record_>(1024);
  /** Events of rolled-back takes, handed out first (Flume's failedEvents). */
  private readonly failed = new Deque<Taken>(64);
  private offsets = new OffsetTracker();
  private readonly available = new Set<() => void>();
  private lastFetch = 0;
  /** One offset commit at a time: Kafka's commits of one member are not ordered otherwise. */
  private committing: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly opts: KafkaChannelOptions,
    private readonly ctx: ComponentContext,
  ) {
    // Flume's Kafka channel reports capacity 0 (its size is the topic's, not the agent's).
    this.counter = new KafkaChannelCounter(name, () => 0, 0);
  }

  start(): void {
    this.stopped = false;
    this.ctx.metrics.register(this.counter);
    this.counter.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.counter.stop();
    const { stream, consumer, producer } = this;
    this.stream = undefined;
    this.consumer = undefined;
    this.producer = undefined;
    this.joining = undefined;
    this.fetched.clear();
    this.failed.clear();
    // A restarted consumer reads again from the committed offsets: nothing fetched is held any more.
    this.offsets = new OffsetTracker();
    await this.committing.catch(() => {});
    if (stream) await stream.close().catch(() => {});
    if (consumer) await new Promise<void>((r) => consumer.close(true, () => r()));
    if (producer) await producer.close().catch(() => {});
  }

  /** The events are in Kafka, not in the agent: as Flume's, the channel reports no size, so a shutdown never waits to drain a topic. */
  size(): number {
    return 0;
  }

  onAvailable(listener: () => void): () => void {
    this.available.add(listener);
    return () => this.available.delete(listener);
  }

  getTransaction(): Transaction {
    return new KafkaTransaction(this);
  }

  // ---- put side ----

  /** @internal */ record(event: Event): ProducedRecord {
    const { partitionIdHeader, defaultPartitionId } = this.opts;
    let partition = defaultPartitionId;
    const headerValue = partitionIdHeader !== undefined ? event.headers[partitionIdHeader] : undefined;
    if (headerValue !== undefined) {
      const n = Number(headerValue.trim());
      if (!/^\s*\d+\s*$/.test(headerValue) || !Number.isSafeInteger(n)) {
        throw new ChannelException(`channel \`${this.name}\`: the ${partitionIdHeader} header \`${headerValue}\` is not a partition number`);
      }
      partition = n;
    }
    const m: ProducedRecord = {
      topic: this.opts.topic,
      value: this.opts.parseAsFlumeEvent ? encodeFlumeEvent(event) : event.body,
    };
    const key = event.headers.key;
    if (key !== undefined) m.key = Buffer.from(key, 'utf8');
    if (partition !== undefined) m.partition = partition;
    return m;
  }

  /** @internal */ async produce(messages: ProducedRecord[]): Promise<void> {
    const p = (this.producer ??= batchSender(this.opts.producer, this.opts.acks));
    const started = Date.now();
    try {
      await p.send(messages);
    } catch (e) {
      // A fresh client next time: its metadata and connections may be a departed broker's.
      if (this.producer === p) this.producer = undefined;
      void p.close().catch(() => {});
      throw new ChannelException(`channel \`${this.name}\`: Kafka did not acknowledge ${messages.length} event(s) for topic ${this.opts.topic}: ${kafkaErrorText(e)}`);
    }
    this.counter.kafkaEventSendTimer += Date.now() - started;
    this.counter.putSuccess += messages.length;
  }

  // ---- take side ----

  /** Moves records from the consumer's stream to the queue of fetched records, up to PREFETCH. */
  private pull(): void {
    const stream = this.stream;
    if (!stream) return;
    const wasEmpty = this.fetched.length === 0;
    let m: Record_ | null;
    while (this.fetched.length < PREFETCH && (m = stream.read() as Record_ | null) !== null) {
      if (!this.offsets.fetched(m.topic, m.partition, m.offset)) continue;
      const now = Date.now();
      this.counter.kafkaEventGetTimer += now - this.lastFetch;
      this.lastFetch = now;
      this.fetched.pushBack(m);
    }
    if (wasEmpty && this.fetched.length) for (const l of this.available) l();
  }

  /** @internal */ takeOne(): Taken | null {
    const again = this.failed.popFront();
    if (again) return again;
    for (;;) {
      const m = this.fetched.popFront();
      if (m === undefined) {
        this.join();
        return null;
      }
      if (this.fetched.length < PREFETCH / 2) this.pull();
      const event = this.toEvent(m);
      if (event) return { event, topic: m.topic, partition: m.partition, offset: m.offset };
      // Not an event: its offset counts as done so that the commit moves past it.
      this.offsets.done(m.topic, m.partition, m.offset);
    }
  }

  private toEvent(m: Record_): Event | undefined {
    let event: Event;
    if (this.opts.parseAsFlumeEvent) {
      try {
        event = decodeFlumeEvent(m.value ?? Buffer.alloc(0));
      } catch (e) {
        this.ctx.log.error(
          `channel \`${this.name}\`: skipped the record at ${m.topic}/${m.partition}@${m.offset}: parseAsFlumeEvent is on but it is not a Flume event (${errorText(e)}); ` +
            'set parseAsFlumeEvent = false when other producers write to the topic',
        );
        return undefined;
      }
    } else event = { headers: newHeaders(), body: m.value ?? Buffer.alloc(0) };
    // The client reads a null key as an empty buffer; an empty key is taken for no key.
    if (m.key && m.key.length > 0) event.headers.key = m.key.toString('utf8');
    return event;
  }

  /** @internal */ rollbackTakes(taken: Taken[]): void {
    for (let i = taken.length - 1; i >= 0; i--) this.failed.pushFront(taken[i]!);
    this.counter.rollbackCount += taken.length;
    if (taken.length) for (const l of this.available) l();
  }

  /** @internal */ commitTakes(taken: Taken[]): Promise<void> {
    for (const t of taken) this.offsets.done(t.topic, t.partition, t.offset);
    this.counter.takeSuccess += taken.length;
    const run = this.committing.then(() => this.commitOffsets());
    this.committing = run.catch(() => {});
    return run;
  }

  private async commitOffsets(): Promise<void> {
    const consumer = this.consumer;
    const offsets = this.offsets.toCommit();
    if (!consumer || offsets.length === 0) return;
    const started = Date.now();
    try {
      await consumer.commit({ offsets });
      this.offsets.committed(offsets);
    } catch (e) {
      // As Flume: the events were delivered, so the take stands; the offsets are committed with
      // the next commit, or read again after a restart (at least once).
      this.ctx.log.warn(`channel \`${this.name}\`: could not commit the consumer offsets (${kafkaErrorText(e)}); the next commit carries them`);
    }
    this.counter.kafkaCommitTimer += Date.now() - started;
  }

  /** Joins the consumer group in the background, once (and again after a failure, no sooner than REJOIN_MS). */
  private join(): void {
    if (this.stopped || this.consumer || this.joining || Date.now() < this.nextJoinAt) return;
    this.joining = this.openConsumer().then(
      () => {
        this.joining = undefined;
      },
      (e) => {
        this.joining = undefined;
        this.nextJoinAt = Date.now() + REJOIN_MS;
        this.ctx.log.warn(`channel \`${this.name}\`: cannot consume topic ${this.opts.topic} as group ${this.opts.groupId}: ${kafkaErrorText(e)}; trying again`);
        for (const l of this.available) l();
      },
    );
  }

  private async openConsumer(): Promise<void> {
    const { consumer: settings, groupId, topic, pollTimeout } = this.opts;
    const c = new Consumer({ ...settings.connection, ...settings.consumer, groupId, autocommit: false, autocreateTopics: true });
    javaCommittedOffsets(c);
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = (await c.consume({
        topics: [topic],
        mode: 'committed',
        fallbackMode: settings.consumer.fallbackMode,
        autocommit: false,
        maxWaitTime: settings.consumer.maxWaitTime ?? Math.max(1, pollTimeout),
        ...(settings.consumer.sessionTimeout !== undefined ? { sessionTimeout: settings.consumer.sessionTimeout } : {}),
        ...(settings.consumer.heartbeatInterval !== undefined ? { heartbeatInterval: settings.consumer.heartbeatInterval } : {}),
      })) as MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    } catch (e) {
      await new Promise<void>((r) => c.close(true, () => r()));
      throw e;
    }
    if (this.stopped) {
      await stream.close().catch(() => {});
      await new Promise<void>((r) => c.close(true, () => r()));
      return;
    }
    this.consumer = c;
    this.stream = stream;
    this.lastFetch = Date.now();
    // Read in paused mode: the client fetches only while its own buffer has room, and the
    // channel reads from it only while its queue has room. (Pausing a flowing stream instead can
    // stall it: a fetch answered while paused leaves the stream waiting for a read that never comes.)
    stream.on('readable', () => this.pull());
    stream.on('error', (e) => this.ctx.fail(new Error(`channel \`${this.name}\`: the Kafka consumer of group ${groupId} failed: ${kafkaErrorText(e)}`)));
  }
}

class KafkaTransaction implements Transaction {
  private state: 'new' | 'open' | 'committing' | 'done' = 'new';
  private puts: ProducedRecord[] = [];
  private takes: Taken[] = [];

  constructor(private readonly ch: KafkaChannel) {}

  begin(): void {
    if (this.state !== 'new') throw new ChannelException('a transaction can be begun only once');
    this.state = 'open';
  }

  put(event: Event): void {
    this.open('put');
    if (this.takes.length) throw new ChannelException(`channel \`${this.ch.name}\`: a transaction cannot both put and take`);
    this.puts.push(this.ch.record(event));
    this.ch.counter.putAttempt++;
  }

  take(): Event | null {
    this.open('take');
    if (this.puts.length) throw new ChannelException(`channel \`${this.ch.name}\`: a transaction cannot both put and take`);
    const t = this.ch.takeOne();
    if (!t) return null;
    this.ch.counter.takeAttempt++;
    this.takes.push(t);
    return t.event;
  }

  takeInto(out: Event[], max: number): number {
    let n = 0;
    for (; n < max; n++) {
      const e = this.take();
      if (e === null) break;
      out.push(e);
    }
    return n;
  }

  async commit(): Promise<void> {
    this.open('commit');
    this.state = 'committing';
    try {
      if (this.puts.length) await this.ch.produce(this.puts);
      else if (this.takes.length) await this.ch.commitTakes(this.takes);
    } catch (e) {
      this.state = 'open';
      throw e;
    }
    this.state = 'done';
    this.puts = [];
    this.takes = [];
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.ch.rollbackTakes(this.takes);
    this.state = 'done';
    this.puts = [];
    this.takes = [];
  }

  close(): void {
    if (this.state === 'open') this.rollback();
    if (this.state !== 'committing') this.state = 'done';
  }

  private open(what: string): void {
    if (this.state !== 'open') throw new ChannelException(`cannot ${what}: the transaction is not open`);
  }
}

const create: ChannelFactory = (config, ctx) => {
  const p = config.params;
  const name = `channel \`${config.name}\``;
  const bootstrap = need(paramList(p, 'kafka.bootstrap.servers'), config.name, 'kafka.bootstrap.servers');
  const acksText = need(paramString(p, 'kafka.producer.acks'), config.name, 'kafka.producer.acks');
  const acks = ACKS[acksText.trim().toLowerCase()];
  if (acks === undefined) throw new ConfigError(`${name}: \`kafka.producer.acks\` must be 0, 1, -1 or all, not \`${acksText}\``);
  if (paramString(p, 'zookeeperConnect') !== undefined) {
    ctx.log.warn(
      `${name}: zookeeperConnect is ignored: flowc does not migrate consumer offsets out of ZooKeeper (migrateZookeeperOffsets); ` +
        `offsets are kept in Kafka under kafka.consumer.group.id, and a group without any starts at kafka.consumer.auto.offset.reset`,
    );
  }
  const clientId = `flowc-${ctx.agent}-${config.name}`;
  const settings = (prefix: 'kafka.producer.' | 'kafka.consumer.', handled: string[]) =>
    kafkaClientSettings({ component: name, params: p, prefix, bootstrap, defaultClientId: clientId, handled, log: ctx.log });
  return new KafkaChannel(
    config.name,
    {
      topic: need(paramString(p, 'kafka.topic'), config.name, 'kafka.topic'),
      groupId: need(paramString(p, 'kafka.consumer.group.id'), config.name, 'kafka.consumer.group.id'),
      parseAsFlumeEvent: need(paramBool(p, 'parseAsFlumeEvent'), config.name, 'parseAsFlumeEvent'),
      pollTimeout: need(paramNumber(p, 'kafka.pollTimeout'), config.name, 'kafka.pollTimeout'),
      acks,
      defaultPartitionId: paramNumber(p, 'defaultPartitionId'),
      partitionIdHeader: paramString(p, 'partitionIdHeader'),
      producer: settings('kafka.producer.', ['acks']),
      consumer: settings('kafka.consumer.', ['group.id']),
    },
    ctx,
  );
};

export default create;

// Flume's Kafka source: one consumer of kafka.consumer.group.id over kafka.topics (or the
// topics matching kafka.topics.regex when the source starts). Each process() gathers up to
// batchSize records for at most batchDurationMillis, writes them to the channels as one batch,
// and only then commits their offsets (at least once: a crash before the commit reads them
// again). The commit runs beside the next batches (lib/kafka-offsets.ts BackgroundCommits), where
// Flume's waits for it; stop waits for the last one. When the channels refuse the batch (full), it is kept and offered again after the
// runner's backoff, with no offset committed. Headers as Flume sets them, each only when the
// event has none of that name: `timestamp` (the record's), the topic header (setTopicHeader),
// `partition`, `offset`, and `key` when the record has a key; header.* copies record headers;
// with useFlumeEventFormat the value is an AvroFlumeEvent whose headers come first.
import { Admin, Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import type { PollableSource, SourceFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString, paramsUnder } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { decodeFlumeEvent } from '../lib/flume-event-format.js';
import { kafkaClientSettings, kafkaErrorText } from '../lib/kafka-client.js';
import { BackgroundCommits, javaCommittedOffsets, type OffsetToCommit } from '../lib/kafka-offsets.js';
import { javaRegex } from '../lib/regex.js';

/** Flume's KafkaSourceCounter: the source counters without the three *Fail ones, plus its timers (ms) and empty polls. */
class KafkaSourceCounter extends SourceCounter {
  kafkaEventGetTimer = 0;
  kafkaCommitTimer = 0;
  kafkaEmpty = 0;

  protected override values(): Record<string, number> {
    const { EventReadFail: _e, ChannelWriteFail: _c, GenericProcessingFail: _g, ...rest } = super.values();
    return { ...rest, KafkaEventGetTimer: this.kafkaEventGetTimer, KafkaCommitTimer: this.kafkaCommitTimer, KafkaEmptyCount: this.kafkaEmpty };
  }
}

interface Pending {
  events: Event[];
  /** Per topic-partition, the offset of the next record to read (what Kafka's commit means). */
  offsets: Map<string, OffsetToCommit>;
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const name = `source \`${config.name}\``;
  const bootstrap = need(paramList(p, 'kafka.bootstrap.servers'), config.name, 'kafka.bootstrap.servers');
  const topicsList = paramList(p, 'kafka.topics');
  const topicsRegex = paramString(p, 'kafka.topics.regex');
  if (!topicsRegex && !topicsList?.length) throw new ConfigError(`${name}: set kafka.topics (a comma list) or kafka.topics.regex`);
  const regex = topicsRegex ? javaRegex(topicsRegex, '', `${name}: kafka.topics.regex`) : undefined;
  // Java's Matcher.matches(): the whole topic name.
  const pattern = regex ? new RegExp(`^(?:${regex.source})$`, regex.flags) : undefined;
  const groupId = need(paramString(p, 'kafka.consumer.group.id'), config.name, 'kafka.consumer.group.id');
  const batchSize = need(paramNumber(p, 'batchSize'), config.name, 'batchSize');
  const batchMs = need(paramNumber(p, 'batchDurationMillis'), config.name, 'batchDurationMillis');
  const flumeFormat = paramBool(p, 'useFlumeEventFormat') ?? false;
  const setTopicHeader = paramBool(p, 'setTopicHeader') ?? true;
  const topicHeader = paramString(p, 'topicHeader') ?? 'topic';
  const headerMap = paramsUnder(p, 'header.').map(([flume, kafka]) => [flume, String(kafka)] as const);
  const settings = kafkaClientSettings({
    component: name,
    params: p,
    prefix: 'kafka.consumer.',
    bootstrap,
    defaultClientId: `flowc-${ctx.agent}-${config.name}`,
    handled: ['group.id'],
    log: ctx.log,
  });
  const counter = new KafkaSourceCounter(config.name);

  let consumer: Consumer | undefined;
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let wake: (() => void) | undefined;
  let pending: Pending | undefined;
  let topics: string[] = [];
  const commits = new BackgroundCommits(async (offsets) => {
    const c = consumer;
    if (!c) return false;
    const started = Date.now();
    try {
      await c.commit({ offsets });
      return true;
    } catch (e) {
      // The events are in the channels; uncommitted offsets mean they are read again later (at least once).
      ctx.log.warn(`could not commit the offsets of events already in the channels; the next commit carries them, or they are read again: ${kafkaErrorText(e)}`);
      return false;
    } finally {
      counter.kafkaCommitTimer += Date.now() - started;
    }
  });

  async function resolveTopics(): Promise<string[]> {
    if (!pattern) return topicsList!;
    const admin = new Admin({ ...settings.connection, clientId: `${settings.connection.clientId}-admin` });
    try {
      const all = await admin.listTopics();
      return all.filter((t) => !t.startsWith('__') && pattern.test(t)).sort();
    } finally {
      await admin.close().catch(() => {});
    }
  }

  function toEvent(m: Message<Buffer, Buffer, Buffer, Buffer>): Event | undefined {
    let event: Event;
    if (flumeFormat) {
      try {
        event = decodeFlumeEvent(m.value);
      } catch (e) {
        ctx.log.error(`skipped the record at ${m.topic}/${m.partition}@${m.offset}: useFlumeEventFormat is on but its value is not a Flume event (${errorText(e)})`);
        return undefined;
      }
    } else event = { headers: newHeaders(), body: m.value ?? Buffer.alloc(0) };
    const h = event.headers;
    if (headerMap.length && m.headers.size) {
      const byName = new Map<string, Buffer>();
      for (const [k, v] of m.headers) byName.set(k.toString('utf8'), v);
      for (const [flume, kafka] of headerMap) {
        const v = byName.get(kafka);
        if (v !== undefined) h[flume] = v.toString('utf8');
      }
    }
    if (!('timestamp' in h)) h.timestamp = String(m.timestamp);
    if (setTopicHeader && !(topicHeader in h)) h[topicHeader] = m.topic;
    if (!('partition' in h)) h.partition = String(m.partition);
    if (!('offset' in h)) h.offset = String(m.offset);
    if (m.key !== undefined && m.key !== null && (m.key as Buffer).length !== undefined && !('key' in h)) h.key = m.key.toString('utf8');
    return event;
  }

  /**
   * Up to batchSize records, waiting at most batchDurationMillis for them. The stream is read in
   * paused mode, so the client fetches only while its buffer (highWaterMark records) has room:
   * a slow channel holds the consumer back instead of filling memory.
   */
  async function gather(): Promise<Message<Buffer, Buffer, Buffer, Buffer>[]> {
    const out: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
    const deadline = Date.now() + batchMs;
    for (;;) {
      const s = stream;
      if (!s) return out;
      let m: Message<Buffer, Buffer, Buffer, Buffer> | null;
      while (out.length < batchSize && (m = s.read() as Message<Buffer, Buffer, Buffer, Buffer> | null) !== null) out.push(m);
      const left = deadline - Date.now();
      if (out.length >= batchSize || left <= 0) return out;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  }

  function pendingOf(records: Message<Buffer, Buffer, Buffer, Buffer>[]): Pending {
    const events: Event[] = [];
    const offsets: Pending['offsets'] = new Map();
    for (const m of records) {
      const e = toEvent(m);
      if (e) events.push(e);
      offsets.set(`${m.topic}:${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: -1 });
    }
    return { events, offsets };
  }

  const source: PollableSource = {
    driver: 'poll',
    backoffSleepIncrement: need(paramNumber(p, 'backoffSleepIncrement'), config.name, 'backoffSleepIncrement'),
    maxBackoffSleep: need(paramNumber(p, 'maxBackoffSleep'), config.name, 'maxBackoffSleep'),
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      try {
        topics = await resolveTopics();
      } catch (e) {
        throw new Error(`cannot list the topics of ${bootstrap.join(',')}: ${kafkaErrorText(e)}`);
      }
      if (topics.length === 0) ctx.log.warn(`no topic matches kafka.topics.regex ${topicsRegex}; the source waits for none`);
      const c = new Consumer({ ...settings.connection, ...settings.consumer, groupId, autocommit: false });
      consumer = c;
      javaCommittedOffsets(c);
      if (topics.length === 0) return;
      try {
        stream = (await c.consume({
          topics,
          mode: 'committed',
          fallbackMode: settings.consumer.fallbackMode,
          autocommit: false,
          maxWaitTime: Math.min(settings.consumer.maxWaitTime ?? 500, batchMs),
          // Records the client may hold decoded ahead of the channel; fetching resumes below it,
          // so the next fetch overlaps the batches still to be written.
          highWaterMark: Math.max(1024, 2 * batchSize),
          ...(settings.consumer.sessionTimeout !== undefined ? { sessionTimeout: settings.consumer.sessionTimeout } : {}),
          ...(settings.consumer.heartbeatInterval !== undefined ? { heartbeatInterval: settings.consumer.heartbeatInterval } : {}),
        })) as MessagesStream<Buffer, Buffer, Buffer, Buffer>;
      } catch (e) {
        await c.close().catch(() => {});
        consumer = undefined;
        throw new Error(`cannot join group ${groupId} on ${bootstrap.join(',')}: ${kafkaErrorText(e)}`);
      }
      stream.on('readable', () => wake?.());
      stream.on('error', (e) => ctx.fail(new Error(`Kafka consumer of group ${groupId} failed: ${kafkaErrorText(e)}`)));
    },
    async stop() {
      await commits.flush();
      counter.stop();
      wake = undefined;
      const s = stream;
      const c = consumer;
      stream = undefined;
      consumer = undefined;
      pending = undefined;
      if (s) await s.close().catch(() => {});
      if (c) await new Promise<void>((r) => c.close(true, () => r()));
    },
    async process(): Promise<Status> {
      if (!consumer) return 'BACKOFF';
      if (!pending) {
        const started = Date.now();
        const records = await gather();
        counter.kafkaEventGetTimer += Date.now() - started;
        if (records.length === 0) {
          counter.kafkaEmpty++;
          return 'BACKOFF';
        }
        pending = pendingOf(records);
        counter.appendBatchReceived++;
        counter.eventReceived += pending.events.length;
      }
      const batch = pending;
      if (batch.events.length) {
        try {
          await ctx.processor.processEventBatch(batch.events);
        } catch (e) {
          if (!(e instanceof ChannelException)) throw e;
          ctx.log.warn(`the channels refused ${batch.events.length} event(s) (${errorText(e)}); offered again after a backoff, offsets not committed`);
          return 'BACKOFF';
        }
      }
      pending = undefined;
      counter.appendBatchAccepted++;
      counter.eventAccepted += batch.events.length;
      commits.add(batch.offsets.values());
      return batch.events.length >= batchSize ? 'READY' : 'BACKOFF';
    },
    endpoints: () => bootstrap.map((b) => `kafka://${b}/${topicsRegex ? `/${topicsRegex}/` : topicsList!.join(',')}`),
  };
  return source;
};

export default create;

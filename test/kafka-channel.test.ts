// The Kafka channel against a real Kafka 4.x broker: Flume's transaction mapping (a put commits
// once the broker acknowledged, a take commits the consumer offsets, a rollback hands the same
// events out again), a flowc agent through it end to end, a channel written by a real Flume
// 1.11 agent read by a flowc agent, and a SIGKILLed `flowc run` reader losing nothing.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Channel } from '../runtime/core/channel.js';
import { newHeaders, type Event } from '../runtime/core/event.js';
import { startFlumeAgent } from './helpers/flume.js';
import { useKafka } from './helpers/kafka-scope.js';
import { bin, configsOf, freePort, httpPost, runFlow, scratch, spawnNode, waitFor, type Running } from './runtime/helpers.js';

const { children, cleanup, work } = scratch();

function event(body: string, headers: Record<string, string> = {}): Event {
  const h = newHeaders();
  Object.assign(h, headers);
  return { headers: h, body: Buffer.from(body) };
}

async function put(ch: Channel, events: Event[]): Promise<void> {
  const tx = ch.getTransaction();
  tx.begin();
  for (const e of events) tx.put(e);
  await tx.commit();
  tx.close();
}

/** Opens a take transaction and takes `n` events, waiting for the consumer to fetch them. */
async function takeOpen(ch: Channel, n: number, timeoutMs = 60_000) {
  const tx = ch.getTransaction();
  tx.begin();
  const got: Event[] = [];
  await waitFor(
    () => {
      while (got.length < n) {
        const e = tx.take();
        if (!e) return false;
        got.push(e);
      }
      return true;
    },
    timeoutMs,
    `${n} events from the Kafka channel (took ${got.length})`,
    50,
  );
  return { tx, got };
}

/** Lines of the files a file_roll sink wrote. */
function rolled(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
}

describe('kafka channel on a real broker', () => {
  const kafka = useKafka({ partitions: 2 });

  const channelFlow = (agent: string, topic: string, group: string, extra = '') => `
agent ${agent} {
  source s : seq { totalEvents = 0 }
  channel c : kafka {
    kafka.bootstrap.servers = "${kafka.cluster.bootstrap}"
    kafka.topic = "${topic}"
    kafka.consumer.group.id = "${group}"
    kafka.pollTimeout = 100ms
    ${extra}
  }
  s -> c
}`;
  const open = async (r: Running) => {
    cleanup.push(() => r.stop());
    return r.runner.agents[0]!.channels.get('c')! as Channel;
  };

  it('put, take, commit and rollback map onto produce and offset commits as in Flume', async () => {
    const writer = await open(await runFlow(channelFlow('w', 'tx', 'g1', 'defaultPartitionId = 0')));
    // A rolled-back put never reaches the topic; a committed one does, headers and key included.
    const rolledBack = writer.getTransaction();
    rolledBack.begin();
    rolledBack.put(event('never'));
    await rolledBack.rollback();
    rolledBack.close();
    await put(writer, [event('e1', { key: 'k1', host: 'edge-1' }), event('e2', { a: 'x' }), event('e3'), event('e4')]);

    const reader = await open(await runFlow(channelFlow('r', 'tx', 'g1')));
    const first = await takeOpen(reader, 2);
    expect(first.got.map((e) => e.body.toString())).toEqual(['e1', 'e2']);
    expect({ ...first.got[0]!.headers }).toEqual({ key: 'k1', host: 'edge-1' });
    expect({ ...first.got[1]!.headers }).toEqual({ a: 'x' });
    // A rollback hands the same events out again, in order.
    await first.tx.rollback();
    first.tx.close();
    const again = await takeOpen(reader, 2);
    expect(again.got.map((e) => e.body.toString())).toEqual(['e1', 'e2']);
    await again.tx.commit();
    again.tx.close();
    // e3 is taken but never committed, then the agent goes away.
    const third = await takeOpen(reader, 1);
    expect(third.got[0]!.body.toString()).toBe('e3');
    const metrics = (reader as unknown as { counter: { attributes(): Record<string, string> } }).counter.attributes();
    expect(metrics).toMatchObject({ Type: 'CHANNEL', EventTakeSuccessCount: '2', RollbackCount: '2', ChannelCapacity: '0' });
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['KafkaEventGetTimer', 'KafkaEventSendTimer', 'KafkaCommitTimer', 'EventPutAttemptCount']));
    const wMetrics = (writer as unknown as { counter: { attributes(): Record<string, string> } }).counter.attributes();
    expect(wMetrics).toMatchObject({ EventPutAttemptCount: '5', EventPutSuccessCount: '4' });
    third.tx.close();
    await cleanup.pop()!();

    // The same group resumes after the committed offsets: e3 (never committed) comes again, e1 and e2 do not.
    const next = await open(await runFlow(channelFlow('r2', 'tx', 'g1')));
    const rest = await takeOpen(next, 2);
    expect(rest.got.map((e) => e.body.toString())).toEqual(['e3', 'e4']);
    await rest.tx.commit();
    rest.tx.close();
    // Another group reads the whole topic; without parseAsFlumeEvent a value is a bare body.
    const raw = await open(await runFlow(channelFlow('raw', 'tx', 'g2', 'parseAsFlumeEvent = false')));
    const all = await takeOpen(raw, 4);
    expect(all.got.map((e) => e.body.subarray(-2).toString())).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(all.got[0]!.headers.key).toBe('k1'); // the record key comes back as the `key` header
    all.tx.close();
  }, 240_000);

  it('a channel restarted by the supervisor reads again what it had taken without committing', async () => {
    const ch = await open(await runFlow(channelFlow('re', 'restart', 'g', 'defaultPartitionId = 0')));
    await put(ch, [event('r1'), event('r2'), event('r3')]);
    const first = await takeOpen(ch, 3);
    expect(first.got.map((e) => e.body.toString())).toEqual(['r1', 'r2', 'r3']);
    first.tx.close();
    await ch.stop!();
    await ch.start!();
    const again = await takeOpen(ch, 3);
    expect(again.got.map((e) => e.body.toString())).toEqual(['r1', 'r2', 'r3']);
    await again.tx.commit();
    again.tx.close();
  }, 120_000);

  it('a put naming a partition that is not a number fails at put; a commit no broker acknowledges fails', async () => {
    const ch = await open(await runFlow(channelFlow('p', 'parts', 'g', 'partitionIdHeader = "part"')));
    const tx = ch.getTransaction();
    tx.begin();
    expect(() => tx.put(event('x', { part: 'one' }))).toThrow(/the part header `one` is not a partition number/);
    tx.put(event('y', { part: '1' }));
    await tx.commit();
    tx.close();
    // Nothing listens on this port: the commit fails (and the source's batch with it), it never returns as if stored.
    const dead = await freePort();
    const r = await runFlow(`
agent d {
  source s : seq { totalEvents = 0 }
  channel c : kafka {
    kafka.bootstrap.servers = "127.0.0.1:${dead}"
    kafka.topic = "t"
    kafka.producer.request.timeout.ms = 1000
    kafka.producer.retries = 1
  }
  s -> c
}`);
    const down = await open(r);
    const tx2 = down.getTransaction();
    tx2.begin();
    tx2.put(event('z'));
    await expect(tx2.commit()).rejects.toThrow(new RegExp(`channel \`c\`: Kafka did not acknowledge 1 event\\(s\\) for topic t`));
    await tx2.rollback();
    tx2.close();
  }, 120_000);

  it('a flowc agent runs source → kafka channel → sink, every event delivered once', async () => {
    const out = work();
    const r = await runFlow(`
agent a {
  source s : seq { totalEvents = 20000, batchSize = 500 }
  channel c : kafka {
    kafka.bootstrap.servers = "${kafka.cluster.bootstrap}"
    kafka.topic = "e2e"
    kafka.consumer.group.id = "e2e"
  }
  sink k : file_roll { sink { directory = "${out}", rollInterval = 0, batchSize = 500 } }
  s -> c -> k
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => rolled(out).length >= 20000, 180_000, '20000 events written', 200);
    const lines = rolled(out);
    expect(lines.length).toBe(20000);
    expect(new Set(lines).size).toBe(20000);
  }, 240_000);

  it("a Kafka channel written by Flume 1.11's KafkaChannel is read by a flowc agent, headers intact", async () => {
    const flume = await startFlumeAgent({
      name: 'edge',
      properties: [
        'edge.sources = seq',
        'edge.channels = kc',
        'edge.sources.seq.type = seq',
        'edge.sources.seq.totalEvents = 3000',
        'edge.sources.seq.batchSize = 100',
        'edge.sources.seq.channels = kc',
        'edge.sources.seq.interceptors = tag',
        'edge.sources.seq.interceptors.tag.type = static',
        'edge.sources.seq.interceptors.tag.key = origin',
        'edge.sources.seq.interceptors.tag.value = flume-edge',
        'edge.channels.kc.type = org.apache.flume.channel.kafka.KafkaChannel',
        `edge.channels.kc.kafka.bootstrap.servers = ${kafka.cluster.bootstrap}`,
        'edge.channels.kc.kafka.topic = shared-channel',
        'edge.channels.kc.kafka.consumer.group.id = flume-edge',
      ].join('\n'),
    });
    cleanup.push(() => flume.stop());
    const out = work();
    const r = await runFlow(`
agent collector {
  channel c : kafka {
    kafka.bootstrap.servers = "${kafka.cluster.bootstrap}"
    kafka.topic = "shared-channel"
    kafka.consumer.group.id = "flowc-collector"
  }
  sink k : file_roll { sink { directory = "${out}", rollInterval = 0, serializer = HEADER_AND_TEXT } }
  c -> k
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => rolled(out).length >= 3000, 180_000, '3000 events from Flume', 200).catch((e) => {
      throw new Error(`${e.message}\n${r.lines.slice(-10).join('\n')}\n${flume.logText().slice(-3000)}`);
    });
    const lines = rolled(out);
    // HEADER_AND_TEXT writes `{k=v, …} body`; Flume's seq source counts from 0.
    const bodies = new Set(lines.map((l) => l.slice(l.lastIndexOf('} ') + 2)));
    expect(bodies.size).toBe(3000);
    for (let i = 0; i < 3000; i++) expect(bodies.has(String(i))).toBe(true);
    for (const l of lines) expect(l).toMatch(/^\{.*\borigin=flume-edge\b.*\} \d+$/);
  }, 300_000);

  it('examples/kafka-tiers.flow: two edges (Kafka channel, Kafka sink) feed the topic; the collector (Kafka channel) and the archive (Kafka source) each write every event, headers included', async () => {
    const [web, app] = [await freePort(), await freePort()];
    const [out, archive] = [work(), work()];
    // The example as written, on this test's broker (KAFKA_BROKERS), ports and output folders.
    const text = readFileSync('examples/kafka-tiers.flow', 'utf8')
      .replaceAll('port = 8081', `port = ${web}`)
      .replaceAll('port = 44445', `port = ${app}`)
      .replaceAll('"out/kafka"', JSON.stringify(out))
      .replaceAll('"out/kafka-archive"', JSON.stringify(archive))
      .replaceAll('"flowc-logs"', '"example-logs"');
    const r = await runFlow('', { configs: configsOf(text, { KAFKA_BROKERS: kafka.cluster.bootstrap }) });
    cleanup.push(() => r.stop());
    const posted = await httpPost(web, JSON.stringify([{ headers: { user: 'ana' }, body: 'GET /cart' }]));
    expect(posted.status).toBe(200);
    // As `printf … | nc -N`: the client half-closes, and still gets its answer.
    const answer = await new Promise<string>((resolveAnswer, reject) => {
      const sock = connect(app, '127.0.0.1', () => sock.end('payment accepted\n'));
      let got = '';
      sock.on('data', (d) => (got += d));
      sock.on('close', () => resolveAnswer(got));
      sock.on('error', reject);
    });
    expect(answer).toBe('OK\n');
    for (const dir of [out, archive]) {
      await waitFor(() => rolled(dir).length >= 2, 120_000, `both events written to ${dir}`, 200).catch((e) => {
        throw new Error(`${e.message}\n${r.lines.slice(-10).join('\n')}`);
      });
      const lines = rolled(dir);
      expect(lines).toHaveLength(2);
      const cart = lines.find((l) => l.endsWith('} GET /cart'));
      const payment = lines.find((l) => l.endsWith('} payment accepted'));
      expect(cart).toMatch(/^\{.*\bedge=web\b.*\}/);
      expect(cart).toMatch(/\buser=ana\b/);
      expect(payment).toMatch(/^\{.*\bedge=app\b.*\}/);
      expect(payment).toMatch(/\btimestamp=\d+/);
    }
  }, 180_000);

  it('a reader SIGKILLed in the middle of taking loses nothing after a restart (at least once)', async () => {
    const total = 60_000;
    const writer = await open(await runFlow(channelFlow('fill', 'crash', 'unused')));
    for (let i = 0; i < total; i += 5000) await put(writer, Array.from({ length: 5000 }, (_, j) => event(`ev-${i + j}`)));
    const d = work();
    const out = join(d, 'out');
    writeFileSync(
      join(d, 'reader.flow'),
      `agent reader {
  channel c : kafka {
    kafka.bootstrap.servers = "${kafka.cluster.bootstrap}"
    kafka.topic = "crash"
    kafka.consumer.group.id = "crash-reader"
    // the killed member's partitions move to the restarted one once its session expires
    kafka.consumer.session.timeout.ms = 6000
    kafka.consumer.heartbeat.interval.ms = 1000
  }
  sink k : file_roll { sink { directory = "out", rollInterval = 0, batchSize = 100 } }
  c -> k
}
`,
    );
    mkdirSync(out);
    const first = spawnNode([bin, 'run', 'reader.flow'], d);
    children.push(first);
    await waitFor(() => rolled(out).length >= 5000, 120_000, 'the reader to have written 5000 events', 50);
    first.proc.kill('SIGKILL');
    await first.exited;
    const before = rolled(out).length;
    expect(before).toBeLessThan(total); // killed in the middle
    const second = spawnNode([bin, 'run', 'reader.flow'], d);
    children.push(second);
    await waitFor(() => new Set(rolled(out)).size >= total, 180_000, `all ${total} events after the restart`, 200).catch((e) => {
      throw new Error(`${e.message} (have ${new Set(rolled(out)).size})\n${second.stderr().slice(-2000)}`);
    });
    const seen = new Set(rolled(out));
    for (let i = 0; i < total; i++) expect(seen.has(`ev-${i}`)).toBe(true);
    second.proc.kill('SIGTERM');
    await second.exited;
  }, 400_000);
});

// Import → build keeps what real Flume 1.11 runs, judged by Flume's own loader (ConfigCheck,
// test/peers/README.md): per rule with configs written for it, and over the shared corpus.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { flowc } from './helpers/cli.js';
import { importRoundTrip, importRoundTrips, type RoundTrip } from './helpers/flume-meaning.js';

/** Each case starts a JVM (Flume's loader); generous under a loaded machine. */
const slow = { timeout: 180_000 };

/** Every agent of the original runs the same after import → build, and the import compiles. */
function expectSameRun(t: RoundTrip): void {
  expect(t.compileErrors).toEqual([]);
  for (const a of t.agents) expect(a.after, `agent ${a.agent}\n${t.flow}`).toEqual(a.before);
}

/** `flowc import` of the lines, as a user runs it. */
function importLines(lines: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'flowc-import-'));
  const input = join(dir, 'in.properties');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const out = join(dir, 'out.flow');
  const r = flowc(['import', input, '-o', out]);
  return { ...r, out, flow: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

const netcat = (agent = 'a1') => [
  `${agent}.sources = r1`,
  `${agent}.channels = c1`,
  `${agent}.sinks = k1`,
  `${agent}.sources.r1.type = netcat`,
  `${agent}.sources.r1.bind = 127.0.0.1`,
  `${agent}.sources.r1.port = 44444`,
  `${agent}.sources.r1.channels = c1`,
  `${agent}.channels.c1.type = memory`,
  `${agent}.sinks.k1.type = logger`,
  `${agent}.sinks.k1.channel = c1`,
];

describe('interceptor chains are the source\'s `interceptors` list', () => {
  it('an interceptor that is configured but not listed stays out of the chain', slow, () => {
    const t = importRoundTrip([
      ...netcat(),
      'a1.sources.r1.interceptors = ts',
      'a1.sources.r1.interceptors.ts.type = timestamp',
      'a1.sources.r1.interceptors.drop.type = regex_filter',
      'a1.sources.r1.interceptors.drop.regex = .*',
      'a1.sources.r1.interceptors.drop.excludeEvents = true',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors.map((i) => i.class)).toEqual(['org.apache.flume.interceptor.TimestampInterceptor']);
    expect(t.flow).toContain('// interceptor drop of source r1 is not imported');
  });

  it('an interceptor listed twice runs twice, in list order', slow, () => {
    const t = importRoundTrip([
      ...netcat(),
      'a1.sources.r1.interceptors = twice ts twice',
      'a1.sources.r1.interceptors.twice.type = search_replace',
      'a1.sources.r1.interceptors.twice.searchPattern = a',
      'a1.sources.r1.interceptors.twice.replaceString = aa',
      'a1.sources.r1.interceptors.ts.type = timestamp',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors.map((i) => i.class.replace(/.*\./, ''))).toEqual([
      'SearchAndReplaceInterceptor',
      'TimestampInterceptor',
      'SearchAndReplaceInterceptor',
    ]);
  });

  it('a source with no list runs no interceptor, whatever is configured', slow, () => {
    const t = importRoundTrip([...netcat(), 'a1.sources.r1.interceptors.h.type = host']);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.interceptors).toEqual([]);
  });
});

describe('channel selectors', () => {
  it('`selector.optional` naming something that is not a channel of the source is kept as written', slow, () => {
    const t = importRoundTrip([
      'a1.sources = r1',
      'a1.channels = c1 c2',
      'a1.sinks = k1 k2',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.port = 44444',
      'a1.sources.r1.channels = c1 c2',
      'a1.sources.r1.selector.optional = c2 nope',
      'a1.channels.c1.type = memory',
      'a1.channels.c2.type = memory',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
      'a1.sinks.k2.type = logger',
      'a1.sinks.k2.channel = c2',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.selector.props).toEqual({ optional: 'c2 nope' });
  });

  it('an optional list of channels of the source becomes `c?` targets', slow, () => {
    const t = importRoundTrip([...netcat().map((l) => l.replace('channels = c1', 'channels = c1 c2').replace('a1.channels = c1', 'a1.channels = c1 c2')), 'a1.channels.c2.type = memory', 'a1.sinks = k1 k2', 'a1.sinks.k2.type = null', 'a1.sinks.k2.channel = c2', 'a1.sources.r1.selector.optional = c2']);
    expectSameRun(t);
    expect(t.flow).toContain('r1 -> c1, c2?');
  });
});

describe('deprecated property names Flume 1.11 still translates', () => {
  const seq = ['a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1', 'a1.sources.r1.type = seq', 'a1.sources.r1.channels = c1'];

  it('a Kafka sink configured with brokerList, topic, requiredAcks and batchSize is kept, with warnings', slow, () => {
    const lines = [
      ...seq,
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
      'a1.sinks.k1.brokerList = b1:9092,b2:9092',
      'a1.sinks.k1.topic = t1',
      'a1.sinks.k1.requiredAcks = -1',
      'a1.sinks.k1.batchSize = 20',
      'a1.sinks.k1.channel = c1',
    ];
    const t = importRoundTrip(lines);
    expectSameRun(t);
    expect(Object.keys(t.agents[0]!.after!.sinks)).toEqual(['k1']);
    const r = importLines(lines);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("warning[FLOW028]: `brokerList` of sink `k1` (kafka) is deprecated; Flume 1.11 reads it as `kafka.bootstrap.servers`");
    expect(r.stderr).toContain('reads it as `flumeBatchSize`');
  });

  it('a Kafka channel configured with brokerList, topic, groupId and readSmallestOffset is kept', slow, () => {
    const t = importRoundTrip([
      ...seq,
      'a1.channels.c1.type = org.apache.flume.channel.kafka.KafkaChannel',
      'a1.channels.c1.brokerList = b1:9092',
      'a1.channels.c1.topic = t1',
      'a1.channels.c1.groupId = g1',
      'a1.channels.c1.readSmallestOffset = true',
      'a1.sinks.k1.type = null',
      'a1.sinks.k1.channel = c1',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.channels.c1!.class).toBe('org.apache.flume.channel.kafka.KafkaChannel');
  });

  it('a Kafka source with topic and groupId is kept', slow, () => {
    const t = importRoundTrip([
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource',
      'a1.sources.r1.kafka.bootstrap.servers = b1:9092',
      'a1.sources.r1.topic = t1',
      'a1.sources.r1.groupId = g1',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.channels.c1.capacity = 10000',
      'a1.channels.c1.transactionCapacity = 1000',
      'a1.sinks.k1.type = null',
      'a1.sinks.k1.channel = c1',
    ]);
    expectSameRun(t);
    expect(Object.keys(t.agents[0]!.after!.sources)).toEqual(['r1']);
  });

  it('zookeeperConnect gives a Kafka source its brokers (Flume looks them up in ZooKeeper)', slow, () => {
    const r = importLines([
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sources.r1.type = org.apache.flume.source.kafka.KafkaSource',
      'a1.sources.r1.zookeeperConnect = zk1:2181',
      'a1.sources.r1.topic = t1',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
    ]);
    expect(r.status).toBe(0);
    expect(r.flow).toMatch(/source r1 : kafka \{\s*zookeeperConnect = "zk1:2181"/);
    expect(r.stderr).toContain('reads it as `kafka.bootstrap.servers`');
    const checked = flowc(['check', r.out]);
    expect(checked.stdout + checked.stderr).not.toContain('FLOW022');
  });

  it('a deprecated batchSize above the channel\'s transactionCapacity is caught as Flume catches it', slow, () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowc-deprecated-'));
    const file = join(dir, 'k.flow');
    writeFileSync(file, 'agent a1 {\n  source r1 : seq\n  channel c1 : memory { transactionCapacity = 100 }\n  sink k1 : kafka { brokerList = "b:9092", batchSize = 500 }\n  r1 -> c1\n  c1 -> k1\n}\n');
    const r = flowc(['check', file]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('error[FLOW060]: sink `k1` takes batches of 500 events');
  });
});

describe('whitespace at the ends of values', () => {
  it('spaces and tabs after a value: Flume trims them (FlumeConfiguration), so the import does too', slow, () => {
    const t = importRoundTrip([
      'a1.sources = r1 ',
      'a1.channels = c1\t',
      'a1.sinks = k1',
      'a1.sources.r1.type = http ',
      'a1.sources.r1.port = 5140 ',
      'a1.sources.r1.channels = c1 ',
      'a1.channels.c1.type = memory\t',
      'a1.channels.c1.capacity = 1000 ',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
    ]);
    expectSameRun(t);
    expect(t.agents[0]!.after!.sources.r1!.class).toBe('org.apache.flume.source.http.HTTPSource');
    expect(t.agents[0]!.before!.channels.c1!.props).toEqual({ capacity: '1000' });
  });
});

describe('agents Flume runs nothing of', () => {
  it('an agent with only a channel is written as comments, since Flume drops it entirely', slow, () => {
    const t = importRoundTrip(['a1.channels = c1', 'a1.channels.c1.type = memory']);
    expect(t.agents[0]!.beforeReport.found).toBe(false);
    expectSameRun(t);
    expect(t.flow).toContain('// agent a1 is not imported');
    expect(t.flow).not.toMatch(/^agent a1/m);
  });

  it('an agent whose source and sink fail at start is written as comments, not as a lone channel', slow, () => {
    const t = importRoundTrip([
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = avro',
      'a1.sinks.k1.channel = c1',
    ]);
    expect(t.agents[0]!.before).toBeNull();
    expectSameRun(t);
    expect(t.flow).not.toMatch(/^agent a1/m);
  });
});

describe('a sink group without `processor.type`', () => {
  // Flume 1.11's SinkProcessorFactory fails on a missing type (the user guide's "default" is not
  // applied): the group and its sinks are removed at start. Their channel was connected when the
  // sinks were built, so Flume keeps it open with nothing running on it (a file channel keeps
  // its directories and the events in them). A .flow cannot declare such a channel: Flume
  // removes a channel with nothing connected. The import says so at the channel's line.
  const group = (agent: string[]) => [
    ...agent,
    'a1.channels.c2.type = file',
    'a1.channels.c2.checkpointDir = /tmp/flowc-cp',
    'a1.channels.c2.dataDirs = /tmp/flowc-data',
    'a1.sinks.k1.type = logger',
    'a1.sinks.k1.channel = c2',
    'a1.sinks.k2.type = logger',
    'a1.sinks.k2.channel = c2',
    'a1.sinkgroups.g1.sinks = k1 k2',
    'a1.sinkgroups.g1.processor.priority.k1 = 10',
  ];

  it('Flume keeps the channel of the failed group\'s sinks; import reports both at their lines and keeps everything else', slow, () => {
    const [beside, alone] = importRoundTrips(
      [
        group([
          'a1.sources = r1',
          'a1.channels = c1 c2',
          'a1.sinks = k0 k1 k2',
          'a1.sinkgroups = g1',
          'a1.sources.r1.type = netcat',
          'a1.sources.r1.bind = 127.0.0.1',
          'a1.sources.r1.port = 44444',
          'a1.sources.r1.channels = c1',
          'a1.channels.c1.type = memory',
          'a1.sinks.k0.type = logger',
          'a1.sinks.k0.channel = c1',
        ]),
        group(['a1.channels = c2', 'a1.sinks = k1 k2', 'a1.sinkgroups = g1']),
      ].map((lines, i) => {
        const file = join(mkdtempSync(join(tmpdir(), 'flowc-group-')), `${i}.properties`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        return file;
      }),
    );

    // Beside a working flow: Flume runs r1 -> c1 -> k0, and c2 with nothing on it.
    const a = beside!.agents[0]!;
    expect(Object.keys(a.before!.channels).sort()).toEqual(['c1', 'c2']);
    expect(a.before!.sinks.k1).toBeUndefined();
    expect(a.before!.groups).toEqual({});
    expect(beside!.importErrors).toContainEqual(expect.stringMatching(/^FLOW166 \d+:1 sink group `g1` has no `processor.type`/));
    expect(beside!.importWarnings).toContainEqual(expect.stringMatching(/^FLOW173 12:1 channel `c2` .*group `g1`/));
    expect(beside!.compileErrors).toEqual([]);
    const { c2: _kept, ...others } = a.before!.channels;
    expect(a.after).toEqual({ ...a.before!, channels: others });

    // Alone: Flume runs an agent of one file channel; after import nothing of it runs.
    const b = alone!.agents[0]!;
    expect(b.before).toEqual({ sources: {}, channels: { c2: { class: 'org.apache.flume.channel.file.FileChannel', props: { checkpointDir: '/tmp/flowc-cp', dataDirs: '/tmp/flowc-data' } } }, sinks: {}, groups: {} });
    expect(alone!.importWarnings).toContainEqual(expect.stringMatching(/^FLOW173 4:1 channel `c2` /));
  });
});

describe('file encoding', () => {
  it('UTF-8 text, which Flume reads as ISO-8859-1: import warns, and the build makes Flume read what was meant', slow, () => {
    const lines = [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = seq',
      'a1.sources.r1.channels = c1',
      'a1.sources.r1.interceptors = i',
      'a1.sources.r1.interceptors.i.type = static',
      'a1.sources.r1.interceptors.i.key = k',
      'a1.sources.r1.interceptors.i.value = café',
      'a1.channels.c1.type = memory',
      'a1.sinks.k1.type = null',
      'a1.sinks.k1.channel = c1',
    ];
    const t = importRoundTrip(lines);
    expect(t.agents[0]!.before!.sources.r1!.interceptors[0]!.props.value).toBe('cafÃ©');
    expect(t.agents[0]!.after!.sources.r1!.interceptors[0]!.props.value).toBe('café');
    const r = importLines(lines);
    expect(r.stderr).toContain('warning[FLOW107]: Flume reads this file as ISO-8859-1, so it sees `a1.sources.r1.interceptors.i.value = cafÃ©`');
    expect(r.status).toBe(0);
  });
});

/** The shared corpus of real flume.properties (beside the clone on CI; never copied into the project). */
function corpusDir(): string | undefined {
  for (const d of [process.env.FLOWC_CORPUS, '../shared/corpus', '/work/shared/corpus']) if (d && existsSync(resolve(d))) return resolve(d);
  return undefined;
}

const corpus = corpusDir();
describe.runIf(corpus)('the shared corpus', () => {
  it('≤ 2% of files change what Flume runs after import → build, and every import compiles', { timeout: 300_000 }, () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.(properties|template|\d+)$/.test(e.name) ? [join(d, e.name)] : []));
    const files = walk(corpus!);
    expect(files.length).toBeGreaterThan(50);
    const trips = importRoundTrips(files);
    const changed: string[] = [];
    trips.forEach((t, i) => {
      if (t.compileErrors.length > 0) changed.push(`${files[i]}: the imported .flow does not compile: ${t.compileErrors.join('; ')}`);
      for (const a of t.agents) {
        if (JSON.stringify(a.after) !== JSON.stringify(a.before)) changed.push(`${files[i]} (agent ${a.agent}):\n  before ${JSON.stringify(a.before)}\n  after  ${JSON.stringify(a.after)}`);
      }
    });
    expect(changed.length / files.length, changed.join('\n')).toBeLessThanOrEqual(0.02);
  });
});

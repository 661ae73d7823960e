// readFlumeConfig: flume.properties read the way Flume 1.11 reads it. Each case is a rule of
// FlumeConfiguration or AbstractConfigurationProvider, with what stays active, what is
// dropped, and the diagnostic (code and line) that says so.
import { describe, expect, it } from 'vitest';
import type { ConfigAgent, FlumeConfigFile } from '../compiler/flume/config.js';
import { readFlumeConfig } from '../compiler/flume/read-config.js';
import { javaHashSetOrder, javaTrim } from '../compiler/flume/read-config-support.js';

const read = (...lines: string[]) => readFlumeConfig(`${lines.join('\n')}\n`, 'flume.properties');

/** `CODE@line` for every diagnostic, in order. */
const codes = (f: FlumeConfigFile) => f.diagnostics.map((d) => `${d.code}@${d.span?.start.line}`);

function only(f: FlumeConfigFile, code: string) {
  const found = f.diagnostics.filter((d) => d.code === code);
  expect(found, `${code} in ${JSON.stringify(codes(f))}`).toHaveLength(1);
  return found[0]!;
}

function agent(f: FlumeConfigFile, name = 'a1'): ConfigAgent {
  const a = f.agents.find((x) => x.name === name);
  expect(a, `agent ${name}`).toBeDefined();
  return a!;
}

const active = (units: { name: string; active: boolean }[]) => units.filter((u) => u.active).map((u) => u.name).sort();

/** A small valid agent; tests add or change lines. */
const base = [
  'a1.sources = r1',
  'a1.channels = c1',
  'a1.sinks = k1',
  'a1.sources.r1.type = netcat',
  'a1.sources.r1.bind = 0.0.0.0',
  'a1.sources.r1.port = 44444',
  'a1.sources.r1.channels = c1',
  'a1.channels.c1.type = memory',
  'a1.sinks.k1.type = logger',
  'a1.sinks.k1.channel = c1',
];

describe('a valid file', () => {
  it('reads every component active, with no diagnostics', () => {
    const f = read(...base);
    expect(f.diagnostics).toEqual([]);
    const a = agent(f);
    expect(a.active).toBe(true);
    expect(active(a.sources)).toEqual(['r1']);
    expect(active(a.channels)).toEqual(['c1']);
    expect(active(a.sinks)).toEqual(['k1']);
    expect(a.sources[0]!.channels).toEqual(['c1']);
    expect(a.sources[0]!.props.map((p) => [p.key, p.value])).toEqual([
      ['bind', '0.0.0.0'],
      ['port', '44444'],
    ]);
    expect(a.sinks[0]!.channel).toBe('c1');
  });

  it('trims keys and values the way Java does (only chars up to U+0020)', () => {
    const f = read('a1.sources = r1 ', 'a1.channels =\tc1', 'a1.sinks = k1', 'a1.sources.r1.type = netcat  ', 'a1.sources.r1.channels = c1', 'a1.sources.r1.bind = host\\u00a0', 'a1.channels.c1.type = memory', 'a1.sinks.k1.type = logger', 'a1.sinks.k1.channel = c1');
    const r1 = agent(f).sources[0]!;
    expect(r1.type).toBe('netcat');
    // U+00A0 is not whitespace to String.trim().
    expect(r1.props[0]!.value).toBe('host\u00a0');
    expect(javaTrim('\u0001 x \u00a0')).toBe('x \u00a0');
  });

  it('reads several agents from one file', () => {
    const f = read(...base, 'a2.channels = c', 'a2.channels.c.type = file', 'a2.sinks = k', 'a2.sinks.k.type = null', 'a2.sinks.k.channel = c');
    expect(f.agents.map((a) => [a.name, a.active])).toEqual([
      ['a1', true],
      ['a2', true],
    ]);
    expect(active(agent(f, 'a2').sinks)).toEqual(['k']);
    expect(f.diagnostics).toEqual([]);
  });

  it('keeps ${...} references verbatim', () => {
    const f = read(...base, 'a1.sinks.k1.maxBytesToLog = ${env:LOG_BYTES}', 'a1.sources.r1.port = ${sys:port:-4444}');
    expect(agent(f).sinks[0]!.props.find((p) => p.key === 'maxBytesToLog')!.value).toBe('${env:LOG_BYTES}');
    // The port is set twice: the later line wins.
    expect(agent(f).sources[0]!.props.find((p) => p.key === 'port')!.value).toBe('${sys:port:-4444}');
    expect(codes(f)).toEqual(['FLOW103@6']);
  });
});

describe('types', () => {
  it('matches aliases case-insensitively', () => {
    const f = read(...base.map((l) => l.replace('= netcat', '= NetCat').replace('= memory', '= MEMORY').replace('= logger', '= Logger')));
    expect(f.diagnostics).toEqual([]);
    expect(agent(f).active).toBe(true);
  });

  it('accepts the exact class name', () => {
    const f = read(...base.map((l) => l.replace('= memory', '= org.apache.flume.channel.MemoryChannel')));
    expect(f.diagnostics).toEqual([]);
    expect(active(agent(f).channels)).toEqual(['c1']);
  });

  it('passes custom classes through silently, with any properties', () => {
    const f = read(...base.map((l) => l.replace('= logger', '= com.example.MySink')), 'a1.sinks.k1.whatever = 1');
    expect(f.diagnostics).toEqual([]);
    expect(active(agent(f).sinks)).toEqual(['k1']);
  });

  it('a class name in the wrong case cannot be loaded: the agent does not start', () => {
    const f = read(...base.map((l) => l.replace('= memory', '= org.apache.flume.channel.memorychannel')));
    const d = only(f, 'FLOW130');
    expect(d.span!.start.line).toBe(8);
    expect(d.help).toContain('write `memory`');
    expect(agent(f).active).toBe(false);
  });

  it('a type that is no alias and no class name stops the agent (FLOW130), with did-you-mean', () => {
    const f = read(...base.map((l) => l.replace('= memory', '= memroy')));
    const d = only(f, 'FLOW130');
    expect(d.span!.start).toMatchObject({ line: 8, col: 23 });
    expect(d.help![0]).toBe('did you mean `memory`?');
    expect(agent(f).active).toBe(false);
    expect(agent(f).dropReason).toMatch(/does not start/);
  });

  it("flowc's own kind names are not Flume aliases (kafka has no alias)", () => {
    const f = read(...base.map((l) => l.replace('= memory', '= kafka')));
    expect(only(f, 'FLOW130').help).toEqual(['write the class name `org.apache.flume.channel.kafka.KafkaChannel`']);
  });

  it('drops a component without type (FLOW122)', () => {
    const f = read(...base, 'a1.sinks = k1 k2', 'a1.sinks.k2.channel = c1');
    expect(codes(f)).toContain('FLOW122@12');
    expect(active(agent(f).sinks)).toEqual(['k1']);
  });
});

describe('lists and components', () => {
  it('ignores a configured component that its agent does not list (FLOW120)', () => {
    const f = read(...base, 'a1.sinks.k2.type = logger', 'a1.sinks.k2.channel = c1');
    expect(codes(f)).toEqual(['FLOW120@11']);
    const k2 = agent(f).sinks.find((k) => k.name === 'k2')!;
    expect(k2.active).toBe(false);
    expect(k2.dropReason).toBe('not in `a1.sinks`');
  });

  it('drops a listed component without properties (FLOW121), pointing at its name in the list', () => {
    const f = read(...base.map((l) => (l === 'a1.sinks = k1' ? 'a1.sinks = k1 k2' : l)));
    const d = only(f, 'FLOW121');
    expect(d.span!.start).toMatchObject({ line: 3, col: 15 });
    expect(d.span!.end.col).toBe(17);
    expect(active(agent(f).sinks)).toEqual(['k1']);
  });

  it('suggests the configured name for a listed name without properties', () => {
    const f = read(...base.map((l) => l.replace('a1.sinks = k1', 'a1.sinks = kl')));
    expect(only(f, 'FLOW121').help).toEqual(['sink `k1` is configured: did you mean `k1`?']);
    expect(only(f, 'FLOW120').help).toEqual(['`a1.sinks` lists `kl`: did you mean `k1` there?']);
  });

  it('drops a source whose channels are all inactive (FLOW124)', () => {
    const f = read(...base.map((l) => l.replace('r1.channels = c1', 'r1.channels = c2 c3')), 'a1.channels.c2.type = memory');
    expect(codes(f)).toEqual(['FLOW124@7', 'FLOW120@11']);
    expect(active(agent(f).sources)).toEqual([]);
    // The sink still runs: the agent is kept.
    expect(agent(f).active).toBe(true);
  });

  it('leaves an inactive channel out of a source that has others (FLOW125)', () => {
    const f = read(...base.map((l) => l.replace('r1.channels = c1', 'r1.channels = c1 c9')));
    const d = only(f, 'FLOW125');
    expect(d.span!.start).toMatchObject({ line: 7, col: 29 });
    expect(d.help).toEqual(['did you mean `c1`?']);
    expect(active(agent(f).sources)).toEqual(['r1']);
  });

  it('drops a sink without channel (FLOW126)', () => {
    const f = read(...base.filter((l) => l !== 'a1.sinks.k1.channel = c1'));
    expect(codes(f)).toEqual(['FLOW126@9']);
    expect(active(agent(f).sinks)).toEqual([]);
  });

  it('drops a sink whose channel is not active (FLOW127)', () => {
    const f = read(...base.map((l) => l.replace('k1.channel = c1', 'k1.channel = c2')), 'a1.channels.c2.type = memory');
    const d = only(f, 'FLOW127');
    expect(d.span!.start.line).toBe(10);
    expect(d.message).toContain('channel `c2` is not active (not in `a1.channels`)');
    expect(active(agent(f).sinks)).toEqual([]);
  });

  it('a sink takes one channel: a list is not a channel name (FLOW127)', () => {
    const f = read(...base.map((l) => l.replace('k1.channel = c1', 'k1.channel = c1 c1')));
    expect(only(f, 'FLOW127').message).toContain('a sink takes exactly one channel');
  });

  it('puts `a1.source.r1.type` in stray with did-you-mean (FLOW104)', () => {
    const f = read(...base.map((l) => l.replace('a1.sources.r1.type', 'a1.source.r1.type')));
    const d = only(f, 'FLOW104');
    expect(d.span!.start.line).toBe(4);
    expect(d.help).toEqual(['did you mean `a1.sources.r1.type`?']);
    expect(agent(f).stray.map((l) => l.key)).toEqual(['a1.source.r1.type']);
    // Without its type the source is dropped.
    expect(codes(f)).toContain('FLOW122@5');
  });

  it('puts a sink\'s `channels` in stray, and the sink without `channel` is dropped', () => {
    const f = read(...base.map((l) => l.replace('a1.sinks.k1.channel =', 'a1.sinks.k1.channels =')));
    expect(codes(f)).toEqual(['FLOW126@9', 'FLOW104@10']);
    expect(only(f, 'FLOW104').help).toEqual(['write `a1.sinks.k1.channel = c1`']);
    expect(only(f, 'FLOW126').help![0]).toMatch(/singular `channel`/);
    expect(agent(f).stray.map((l) => l.key)).toEqual(['a1.sinks.k1.channels']);
    expect(agent(f).sinks[0]!.props).toEqual([]);
  });

  it('drops an agent without a channels list (FLOW110)', () => {
    const f = read(...base.filter((l) => l !== 'a1.channels = c1'));
    expect(codes(f)).toEqual(['FLOW110@1', 'FLOW120@7']);
    expect(agent(f).active).toBe(false);
  });

  it('drops an agent with channels but no valid source or sink (FLOW112)', () => {
    const f = read('a1.channels = c1', 'a1.channels.c1.type = memory', 'a1.sources = r1', 'a1.sources.r1.type = netcat');
    expect(codes(f)).toEqual(['FLOW112@1', 'FLOW123@4']);
    expect(agent(f).active).toBe(false);
  });

  it('ignores lines without an agent prefix and lines with an empty value', () => {
    const f = read(...base, 'nodot = 1', '.x = 2', 'a1.sinks.k1.maxBytesToLog =');
    expect(codes(f)).toEqual(['FLOW101@11', 'FLOW101@12', 'FLOW102@13']);
    expect(f.rejected.map((r) => r.line.key)).toEqual(['nodot', '.x', 'a1.sinks.k1.maxBytesToLog']);
  });

  it('warns about a duplicate key; the last value wins', () => {
    const f = read(...base, 'a1.sources.r1.port = 5555');
    const d = only(f, 'FLOW103');
    expect(d.span!.start.line).toBe(6);
    expect(d.related![0]!.span.start.line).toBe(11);
    expect(agent(f).sources[0]!.props.find((p) => p.key === 'port')!.value).toBe('5555');
  });

  it('reports `#` after a value, which Java keeps in the value (FLOW105)', () => {
    const f = read(...base, 'a1.sinks.k1.maxBytesToLog = 16 # bytes');
    // The value is `16 # bytes`, which is not a number either.
    expect(codes(f)).toEqual(['FLOW142@11', 'FLOW105@11']);
  });
});

describe('properties of known kinds', () => {
  it('warns about an unknown property with a suggestion (FLOW140)', () => {
    const f = read(...base, 'a1.channels.c1.capacty = 1000');
    const d = only(f, 'FLOW140');
    expect(d.span!.start).toMatchObject({ line: 11, col: 1 });
    expect(d.help).toEqual(['did you mean `capacity`?']);
    expect(d.severity).toBe('warning');
  });

  it('checks selector, interceptor and processor keys against their own kinds', () => {
    const f = read(
      ...base,
      'a1.sources.r1.selector.optinal = c1',
      'a1.sources.r1.interceptors = ts',
      'a1.sources.r1.interceptors.ts.type = timestamp',
      'a1.sources.r1.interceptors.ts.headerNme = t',
    );
    expect(f.diagnostics.map((d) => d.help![0])).toEqual(['did you mean `selector.optional`?', 'did you mean `interceptors.ts.headerName`?']);
  });
});

describe('interceptors and selectors', () => {
  it('ignores a configured interceptor that is not listed (FLOW150)', () => {
    const f = read(...base, 'a1.sources.r1.interceptors.ts.type = timestamp');
    expect(codes(f)).toEqual(['FLOW150@11']);
    const i = agent(f).sources[0]!.interceptors[0]!;
    expect(i).toMatchObject({ name: 'ts', type: 'timestamp', active: false });
  });

  it('drops the source when a listed interceptor has no type (FLOW151)', () => {
    const f = read(...base, 'a1.sources.r1.interceptors = ts', 'a1.sources.r1.interceptors.ts.headerName = t');
    expect(codes(f)).toEqual(['FLOW151@11']);
    expect(active(agent(f).sources)).toEqual([]);
    // The channel still feeds the sink, so the agent runs.
    expect(agent(f).active).toBe(true);
  });

  it('keeps interceptors in list order', () => {
    const f = read(...base, 'a1.sources.r1.interceptors = b a', 'a1.sources.r1.interceptors.a.type = host', 'a1.sources.r1.interceptors.b.type = timestamp');
    expect(agent(f).sources[0]!.interceptors.map((i) => [i.name, i.type])).toEqual([
      ['b', 'timestamp'],
      ['a', 'host'],
    ]);
  });

  it('drops a source with a load_balancing selector: Flume 1.11 cannot configure it (FLOW131)', () => {
    const f = read(...base, 'a1.sources.r1.selector.type = load_balancing');
    expect(codes(f)).toEqual(['FLOW131@11']);
    expect(active(agent(f).sources)).toEqual([]);
  });

  it('drops a source whose multiplexing selector names a foreign channel (FLOW152)', () => {
    const f = read(...base, 'a1.sources.r1.selector.type = multiplexing', 'a1.sources.r1.selector.header = h', 'a1.sources.r1.selector.mapping.x = c1 c2');
    expect(codes(f)).toEqual(['FLOW152@13']);
    expect(active(agent(f).sources)).toEqual([]);
  });

  it('multiplexing lists are split on single spaces: two spaces drop the source', () => {
    const f = read(...base.map((l) => l.replace('= c1', '= c1 c2')).map((l) => (l.startsWith('a1.sinks.k1.channel') ? 'a1.sinks.k1.channel = c1' : l)), 'a1.channels.c2.type = memory', 'a1.sources.r1.selector.type = multiplexing', 'a1.sources.r1.selector.default = c1  c2');
    expect(only(f, 'FLOW152').message).toContain('two spaces in a row');
  });
});

describe('sink groups', () => {
  const groups = [
    ...base.map((l) => (l === 'a1.sinks = k1' ? 'a1.sinks = k1 k2 k3' : l)),
    'a1.sinks.k2.type = logger',
    'a1.sinks.k2.channel = c1',
    'a1.sinks.k3.type = logger',
    'a1.sinks.k3.channel = c1',
  ];

  it('gives a sink claimed by two groups to the first group in Java hash order (FLOW164)', () => {
    const f = read(
      ...groups,
      'a1.sinkgroups = second first',
      'a1.sinkgroups.first.sinks = k1 k2',
      'a1.sinkgroups.first.processor.type = failover',
      'a1.sinkgroups.second.sinks = k3 k2',
      'a1.sinkgroups.second.processor.type = load_balance',
    );
    const d = only(f, 'FLOW164');
    expect(d.span!.start).toMatchObject({ line: 18, col: 33 });
    expect(d.message).toBe('sink `k2` is already in sink group `first`, so Flume leaves it out of `second`');
    const g = agent(f).sinkgroups;
    expect(g.find((x) => x.name === 'first')!.effectiveSinks).toEqual(['k1', 'k2']);
    expect(g.find((x) => x.name === 'second')!.effectiveSinks).toEqual(['k3']);
  });

  it('orders group sinks the way Flume hands them to the processor', () => {
    const f = read(...groups, 'a1.sinkgroups = g1', 'a1.sinkgroups.g1.sinks = k3 k2 k1', 'a1.sinkgroups.g1.processor.type = failover');
    expect(agent(f).sinkgroups[0]!.sinks).toEqual(['k3', 'k2', 'k1']);
    expect(agent(f).sinkgroups[0]!.effectiveSinks).toEqual(['k1', 'k2', 'k3']);
    // Checked against java.util.HashSet on a JVM.
    expect(javaHashSetOrder(['sink1', 'sink2'])).toEqual(['sink2', 'sink1']);
    expect(javaHashSetOrder(['k3', 'k2', 'sink10', 'sink2', 'sink1'], true)).toEqual(['k2', 'k3', 'sink10', 'sink2', 'sink1']);
  });

  it('a group without `sinks` makes Flume fail on the whole file (FLOW162)', () => {
    const f = read(...groups, 'a1.sinkgroups = g1', 'a1.sinkgroups.g1.processor.type = failover', 'a2.channels = c', 'a2.channels.c.type = memory', 'a2.sinks = k', 'a2.sinks.k.type = null', 'a2.sinks.k.channel = c');
    expect(codes(f)).toEqual(['FLOW162@16']);
    expect(f.agents.map((a) => a.active)).toEqual([false, false]);
  });

  it('a group without `processor.type` does not run, and neither do its sinks (FLOW166)', () => {
    const f = read(...groups, 'a1.sinkgroups = g1', 'a1.sinkgroups.g1.sinks = k1 k2');
    expect(codes(f)).toEqual(['FLOW166@16']);
    expect(active(agent(f).sinks)).toEqual(['k3']);
    expect(agent(f).sinkgroups[0]!.active).toBe(false);
  });

  it('leaves an inactive sink out of a group (FLOW163) and drops an empty group (FLOW165)', () => {
    const f = read(...groups, 'a1.sinkgroups = g1', 'a1.sinkgroups.g1.sinks = k9', 'a1.sinkgroups.g1.processor.type = failover');
    expect(codes(f)).toEqual(['FLOW163@16', 'FLOW165@16']);
    expect(agent(f).sinkgroups[0]!.active).toBe(false);
  });
});

describe('what Flume drops when it starts the agent', () => {
  it('removes a sink whose batch is larger than its channel transaction (FLOW170)', () => {
    const f = read(...base.map((l) => l.replace('type = logger', 'type = hdfs')), 'a1.sinks.k1.hdfs.path = /x', 'a1.sinks.k1.hdfs.batchSize = 1000');
    expect(codes(f)).toEqual(['FLOW170@12']);
    expect(active(agent(f).sinks)).toEqual([]);
    // The source still writes to the channel, so the channel stays.
    expect(active(agent(f).channels)).toEqual(['c1']);
  });

  it('counts the default batch size too: a hive sink takes 15000 by default', () => {
    const f = read(
      ...base.filter((l) => !l.startsWith('a1.sources')).map((l) => l.replace('type = logger', 'type = hive')),
      'a1.sinks.k1.hive.metastore = thrift://127.0.0.1:9083',
      'a1.sinks.k1.hive.database = logs',
      'a1.sinks.k1.hive.table = events',
      'a1.sinks.k1.serializer = DELIMITED',
    );
    expect(only(f, 'FLOW170').label).toBe('default batchSize is 15000');
    // Without its only sink the channel is idle, and then the agent has nothing left.
    expect(codes(f)).toContain('FLOW171@3');
  });

  it('drops a sink whose configure() lacks a required property (FLOW133)', () => {
    const f = read(...base.map((l) => l.replace('type = logger', 'type = avro')));
    expect(only(f, 'FLOW133').message).toContain('lacks the required `hostname`, `port`');
    expect(active(agent(f).sinks)).toEqual([]);
  });

  it('removes a channel that nothing is connected to (FLOW171)', () => {
    const f = read(...base.map((l) => l.replace('a1.channels = c1', 'a1.channels = c1 c2')), 'a1.channels.c2.type = memory');
    expect(codes(f)).toEqual(['FLOW171@11']);
    expect(active(agent(f).channels)).toEqual(['c1']);
  });
});

describe('config filters', () => {
  it('reads config filters and keeps their placeholders verbatim', () => {
    const f = read(...base, 'a1.configfilters = f1', 'a1.configfilters.f1.type = env', "a1.sinks.k1.maxBytesToLog = ${f1['BYTES']}");
    expect(f.diagnostics).toEqual([]);
    expect(agent(f).configfilters[0]).toMatchObject({ name: 'f1', type: 'env', active: true });
    expect(agent(f).sinks[0]!.props[0]!.value).toBe("${f1['BYTES']}");
  });

  it('warns about a placeholder no filter replaces (FLOW180)', () => {
    const f = read(...base, 'a1.sinks.k1.maxBytesToLog = ${f2[BYTES]}');
    expect(codes(f)).toEqual(['FLOW180@11']);
  });
});

describe('file level', () => {
  it('computes offsets for spans, also after CRLF line ends', () => {
    const text = 'a1.sources = r1\r\na1.sinks.k1.type = logger\r\n';
    const f = readFlumeConfig(text, 'x.properties');
    const d = f.diagnostics.find((x) => x.code === 'FLOW120')!;
    expect(d.span!.file).toBe('x.properties');
    expect(d.span!.start).toEqual({ line: 2, col: 1, offset: text.indexOf('a1.sinks') });
    expect(d.span!.end.offset).toBe(text.indexOf(' = logger'));
  });

  it('reads Latin-1 bytes', () => {
    const bytes = Buffer.from(`${base.join('\n')}\na1.sources.r1.bind = caf\xe9\n`, 'latin1');
    const f = readFlumeConfig(bytes, 'latin1.properties');
    expect(agent(f).sources[0]!.props.find((p) => p.key === 'bind')!.value).toBe('café');
  });

  it('a malformed \\u escape makes Java load nothing (FLOW100)', () => {
    const f = read(...base, 'a1.sinks.k1.maxBytesToLog = \\u12');
    expect(codes(f)).toContain('FLOW100@11');
    expect(agent(f).active).toBe(false);
  });
});

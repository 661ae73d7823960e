// The effective configuration, its differences, and `flowc diff` as a user runs it (the built
// CLI in a child process, on real temp files; run `npx tsc -p tsconfig.json` first).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffEffective, renderDifferences } from '../compiler/flume/diff.js';
import { effectiveConfig } from '../compiler/flume/effective.js';
import { readFlumeConfig } from '../compiler/flume/read-config.js';
import { flowc } from './helpers/cli.js';

const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
const effective = (...lines: string[]) => effectiveConfig(readFlumeConfig(`${lines.join('\n')}\n`, 'x.properties'));

const base = [
  'a1.sources = r1',
  'a1.channels = c1 c2',
  'a1.sinks = k1 k2',
  'a1.sources.r1.type = netcat',
  'a1.sources.r1.bind = 0.0.0.0',
  'a1.sources.r1.port = 44444',
  'a1.sources.r1.channels = c1 c2',
  'a1.sources.r1.interceptors = ts host',
  'a1.sources.r1.interceptors.ts.type = timestamp',
  'a1.sources.r1.interceptors.host.type = host',
  'a1.sources.r1.interceptors.host.useIP = false',
  'a1.channels.c1.type = memory',
  'a1.channels.c1.capacity = 1000',
  'a1.channels.c2.type = file',
  'a1.sinks.k1.type = logger',
  'a1.sinks.k1.channel = c1',
  'a1.sinks.k2.type = file_roll',
  'a1.sinks.k2.channel = c2',
  'a1.sinks.k2.sink.directory = /var/out',
];

/** The same agent written differently: FQCN types, other key order, comments, whitespace, other interceptor names. */
const sameAgain = [
  '# the same agent, written by someone else',
  'a1.channels   =   c2 c1',
  'a1.sinks.k2.sink.directory=/var/out   ',
  'a1.sinks = k2 k1',
  'a1.sources = r1',
  '',
  '! another comment',
  'a1.sources.r1.type = NETCAT',
  'a1.sources.r1.channels = c2 c1',
  'a1.sources.r1.port : 44444',
  'a1.sources.r1.bind 0.0.0.0',
  'a1.sources.r1.selector.type = replicating',
  'a1.sources.r1.interceptors = first second',
  'a1.sources.r1.interceptors.first.type = org.apache.flume.interceptor.TimestampInterceptor$Builder',
  'a1.sources.r1.interceptors.second.type = HOST',
  'a1.sources.r1.interceptors.second.useIP = false',
  'a1.channels.c1.type = org.apache.flume.channel.MemoryChannel',
  'a1.channels.c1.capacity = 1000',
  'a1.channels.c2.type = FILE',
  'a1.sinks.k1.type = org.apache.flume.sink.LoggerSink',
  'a1.sinks.k1.channel = c1',
  'a1.sinks.k2.type = FILE_ROLL',
  'a1.sinks.k2.channel = c2',
];

describe('effectiveConfig', () => {
  it('normalises types to class names and sorts channels', () => {
    const e = effective(...base);
    const r1 = e.agents.a1!.sources.r1!;
    expect(r1.type).toBe('org.apache.flume.source.NetcatSource');
    expect(r1.channels).toEqual(['c1', 'c2']);
    expect(r1.selector).toEqual({ type: 'org.apache.flume.channel.ReplicatingChannelSelector', props: {} });
    expect(r1.interceptors).toEqual([
      { type: 'org.apache.flume.interceptor.TimestampInterceptor$Builder', props: {} },
      { type: 'org.apache.flume.interceptor.HostInterceptor$Builder', props: { useIP: 'false' } },
    ]);
    expect(r1.props).toEqual({ bind: '0.0.0.0', port: '44444' });
    expect(e.agents.a1!.sinks.k2).toEqual({ type: 'org.apache.flume.sink.RollingFileSink', props: { 'sink.directory': '/var/out' }, channel: 'c2' });
  });

  it('is the same for the same agent written differently', () => {
    expect(effective(...sameAgain)).toEqual(effective(...base));
    expect(diffEffective(effective(...base), effective(...sameAgain))).toEqual([]);
  });

  it('does not fill in defaults', () => {
    const e = effective(...base);
    expect(e.agents.a1!.channels.c1!.props).toEqual({ capacity: '1000' });
    expect(e.agents.a1!.channels.c2!.props).toEqual({});
  });

  it('leaves out what Flume drops', () => {
    const e = effective(...base, 'a1.sinks.k3.type = logger', 'a1.sinks.k3.channel = c1', 'a1.sources.r1.interceptors.unused.type = host');
    expect(Object.keys(e.agents.a1!.sinks)).toEqual(['k1', 'k2']);
    expect(e.agents.a1!.sources.r1!.interceptors).toHaveLength(2);
    expect(effective('a1.sources = r1', 'a1.sources.r1.type = seq')).toEqual({ agents: {} });
  });

  it('is plain JSON', () => {
    const e = effective(...base, 'a1.sinkgroups = g', 'a1.sinkgroups.g.sinks = k2 k1', 'a1.sinkgroups.g.processor.type = failover', 'a1.sinkgroups.g.processor.priority.k1 = 10');
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    expect(e.agents.a1!.sinkgroups.g).toEqual({
      sinks: ['k1', 'k2'],
      processor: { type: 'org.apache.flume.sink.FailoverSinkProcessor', props: { 'priority.k1': '10' } },
    });
  });
});

describe('diffEffective', () => {
  it('reports a changed value, an added sink and a removed interceptor, sorted by path', () => {
    const changed = base
      .map((l) => l.replace('port = 44444', 'port = 5555'))
      .map((l) => l.replace('interceptors = ts host', 'interceptors = host'))
      .map((l) => l.replace('a1.sinks = k1 k2', 'a1.sinks = k1 k2 k3'));
    const diffs = diffEffective(effective(...base), effective(...changed, 'a1.sinks.k3.type = null', 'a1.sinks.k3.channel = c1'));
    expect(diffs).toEqual([
      { path: 'a1.sinks.k3', kind: 'added', after: 'org.apache.flume.sink.NullSink' },
      { path: 'a1.sources.r1.interceptors[0]', kind: 'removed', before: 'org.apache.flume.interceptor.TimestampInterceptor$Builder' },
      { path: 'a1.sources.r1.port', kind: 'changed', before: '44444', after: '5555' },
    ]);
    expect(renderDifferences(diffs, { color: false })).toBe(
      [
        'agent a1',
        '  + sinks.k3 = org.apache.flume.sink.NullSink',
        '  - sources.r1.interceptors[0] = org.apache.flume.interceptor.TimestampInterceptor$Builder',
        '  - sources.r1.port = 44444',
        '  + sources.r1.port = 5555',
      ].join('\n'),
    );
  });

  it('compares interceptors of equal count place by place', () => {
    const other = base.map((l) => l.replace('host.useIP = false', 'host.useIP = true'));
    expect(diffEffective(effective(...base), effective(...other))).toEqual([
      { path: 'a1.sources.r1.interceptors[1].useIP', kind: 'changed', before: 'false', after: 'true' },
    ]);
  });

  it('reports whole agents added or removed', () => {
    const a2 = ['a2.channels = c', 'a2.channels.c.type = memory', 'a2.sinks = k', 'a2.sinks.k.type = null', 'a2.sinks.k.channel = c'];
    const diffs = diffEffective(effective(...base), effective(...base, ...a2));
    expect(diffs).toEqual([{ path: 'a2', kind: 'added', after: '0 sources, 1 channel, 1 sink' }]);
    expect(renderDifferences(diffs, { color: false })).toBe('+ agent a2 (0 sources, 1 channel, 1 sink)');
    expect(renderDifferences(diffs, { color: true })).toContain('\u001b[32m');
  });
});

describe('flowc diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowc-diff-'));
  const file = (name: string, lines: string[] | string) => {
    const path = join(dir, name);
    writeFileSync(path, Array.isArray(lines) ? `${lines.join('\n')}\n` : lines);
    return path;
  };
  const a = file('a.properties', base);

  it('exits 0 for the same configuration written differently', () => {
    const r = flowc(['diff', a, file('same.properties', sameAgain)]);
    expect(r.stdout).toContain('no differences');
    expect(r.status).toBe(0);
  });

  it('exits 1 and prints -/+ lines grouped by agent when they differ', () => {
    const b = file('b.properties', [
      ...base.map((l) => l.replace('port = 44444', 'port = 5555').replace('interceptors = ts host', 'interceptors = host').replace('a1.sinks = k1 k2', 'a1.sinks = k1 k2 k3')),
      'a1.sinks.k3.type = null',
      'a1.sinks.k3.channel = c1',
    ]);
    const r = flowc(['diff', a, b]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        'agent a1',
        '  + sinks.k3 = org.apache.flume.sink.NullSink',
        '  - sources.r1.interceptors[0] = org.apache.flume.interceptor.TimestampInterceptor$Builder',
        '  - sources.r1.port = 44444',
        '  + sources.r1.port = 5555',
        '',
        '3 differences',
        '',
      ].join('\n'),
    );
  });

  it('prints { equal, differences } with --format json', () => {
    const b = file('json.properties', base.map((l) => l.replace('capacity = 1000', 'capacity = 2000')));
    const r = flowc(['diff', '--format', 'json', a, b]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      equal: false,
      differences: [{ path: 'a1.channels.c1.capacity', kind: 'changed', before: '1000', after: '2000' }],
    });
    const same = flowc(['diff', '--format', 'json', a, a]);
    expect(JSON.parse(same.stdout)).toEqual({ equal: true, differences: [] });
    expect(same.status).toBe(0);
  });

  it('compares a .flow file with the properties it compiles to', () => {
    const r = flowc(['diff', 'examples/quickstart.flow', 'test/golden/properties/quickstart/quickstart.properties']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('no differences');
    expect(r.status).toBe(0);
  });

  it('sees a change between a .flow file and a properties file', () => {
    const golden = 'test/golden/properties/quickstart/quickstart.properties';
    const edited = file('quickstart.properties', `${readFileSync(golden, 'utf8')}quickstart.channels.to_files.capacity = 20000\n`);
    const r = flowc(['diff', '--format', 'json', 'examples/quickstart.flow', edited]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).differences).toEqual([
      { path: 'quickstart.channels.to_files.capacity', kind: 'changed', before: '10000', after: '20000' },
    ]);
  });

  it('restricts the comparison to one agent with --agent', () => {
    const two = file('two.properties', [...base, 'a2.channels = c', 'a2.channels.c.type = memory', 'a2.sinks = k', 'a2.sinks.k.type = null', 'a2.sinks.k.channel = c']);
    expect(flowc(['diff', a, two]).status).toBe(1);
    expect(flowc(['diff', '--agent', 'a1', a, two]).status).toBe(0);
    const missing = flowc(['diff', '--agent', 'nope', a, two]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no active agent `nope`');
  });

  it('explains on stderr what Flume drops from a properties file', () => {
    const r = flowc(['diff', a, file('typo.properties', [...base, 'a1.sinks.k1.channels = c1'])]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warning[FLOW104]');
    expect(r.stderr).toContain('typo.properties:20:1');
  });

  it('exits 2 with a one-line message for a missing file', () => {
    const r = flowc(['diff', a, join(dir, 'missing.properties')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error[FLOW090]: cannot read \`${join(dir, 'missing.properties')}\`: no such file or folder`]);
    expect(r.stdout).toBe('');
    noStackTrace(r.stderr);
  });

  it('exits 2 for a binary file and for a folder', () => {
    const bin = join(dir, 'bin.properties');
    writeFileSync(bin, Buffer.from([0x61, 0x00, 0x62]));
    const r = flowc(['diff', a, bin]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a text file');
    const folder = flowc(['diff', a, dir]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain('it is a folder');
    noStackTrace(r.stderr + folder.stderr);
  });

  it('exits 2 when a .flow file does not compile', () => {
    const broken = file('broken.flow', 'agent a1 {\n  channel c1 : memroy {}\n}\n');
    const r = flowc(['diff', broken, a]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[FLOW020]');
    expect(r.stdout).toBe('');
  });

  it('exits 2 on a usage mistake', () => {
    const r = flowc(['diff', a]);
    expect(r.status).toBe(2);
    noStackTrace(r.stderr);
  });
});

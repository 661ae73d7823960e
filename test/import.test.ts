// `flowc import`, as users run it on their old flume.properties: real files, the built CLI.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText } from '../compiler/program.js';
import { flowc } from './helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'flowc-import-'));

const legacy = `# Web tier collector, maintained by ops.
collector.sources = web
collector.channels = hot cold
collector.sinks = alerts archive_a archive_b
collector.sinkgroups = archivers

# HTTP in, routed by level
collector.sources.web.type = http
collector.sources.web.port = 8080
collector.sources.web.channels = hot cold
collector.sources.web.interceptors = ts tag
collector.sources.web.interceptors.ts.type = timestamp
collector.sources.web.interceptors.tag.type = static
collector.sources.web.interceptors.tag.key = tier
collector.sources.web.interceptors.tag.value = web
collector.sources.web.selector.type = multiplexing
collector.sources.web.selector.header = level
collector.sources.web.selector.mapping.ERROR = hot cold
collector.sources.web.selector.default = cold

collector.channels.hot.type = memory
collector.channels.hot.capacity = 100000
collector.channels.hot.keep-alive = 30
collector.channels.cold.type = FILE
collector.channels.cold.checkpointDir = /data/ckpt
collector.channels.cold.dataDirs = /data/d1,/data/d2

collector.sinks.alerts.type = logger
collector.sinks.alerts.channel = hot

# Two HDFS writers share the archive load
collector.sinks.archive_a.type = hdfs
collector.sinks.archive_a.channel = cold
collector.sinks.archive_a.hdfs.path = /logs/%Y-%m-%d
collector.sinks.archive_a.hdfs.rollInterval = 300
collector.sinks.archive_a.hdfs.rollSize = 134217728
collector.sinks.archive_b.type = hdfs
collector.sinks.archive_b.channel = cold
collector.sinks.archive_b.hdfs.path = /logs/%Y-%m-%d
collector.sinks.archive_b.hdfs.rolInterval = 600

collector.sinkgroups.archivers.sinks = archive_a archive_b
collector.sinkgroups.archivers.processor.type = failover
collector.sinkgroups.archivers.processor.priority.archive_a = 10
collector.sinkgroups.archivers.processor.priority.archive_b = 5
collector.sinkgroups.archivers.processor.maxpenalty = 20000

# left over from an old setup
collector.sources.old.type = netcat
collector.sources.old.port = 9999
collector.sources.old.channels = hot
collector.source.typo.type = seq
`;

function importText(text: string, args: string[] = []) {
  const dir = tmp();
  const input = join(dir, 'collector.properties');
  writeFileSync(input, text);
  const out = join(dir, 'collector.flow');
  const r = flowc(['import', input, '-o', out, ...args]);
  return { ...r, dir, input, out, flow: existsSync(out) ? readFileSync(out, 'utf8') : '' };
}

describe('flowc import', () => {
  const r = importText(legacy);

  it('writes a .flow that checks clean and means the same to Flume', () => {
    expect(r.status).toBe(0);
    expect(compileText(r.flow, r.out).errorCount).toBe(0);
    const diff = flowc(['diff', r.input, r.out]);
    expect(diff.stdout).toContain('no differences');
    expect(diff.status).toBe(0);
  });

  it('uses units, routes, groups and pipes', () => {
    expect(r.flow).toContain('keep-alive = 30s');
    expect(r.flow).toContain('hdfs.rollInterval = 5m');
    expect(r.flow).toContain('hdfs.rollSize = 128MB');
    expect(r.flow).toContain('capacity = 100_000');
    expect(r.flow).toMatch(/web \| ts \| tag -> route header "level" \{\s+"ERROR" -> hot, cold\s+default -> cold\s+\}/);
    expect(r.flow).toContain('interceptor ts : timestamp');
    expect(r.flow).toMatch(/cold -> failover archivers \{ archive_a: 10, archive_b: 5 \} with \{ maxpenalty = 20s \}/);
    expect(r.flow).toContain('interceptor tag : static { key = "tier", value = "web" }');
  });

  it('keeps comments next to what they described', () => {
    expect(r.flow).toMatch(/\/\/ HTTP in, routed by level\n\s+source web : http/);
    expect(r.flow).toMatch(/\/\/ Two HDFS writers share the archive load\n\s+sink archive_a : hdfs/);
    expect(r.flow).toContain('// Web tier collector, maintained by ops.');
  });

  it('keeps what Flume ignores as commented lines that say why', () => {
    expect(r.flow).toMatch(/source old is not imported: .*not in `collector\.sources`/);
    expect(r.flow).toContain('//   collector.sources.old.port = 9999');
    expect(r.flow).toContain('collector.source.typo.type = seq');
  });

  it('passes unknown properties through and warns with a suggestion', () => {
    expect(r.flow).toContain('hdfs.rolInterval = 600');
    expect(r.stderr).toMatch(/warning\[FLOW140\][^\n]*hdfs\.rolInterval/);
    expect(r.stderr).toContain('did you mean `hdfs.rollInterval`?');
    expect(r.stderr).toMatch(/warning\[FLOW104\][^\n]*collector\.source\.typo\.type/);
    expect(r.stderr).toContain('--> ');
  });

  it('passes custom classes through with a warning', () => {
    const c = importText(legacy.replace('collector.sinks.alerts.type = logger', 'collector.sinks.alerts.type = com.acme.flume.PagerSink\ncollector.sinks.alerts.team = oncall'));
    expect(c.status).toBe(0);
    expect(c.flow).toContain('sink alerts : "com.acme.flume.PagerSink" { team = "oncall" }');
    expect(c.stderr).toMatch(/warning\[FLOW141\][^\n]*custom class/);
  });

  it('imports one agent with --agent, and explains an unknown one', () => {
    const two = `${legacy}\nedge.sources = s\nedge.channels = c\nedge.sources.s.type = seq\nedge.sources.s.channels = c\nedge.channels.c.type = memory\n`;
    const only = importText(two, ['--agent', 'edge']);
    expect(only.status).toBe(0);
    expect(only.flow).toContain('agent edge');
    expect(only.flow).not.toContain('agent collector');
    const missing = importText(two, ['--agent', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('has no agent named `nope`');
    expect(missing.stderr).toContain('collector, edge');
  });

  it('prints to standard output without -o', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.properties'), 'a.sources = s\na.channels = c\na.sources.s.type = seq\na.sources.s.channels = c\na.channels.c.type = memory\n');
    const out = flowc(['import', join(dir, 'a.properties')]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('agent a {');
  });

  it('converts a folder, file by file', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'one.properties'), 'a.sources = s\na.channels = c\na.sources.s.type = seq\na.sources.s.channels = c\na.channels.c.type = memory\n');
    writeFileSync(join(dir, 'nested', 'two.properties'), 'b.sources = s\nb.channels = c\nb.sources.s.type = seq\nb.sources.s.channels = c\nb.channels.c.type = memory\n');
    const out = join(dir, 'out');
    const res = flowc(['import', dir, '-o', out]);
    expect(res.status).toBe(0);
    expect(readFileSync(join(out, 'one.flow'), 'utf8')).toContain('agent a {');
    expect(readFileSync(join(out, 'nested', 'two.flow'), 'utf8')).toContain('agent b {');
  });
});

describe('flowc import on bad input', () => {
  const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);

  it('text that is not a Flume configuration', () => {
    const r = importText('Dear diary,\nToday I configured nothing at all.\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('defines no Flume agent');
    expect(existsSync(r.out)).toBe(false);
    noStackTrace(r.stderr);
  });

  it('a key holding a carriage return (`\\r`), quoted in a comment of the .flow, ends no comment (found by the fuzzer)', () => {
    const r = importText(['a1.sources = r1', 'a1.channels = c1', 'a1.sinks = k1', 'a1.sources.r1.type = netcat', 'a1.sources.r1.bind = 127.0.0.1', 'a1.sources.r1.port = 4444',
      'a1.sources.r1.channels = c1', 'a1.channels.c1.type = memory', 'a1.sinks.k1.type = logger', 'a1.sinks.k1.channel = c1', 'a\\r1.sources.r1.channels = c1', ''].join('\n'));
    // The agent named "a<CR>1" has no channels list (an error: Flume drops it), and is dropped and its line quoted with the escape as the file wrote it.
    expect(r.flow).toContain('//   a\\r1.sources.r1.channels = c1');
    expect(r.flow).not.toContain('\r');
    const check = flowc(['check', r.out]);
    expect(check.stdout + check.stderr).toContain('no errors');
    expect(check.status).toBe(0);
  });

  it('a binary file', () => {
    const r = importText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0]).toString('latin1'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a text file');
    expect(existsSync(r.out)).toBe(false);
  });

  it('a 50 MB file', () => {
    const dir = tmp();
    const input = join(dir, 'huge.properties');
    const line = 'a1.sources.r1.some.property.with.a.long.name = and a fairly long value too\n';
    writeFileSync(input, line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)));
    const res = flowc(['import', input, '-o', join(dir, 'huge.flow')]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('larger than the 32 MB flowc reads');
    expect(existsSync(join(dir, 'huge.flow'))).toBe(false);
  });

  it('an unreadable path', () => {
    const res = flowc(['import', join(tmp(), 'missing.properties')]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('no such file or folder');
    noStackTrace(res.stderr);
  });

  it('never leaves a half-written file: the old output stays until the new one is complete', () => {
    const dir = tmp();
    const out = join(dir, 'blocked', 'x.flow');
    writeFileSync(join(dir, 'blocked'), 'a file where a folder should be');
    writeFileSync(join(dir, 'a.properties'), 'a.sources = s\na.channels = c\na.sources.s.type = seq\na.sources.s.channels = c\na.channels.c.type = memory\n');
    const res = flowc(['import', join(dir, 'a.properties'), '-o', out]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('cannot write');
    expect(readFileSync(join(dir, 'blocked'), 'utf8')).toBe('a file where a folder should be');
  });
});

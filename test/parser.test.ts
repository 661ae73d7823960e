import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type {
  AgentDecl,
  Block,
  ComponentDecl,
  Entry,
  Expr,
  FlowFile,
  FlowStmt,
  GroupStage,
  LetDecl,
  RouteStage,
  TargetList,
} from '../grammar/ast.js';
import { parseFlow } from '../grammar/index.js';

// ---- Helpers ------------------------------------------------------------------------------

function parseOk(text: string): FlowFile {
  const { file, diagnostics } = parseFlow(text, 'test.flow');
  expect(diagnostics).toEqual([]);
  return file;
}

function agent(file: FlowFile, name: string): AgentDecl {
  const found = file.items.find((i): i is AgentDecl => i.kind === 'Agent' && i.name.name === name);
  if (!found) throw new Error(`no agent ${name}`);
  return found;
}

function component(a: AgentDecl, name: string): ComponentDecl {
  const found = a.items.find((i): i is ComponentDecl => i.kind === 'Component' && i.name.name === name);
  if (!found) throw new Error(`no component ${name}`);
  return found;
}

function flows(a: AgentDecl): FlowStmt[] {
  return a.items.filter((i): i is FlowStmt => i.kind === 'Flow');
}

function entry(block: Block | undefined, key: string): Entry {
  const found = block?.entries.find((e) => e.key.text === key);
  if (!found) throw new Error(`no entry ${key}`);
  return found;
}

/** The value of the first entry of a one-component agent. */
function valueOf(source: string): Expr | Block {
  const file = parseOk(`agent a { source s : x { v = ${source} } }`);
  return (file.items[0] as AgentDecl).items.map((i) => (i as ComponentDecl).body!.entries[0]!.value)[0]!;
}

/** Strips spans, for comparing structure. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'span' || k === 'policySpan' || k === 'defaultSpan' ? undefined : v)));
}

const sketch = `// Edge agents receive application logs and forward them to a collector.
let dataRoot = "/var/lib/flume"

agent edge on "edge-1.example.com" {
  source app : taildir {
    positionFile = dataRoot + "/taildir_position.json"
    filegroups { app = "/var/log/app/.*\\\\.log" }   // or a raw string: r"/var/log/app/.*\\.log"
    fileHeader = true
  }

  channel buf : file {
    checkpointDir = dataRoot + "/checkpoint"
    dataDirs = [dataRoot + "/data"]
    capacity = 1_000_000
    transactionCapacity = 10_000
  }

  sink up_a : avro { to = collector.rpc, batch-size = 500 }   // host and port come from the target
  sink up_b : avro { hostname = "collector-2.example.com", port = 4545 }

  app | timestamp | host { useIP = false } -> buf
  buf -> failover { up_a: 10, up_b: 5 } with { maxpenalty = 30s }
}

agent collector on "collector.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4545 }

  channel hot  : memory { capacity = 100_000, transactionCapacity = 1_000 }
  channel cold : file   { checkpointDir = "/data/ckpt", dataDirs = ["/data/log"] }

  sink errors  : logger
  sink archive : hdfs {
    hdfs.path = "hdfs://nn/logs/%{service}/%Y-%m-%d"
    hdfs.rollInterval = 5m        // compiled to seconds, the unit Flume expects
    hdfs.rollSize = 128MB         // compiled to bytes
    hdfs.fileType = DataStream    // enum: checked against the allowed values
  }

  rpc -> route header "level" {
    "ERROR" -> hot, cold
    "DEBUG" -> cold?              // \`?\` marks an optional channel
    default -> cold
  }
  hot -> errors
  cold -> archive
}
`;

// ---- The sketch ---------------------------------------------------------------------------

describe('the LANGUAGE.md sketch', () => {
  const file = parseOk(sketch);

  it('has a constant and two agents with their hosts', () => {
    expect(file.items.map((i) => `${i.kind} ${i.name.name}`)).toEqual(['Let dataRoot', 'Agent edge', 'Agent collector']);
    expect(shape((file.items[0] as LetDecl).value)).toEqual({ kind: 'String', value: '/var/lib/flume', raw: false });
    expect(shape(agent(file, 'edge').host)).toEqual({ kind: 'String', value: 'edge-1.example.com', raw: false });
    expect(shape(agent(file, 'collector').host)).toEqual({ kind: 'String', value: 'collector.example.com', raw: false });
  });

  it('declares the components with roles, kinds and properties', () => {
    const edge = agent(file, 'edge');
    const decls = edge.items.filter((i): i is ComponentDecl => i.kind === 'Component');
    expect(decls.map((c) => `${c.role} ${c.name.name} : ${c.type.name}`)).toEqual([
      'source app : taildir',
      'channel buf : file',
      'sink up_a : avro',
      'sink up_b : avro',
    ]);
    const app = component(edge, 'app');
    expect(shape(entry(app.body, 'positionFile').value)).toEqual({
      kind: 'Concat',
      left: { kind: 'Ref', path: [{ kind: 'Ident', name: 'dataRoot' }], text: 'dataRoot' },
      right: { kind: 'String', value: '/taildir_position.json', raw: false },
    });
    expect(shape(entry(app.body, 'filegroups').value)).toEqual({
      kind: 'Block',
      entries: [
        {
          kind: 'Entry',
          key: { kind: 'KeyPath', segments: [{ kind: 'Ident', name: 'app' }], text: 'app' },
          value: { kind: 'String', value: '/var/log/app/.*\\.log', raw: false },
        },
      ],
    });
    expect(shape(entry(app.body, 'fileHeader').value)).toEqual({ kind: 'Bool', value: true });
    const buf = component(edge, 'buf');
    expect(shape(entry(buf.body, 'capacity').value)).toEqual({ kind: 'Number', value: 1_000_000, text: '1_000_000', isInteger: true });
    expect(entry(buf.body, 'dataDirs').value.kind).toBe('List');
    const upA = component(edge, 'up_a');
    expect(shape(entry(upA.body, 'to').value)).toEqual({
      kind: 'Ref',
      path: [
        { kind: 'Ident', name: 'collector' },
        { kind: 'Ident', name: 'rpc' },
      ],
      text: 'collector.rpc',
    });
    expect(shape(entry(upA.body, 'batch-size').value)).toMatchObject({ kind: 'Number', value: 500 });
    const errors = component(agent(file, 'collector'), 'errors');
    expect(errors.body).toBeUndefined();
  });

  it('reads a pipe of interceptors, with an inline block', () => {
    const [pipe] = flows(agent(file, 'edge'));
    expect(pipe!.head.name).toBe('app');
    expect(pipe!.interceptors.map((p) => p.target.name)).toEqual(['timestamp', 'host']);
    expect(pipe!.interceptors[0]!.body).toBeUndefined();
    expect(shape(pipe!.interceptors[1]!.body)).toMatchObject({ entries: [{ key: { text: 'useIP' }, value: { kind: 'Bool', value: false } }] });
    expect(shape(pipe!.stages)).toEqual([{ kind: 'Targets', targets: [{ kind: 'Target', name: { kind: 'Ident', name: 'buf' }, optional: false }] }]);
  });

  it('reads a failover group with priorities and options', () => {
    const [, grouped] = flows(agent(file, 'edge'));
    expect(grouped!.head.name).toBe('buf');
    const group = grouped!.stages[0] as GroupStage;
    expect(group.kind).toBe('Group');
    expect(group.policy).toBe('failover');
    expect(group.name).toBeUndefined();
    expect(group.members.map((m) => [m.name.name, m.priority?.value])).toEqual([
      ['up_a', 10],
      ['up_b', 5],
    ]);
    expect(shape(entry(group.options, 'maxpenalty').value)).toEqual({ kind: 'Duration', amount: 30, unit: 's', millis: 30_000, text: '30s' });
  });

  it('reads the route cases, optional channels and the default', () => {
    const [routed, hot, cold] = flows(agent(file, 'collector'));
    const route = routed!.stages[0] as RouteStage;
    expect(route.kind).toBe('Route');
    expect(route.header.value).toBe('level');
    expect(
      route.cases.map((c) => [c.value?.value ?? 'default', c.targets.map((t) => t.name.name + (t.optional ? '?' : ''))]),
    ).toEqual([
      ['ERROR', ['hot', 'cold']],
      ['DEBUG', ['cold?']],
      ['default', ['cold']],
    ]);
    expect(route.cases[2]!.defaultSpan).toMatchObject({ start: { line: 42, col: 5 } });
    expect([hot, cold].map((f) => `${f!.head.name} -> ${(f!.stages[0] as TargetList).targets[0]!.name.name}`)).toEqual([
      'hot -> errors',
      'cold -> archive',
    ]);
  });

  it('reads dotted keys, units and enum names in the hdfs sink', () => {
    const archive = component(agent(file, 'collector'), 'archive');
    expect(archive.body!.entries.map((e) => e.key.text)).toEqual(['hdfs.path', 'hdfs.rollInterval', 'hdfs.rollSize', 'hdfs.fileType']);
    expect(entry(archive.body, 'hdfs.rollInterval').value).toMatchObject({ kind: 'Duration', millis: 300_000 });
    expect(entry(archive.body, 'hdfs.rollSize').value).toMatchObject({ kind: 'Size', bytes: 134_217_728 });
    expect(entry(archive.body, 'hdfs.fileType').value).toMatchObject({ kind: 'Ref', text: 'DataStream' });
  });

  it('keeps the comments aside, with their delimiters', () => {
    expect(file.comments.map((c) => c.text)).toContain('// Edge agents receive application logs and forward them to a collector.');
    expect(file.comments.map((c) => c.text)).toContain('// `?` marks an optional channel');
    expect(file.comments.every((c) => !c.block)).toBe(true);
  });
});

// ---- Forms --------------------------------------------------------------------------------

describe('blocks and keys', () => {
  it('reads nested blocks and dotted keys to the same key texts', () => {
    const nested = parseOk('agent a { sink k : hdfs { hdfs { path = "x"; rollInterval = 5m } } }');
    const dotted = parseOk('agent a { sink k : hdfs { hdfs.path = "x", hdfs.rollInterval = 5m } }');
    const outer = component(agent(nested, 'a'), 'k').body!.entries[0]!;
    expect(outer.key.text).toBe('hdfs');
    expect((outer.value as Block).entries.map((e) => e.key.text)).toEqual(['path', 'rollInterval']);
    expect(component(agent(dotted, 'a'), 'k').body!.entries.map((e) => e.key.text)).toEqual(['hdfs.path', 'hdfs.rollInterval']);
  });

  it('takes keywords, strings and integers as key segments', () => {
    const file = parseOk(`agent a {
      source s : spooldir { sink.directory = "/x"; default = 1; channel = c; selector.default = c }
      sink k : x { charset.port.5140 = "UTF-8", "odd key" = 1, group.on = true }
    }`);
    const a = agent(file, 'a');
    expect(component(a, 's').body!.entries.map((e) => e.key.text)).toEqual(['sink.directory', 'default', 'channel', 'selector.default']);
    expect(component(a, 'k').body!.entries.map((e) => e.key.text)).toEqual(['charset.port.5140', 'odd key', 'group.on']);
  });

  it('accepts a map value as a block', () => {
    const value = valueOf('{ app = "/a", "other log" = "/b" }') as Block;
    expect(value.kind).toBe('Block');
    expect(value.entries.map((e) => e.key.text)).toEqual(['app', 'other log']);
  });

  it('reads class names and keyword kinds', () => {
    const file = parseOk('agent a { sink k : "com.acme.MySink" { }\n group g : default { sinks = [k] }\n interceptor i : timestamp\n filter f : env }');
    const a = agent(file, 'a');
    expect(shape(component(a, 'k').type)).toEqual({ kind: 'TypeRef', name: 'com.acme.MySink', isClassName: true });
    expect(component(a, 'g').type).toMatchObject({ name: 'default', isClassName: false });
    expect(component(a, 'g').role).toBe('group');
    expect(component(a, 'i').role).toBe('interceptor');
    expect(component(a, 'f').role).toBe('filter');
  });
});

describe('values', () => {
  it('reads strings with escapes and raw strings without', () => {
    expect(valueOf('"a\\"b\\\\c\\n\\t\\u00e9\\u{1F600}\\/"')).toMatchObject({ kind: 'String', value: 'a"b\\c\n\té😀/', raw: false });
    expect(valueOf('r"C:\\logs\\app\\.*\\.log"')).toMatchObject({ kind: 'String', value: 'C:\\logs\\app\\.*\\.log', raw: true });
  });

  it('reads numbers as written', () => {
    expect(shape(valueOf('1_000_000'))).toEqual({ kind: 'Number', value: 1_000_000, text: '1_000_000', isInteger: true });
    expect(shape(valueOf('0.75'))).toEqual({ kind: 'Number', value: 0.75, text: '0.75', isInteger: false });
    expect(shape(valueOf('-3'))).toEqual({ kind: 'Number', value: -3, text: '-3', isInteger: true });
    expect(shape(valueOf('1.5e3'))).toEqual({ kind: 'Number', value: 1500, text: '1.5e3', isInteger: false });
  });

  it('converts durations to milliseconds and sizes to bytes (K = 1024)', () => {
    expect(shape(valueOf('250ms'))).toEqual({ kind: 'Duration', amount: 250, unit: 'ms', millis: 250, text: '250ms' });
    expect(valueOf('30s')).toMatchObject({ millis: 30_000 });
    expect(valueOf('5m')).toMatchObject({ millis: 300_000 });
    expect(valueOf('2h')).toMatchObject({ millis: 7_200_000 });
    expect(valueOf('1d')).toMatchObject({ millis: 86_400_000 });
    expect(shape(valueOf('128MB'))).toEqual({ kind: 'Size', amount: 128, unit: 'MB', bytes: 134_217_728, text: '128MB' });
    expect(valueOf('512B')).toMatchObject({ bytes: 512 });
    expect(valueOf('64KB')).toMatchObject({ bytes: 65_536 });
    expect(valueOf('1GB')).toMatchObject({ bytes: 1_073_741_824 });
    expect(valueOf('2TB')).toMatchObject({ bytes: 2 * 1024 ** 4 });
  });

  it('reads booleans, names, lists with a trailing comma, calls and concatenation', () => {
    expect(valueOf('false')).toMatchObject({ kind: 'Bool', value: false });
    expect(valueOf('DataStream')).toMatchObject({ kind: 'Ref', text: 'DataStream' });
    expect(shape(valueOf('[a, "b", 3,]'))).toEqual({
      kind: 'List',
      items: [
        { kind: 'Ref', path: [{ kind: 'Ident', name: 'a' }], text: 'a' },
        { kind: 'String', value: 'b', raw: false },
        { kind: 'Number', value: 3, text: '3', isInteger: true },
      ],
    });
    expect(shape(valueOf('env("HOME", "/root") + "/x" + y'))).toEqual({
      kind: 'Concat',
      left: {
        kind: 'Concat',
        left: {
          kind: 'Call',
          callee: { kind: 'Ident', name: 'env' },
          args: [
            { kind: 'String', value: 'HOME', raw: false },
            { kind: 'String', value: '/root', raw: false },
          ],
        },
        right: { kind: 'String', value: '/x', raw: false },
      },
      right: { kind: 'Ref', path: [{ kind: 'Ident', name: 'y' }], text: 'y' },
    });
  });

  it('reads let constants at the top level and inside an agent', () => {
    const file = parseOk('let home = env("HOME")\nagent a {\n  let dir = home + "/spool"\n  source s : spooldir { spoolDir = dir }\n}');
    expect(file.items[0]).toMatchObject({ kind: 'Let', name: { name: 'home' }, value: { kind: 'Call', callee: { name: 'env' } } });
    expect(agent(file, 'a').items[0]).toMatchObject({ kind: 'Let', name: { name: 'dir' }, value: { kind: 'Concat' } });
  });
});

describe('flows', () => {
  const file = parseOk(`agent a {
    s -> c1, c2? with { type = load_balancing, policy = random }
    s -> c -> k
    c -> k1, k2
    c -> failover main { k1: 10, k2: 5, }
    c -> balance [k1, k2] with { selector = round_robin, backoff = true }
    s | i1 | "com.acme.Interceptor" { x = 1 } -> route header "h" { "v1" -> c1, c2?; "v2" -> c3; default -> c3 } with { x = 1 }
    a->b
  }`);
  const [fanOut, chain, drain, failover, balance, routed, compact] = flows(agent(file, 'a'));

  it('reads fan-out with optional channels and selector options', () => {
    const stage = fanOut!.stages[0] as TargetList;
    expect(stage.targets.map((t) => [t.name.name, t.optional])).toEqual([
      ['c1', false],
      ['c2', true],
    ]);
    expect(stage.options!.entries.map((e) => e.key.text)).toEqual(['type', 'policy']);
  });

  it('reads chains and several sinks', () => {
    expect(chain!.stages.map((s) => (s as TargetList).targets[0]!.name.name)).toEqual(['c', 'k']);
    expect((drain!.stages[0] as TargetList).targets.map((t) => t.name.name)).toEqual(['k1', 'k2']);
  });

  it('reads named failover groups and balance lists', () => {
    expect(failover!.stages[0]).toMatchObject({ kind: 'Group', policy: 'failover', name: { name: 'main' } });
    const group = balance!.stages[0] as GroupStage;
    expect(group).toMatchObject({ kind: 'Group', policy: 'balance' });
    expect(group.members.map((m) => [m.name.name, m.priority])).toEqual([
      ['k1', undefined],
      ['k2', undefined],
    ]);
    expect(group.options!.entries.map((e) => e.key.text)).toEqual(['selector', 'backoff']);
  });

  it('reads pipes of declared, inline and class-name interceptors into a route', () => {
    expect(routed!.interceptors.map((p) => [p.target.name, p.target.isClassName, p.body?.entries.length])).toEqual([
      ['i1', false, undefined],
      ['com.acme.Interceptor', true, 1],
    ]);
    const route = routed!.stages[0] as RouteStage;
    expect(route.cases).toHaveLength(3);
    expect(route.options!.entries).toHaveLength(1);
  });

  it('lexes `a->b` as a flow although names may contain dashes', () => {
    expect(compact!.head.name).toBe('a');
    expect((compact!.stages[0] as TargetList).targets[0]!.name.name).toBe('b');
  });
});

describe('spans', () => {
  const text = 'agent edge {\n  channel buf : memory { capacity = 10 }\n}\n';
  const file = parseOk(text);
  const edge = agent(file, 'edge');
  const buf = component(edge, 'buf');

  it('are 1-based lines and columns, 0-based offsets, with an exclusive end', () => {
    expect(edge.span).toEqual({ file: 'test.flow', start: { line: 1, col: 1, offset: 0 }, end: { line: 3, col: 2, offset: 55 } });
    expect(buf.span.start).toEqual({ line: 2, col: 3, offset: 15 });
    expect(buf.name.span).toEqual({ file: 'test.flow', start: { line: 2, col: 11, offset: 23 }, end: { line: 2, col: 14, offset: 26 } });
    const capacity = buf.body!.entries[0]!;
    expect(text.slice(capacity.span.start.offset, capacity.span.end.offset)).toBe('capacity = 10');
    expect(text.slice(capacity.value.span.start.offset, capacity.value.span.end.offset)).toBe('10');
    expect(text.slice(buf.type.span.start.offset, buf.type.span.end.offset)).toBe('memory');
    expect(file.span).toEqual({ file: 'test.flow', start: { line: 1, col: 1, offset: 0 }, end: { line: 4, col: 1, offset: text.length } });
  });

  it('cover comments, block comments included', () => {
    const withComments = parseFlow('/* a\n b */ agent a { } // end', 'c.flow').file;
    expect(withComments.comments.map((c) => [c.text, c.block, c.span.start.line, c.span.end.line])).toEqual([
      ['/* a\n b */', true, 1, 2],
      ['// end', false, 2, 2],
    ]);
  });
});

// ---- Errors -------------------------------------------------------------------------------

describe('syntax errors', () => {
  it('reports three independent mistakes and keeps the valid parts', () => {
    const { file, diagnostics } = parseFlow(
      [
        'agent a {', //                                        1
        '  source r1 : netcat { port 5140 }', //             2
        '  channel c1 : memory', //                          3
        '  r1 c1', //                                        4
        '}', //                                              5
        'agent b {', //                                      6
        '  sink k1 : logger {', //                           7
        '    batchSize = ', //                               8
        '  }', //                                            9
        '  channel ok : memory { capacity = 100 }', //      10
        '}', //                                             11
      ].join('\n'),
      'errors.flow',
    );
    expect(diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([
      ['FLOW002', 2],
      ['FLOW002', 4],
      ['FLOW002', 9],
    ]);
    expect(diagnostics[0]!.message).toBe('expected `=` or `{` after the property name `port`, found `5140`');
    expect(diagnostics[0]!.label).toBe('expected `=` here');
    expect(diagnostics[0]!.help).toEqual(['write `port = 5140`']);
    expect(diagnostics[1]!.message).toBe('expected `->` to continue the flow from `r1`, found `c1`');
    expect(diagnostics[2]!.message).toBe('expected a value after `batchSize =`, found `}`');
    const b = agent(file, 'b');
    expect(component(b, 'ok').body!.entries[0]!.key.text).toBe('capacity');
    expect(component(b, 'k1').body!.entries).toEqual([]);
    expect(component(agent(file, 'a'), 'c1').type.name).toBe('memory');
  });

  it('suggests the missing `:` and still builds the component', () => {
    const { file, diagnostics } = parseFlow('agent a {\n  source r1 netcat { port = 1 }\n}', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'FLOW002',
      message: 'expected `:` after the source name `r1`, found `netcat`',
      help: ['write `source r1 : netcat`'],
      span: { start: { line: 2, col: 13 }, end: { line: 2, col: 19 } },
    });
    expect(component(agent(file, 'a'), 'r1').type.name).toBe('netcat');
  });

  it('reports a stray `}` once', () => {
    const { file, diagnostics } = parseFlow('agent a { }\n}\nagent b { }', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(/^unexpected `}`/);
    expect(diagnostics[0]!.span?.start).toEqual({ line: 2, col: 1, offset: 12 });
    expect(file.items.map((i) => i.name.name)).toEqual(['a', 'b']);
  });

  it('reports a missing `}` at the next declaration, once', () => {
    const { file, diagnostics } = parseFlow('agent a {\n  source s : x {\n    port = 1\n  channel c : memory\n}\n', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe('expected `}` to close the block opened at line 2, found `channel`');
    expect(diagnostics[0]!.span?.start.line).toBe(4);
    expect(agent(file, 'a').items.map((i) => (i as ComponentDecl).name.name)).toEqual(['s', 'c']);
  });

  it('points at the end of the file when it ends too soon', () => {
    const text = 'agent a {\n  source s : x';
    const { diagnostics } = parseFlow(text, 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe('expected `}` to close agent `a` (opened at line 1), found the end of the file');
    expect(diagnostics[0]!.span).toMatchObject({ start: { offset: text.length }, end: { offset: text.length } });
  });

  it('names a misspelled declaration', () => {
    const { diagnostics } = parseFlow('agent a {\n  soruce r1 : netcat\n}', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(/^`soruce` is not a kind of declaration/);
    expect(diagnostics[0]!.help).toEqual(['did you mean `source`?']);
  });

  it('reports an unexpected character', () => {
    const { diagnostics } = parseFlow('agent a { source s : x { port = 1 } @ }', 'x.flow');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([['FLOW001', 'unexpected character `@`']]);
  });
});

describe('lexical errors', () => {
  it('reports a run of characters that start no token once, whole, and lexes what follows', () => {
    for (const [bad, shown] of [['%%%', 'unexpected characters `%%%`'], ['é', 'unexpected character `é`'], ['\u{1F600}#', 'unexpected characters `\u{1F600}#`'], ['-', 'unexpected character `-`']]) {
      const { file, diagnostics } = parseFlow(`agent a {\n  source s : x { port = 1 } ${bad}\n  channel c : memory\n}`, 'x.flow');
      expect(diagnostics.map((d) => [d.code, d.message, d.span?.start.col])).toEqual([['FLOW001', shown, 29]]);
      expect((file.items[0] as AgentDecl).items.map((i) => (i as ComponentDecl).name.name)).toEqual(['s', 'c']);
    }
  });

  it('reads a megabyte of characters that start no token, one error per line (found by the fuzzer: seconds, in the lexer\'s error recovery)', () => {
    const garbage = Array.from({ length: 2000 }, () => '%Y'.repeat(250)).join('\n');
    const { file, diagnostics } = parseFlow(`agent a { channel c : memory }\n${garbage}\n`, 'x.flow');
    expect(file.items).toHaveLength(1);
    expect(diagnostics.filter((d) => d.code === 'FLOW001').length).toBeLessThanOrEqual(100);
    expect(diagnostics[0]).toMatchObject({ code: 'FLOW001', message: 'unexpected character `%`', span: { start: { line: 2, col: 1 } } });
  });

  it('reports a number with a unit that is not one (FLOW004), with the units as help', () => {
    const { diagnostics } = parseFlow('agent a { sink k : hdfs { hdfs.rollInterval = 5min } }', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'FLOW004', span: { start: { col: 47 }, end: { col: 51 } } });
    expect(diagnostics[0]!.message).toContain('`5min`');
    expect(diagnostics[0]!.help).toContain('units are ms, s, m, h, d for durations and B, KB, MB, GB, TB for sizes');
    for (const bad of ['10kb', '3sec', '1.5s']) {
      expect(parseFlow(`agent a { sink k : x { v = ${bad} } }`, 'x.flow').diagnostics.map((d) => d.code)).toEqual(['FLOW004']);
    }
  });

  it('reports an unterminated string at its opening quote (FLOW003)', () => {
    const { file, diagnostics } = parseFlow('agent a {\n  source s : x { path = "/var/log\n  }\n}', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'FLOW003', span: { start: { line: 2, col: 25 }, end: { line: 2, col: 26 } } });
    expect(entry(component(agent(file, 'a'), 's').body, 'path').value).toMatchObject({ value: '/var/log' });
  });

  it('reports nothing more on the line after an unterminated string', () => {
    // The string swallows the `}`; the missing `}` it causes is not news.
    const { file, diagnostics } = parseFlow('agent a {\n  sink k : x { path = "/x }\n  channel c : memory\n}', 'x.flow');
    expect(diagnostics.map((d) => d.code)).toEqual(['FLOW003']);
    expect(agent(file, 'a').items.map((i) => (i as ComponentDecl).name.name)).toEqual(['k', 'c']);
  });

  it('reports an unterminated block comment (FLOW003)', () => {
    const { diagnostics } = parseFlow('agent a { }\n/* never closed\nagent b { }', 'x.flow');
    expect(diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([['FLOW003', 2]]);
  });

  it('reports a bad escape where it is (FLOW004)', () => {
    const { diagnostics } = parseFlow('agent a { sink k : x { path = "C:\\logs" } }', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'FLOW004', span: { start: { col: 34 }, end: { col: 36 } } });
    expect(diagnostics[0]!.help?.join('\n')).toContain('r"..."');
  });

  it('reports a number too big to be exact (FLOW004)', () => {
    const { diagnostics } = parseFlow('agent a { sink k : x { n = 123456789012345678901 } }', 'x.flow');
    expect(diagnostics.map((d) => d.code)).toEqual(['FLOW004']);
  });

  it('reports a keyword used as a name (FLOW005)', () => {
    const { file, diagnostics } = parseFlow('agent a {\n  channel default : memory\n}', 'x.flow');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'FLOW005',
      message: '`default` is a keyword and cannot name a channel; choose another name',
      span: { start: { line: 2, col: 11 }, end: { line: 2, col: 18 } },
    });
    expect(component(agent(file, 'a'), 'default').type.name).toBe('memory');
    expect(parseFlow('let route = 1', 'x.flow').diagnostics[0]).toMatchObject({ code: 'FLOW005' });
    expect(parseFlow('agent sink { }', 'x.flow').diagnostics[0]).toMatchObject({ code: 'FLOW005' });
  });

  it('lets keywords prefix names', () => {
    const file = parseOk('agent sources { channel defaultX : memory\n channel sink-1 : memory }');
    expect(agent(file, 'sources').items.map((i) => (i as ComponentDecl).name.name)).toEqual(['defaultX', 'sink-1']);
  });
});

describe('robustness', () => {
  it('parses an empty file to an empty tree', () => {
    const { file, diagnostics } = parseFlow('', 'empty.flow');
    expect(diagnostics).toEqual([]);
    expect(file.items).toEqual([]);
    expect(file.span).toEqual({ file: 'empty.flow', start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } });
  });

  it('does not throw on binary garbage, and bounds the number of errors', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const garbage = Array.from({ length: 200_000 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
    const { file, diagnostics } = parseFlow(garbage, 'garbage.bin');
    expect(Array.isArray(file.items)).toBe(true);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.length).toBeLessThanOrEqual(110);
  });

  it('stops after too many errors, and says where', () => {
    const { file, diagnostics } = parseFlow('agent a { source s netcat { port 1 } x y z }\n'.repeat(2000), 'bad.flow');
    expect(diagnostics).toHaveLength(100);
    expect(diagnostics[99]!.notes?.join('\n')).toMatch(/the parser stopped at line \d+/);
    expect(file.items.length).toBeGreaterThan(0);
  });

  it('does not throw on deep nesting or on unbalanced brackets', () => {
    for (const text of ['agent a { s : x { v = ' + '['.repeat(50_000), '{'.repeat(100_000), ']'.repeat(1000) + '}'.repeat(1000), 'agent a { sink k : x { v = ' + '[1, '.repeat(45) + ']'.repeat(45) + ' } }']) {
      expect(() => parseFlow(text, 'deep.flow')).not.toThrow();
    }
    const deepButFine = 'agent a { sink k : x { v = ' + '[1, '.repeat(45) + ']'.repeat(45) + ' } }';
    expect(parseFlow(deepButFine, 'x.flow').diagnostics).toEqual([]);
    expect(parseFlow('agent a { sink k : x { v = ' + '['.repeat(60) + ']'.repeat(60) + ' } }', 'x.flow').diagnostics[0]!.message).toMatch(/nest more than/);
  });

  it('builds a well-typed tree from any mangling of a valid file', () => {
    // Required fields per node kind: a node missing one would break every later stage.
    const required: Record<string, string[]> = {
      Let: ['name', 'value'], Agent: ['name', 'items'], Component: ['role', 'name', 'type'], TypeRef: ['name'],
      Block: ['entries'], Entry: ['key', 'value'], KeyPath: ['segments', 'text'], Ident: ['name'], String: ['value'],
      Number: ['value'], Bool: ['value'], Duration: ['millis'], Size: ['bytes'], Ref: ['path'], List: ['items'],
      Concat: ['left', 'right'], Call: ['callee', 'args'], Flow: ['head', 'interceptors', 'stages'], Pipe: ['target'],
      Targets: ['targets'], Target: ['name'], Route: ['header', 'cases'], RouteCase: ['targets'], Group: ['members'],
      GroupMember: ['name'],
    };
    const problems: string[] = [];
    const visit = (node: unknown, text: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, text));
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown> & { kind?: string; span?: { start: { offset: number }; end: { offset: number } } };
      if (record.kind !== undefined && record.kind in required) {
        for (const field of required[record.kind]!) if (record[field] === undefined) problems.push(`${record.kind}.${field}`);
        const span = record.span;
        if (!span || !(span.start.offset <= span.end.offset && span.end.offset <= text.length)) problems.push(`${record.kind}.span`);
      }
      for (const [key, value] of Object.entries(record)) if (key !== 'span') visit(value, text);
    };
    let seed = 1;
    const random = (n: number) => Math.floor(((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * n);
    const pieces = ['{', '}', '[', ']', '(', ')', '->', ',', ';', ':', '=', '"', 'r"', '/*', '|', '?', '+', '.', 'agent', 'default', '5min', '\n', '@'];
    for (let i = 0; i < 400; i++) {
      let text = sketch;
      for (let edit = random(3); edit >= 0; edit--) {
        const at = random(text.length);
        text = random(2) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(4)) : text.slice(0, at) + pieces[random(pieces.length)] + text.slice(at);
      }
      const { file, diagnostics } = parseFlow(text, 'mangled.flow');
      visit(file.items, text);
      for (const d of diagnostics) if (!d.span || /undefined|NaN|"rule"/.test(d.message)) problems.push(d.message);
    }
    expect(problems).toEqual([]);
  });

  it('gives the same result when the parser is reused', () => {
    const first = parseFlow(sketch, 'a.flow');
    parseFlow('agent a { source x netcat', 'b.flow');
    expect(shape(parseFlow(sketch, 'a.flow'))).toEqual(shape(first));
  });
});

describe('quoted names', () => {
  it('accepts names that Flume allows but identifiers cannot spell', () => {
    const text = [
      'agent "<Agent>" {',
      '  source "<Source1>" : netcat { port = 1 }',
      '  channel "my chan" : memory',
      '  sink default-out : logger',
      '  "<Source1>" -> "my chan"',
      '  "my chan" -> failover "g 1" { default-out: 5 }',
      '}',
    ].join('\n');
    const { file, diagnostics } = parseFlow(text, 'q.flow');
    expect(diagnostics).toEqual([]);
    const agent = file.items[0] as AgentDecl;
    expect(agent.name.name).toBe('<Agent>');
    const names = agent.items.filter((i): i is ComponentDecl => i.kind === 'Component').map((c) => c.name.name);
    expect(names).toEqual(['<Source1>', 'my chan', 'default-out']);
    const flows = agent.items.filter((i): i is FlowStmt => i.kind === 'Flow');
    expect(flows[0]!.head.name).toBe('<Source1>');
    expect((flows[0]!.stages[0] as TargetList).targets[0]!.name.name).toBe('my chan');
    expect((flows[1]!.stages[0] as GroupStage).name?.name).toBe('g 1');
  });

  it('still reads a string followed by `->` inside a route as a case', () => {
    const { file, diagnostics } = parseFlow('agent a {\n  s -> route header "h" {\n    "x" -> c1\n    default -> c2\n  }\n}', 'r.flow');
    expect(diagnostics).toEqual([]);
    const flow = (file.items[0] as AgentDecl).items[0] as FlowStmt;
    expect((flow.stages[0] as RouteStage).cases.map((c) => c.value?.value ?? 'default')).toEqual(['x', 'default']);
  });
});

describe('the grammar', () => {
  it("passes chevrotain's own validations (skipped at start-up for speed)", () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('./dist/grammar/parser.js'); console.log('grammar ok')"], {
      env: { ...process.env, FLOWC_VALIDATE_GRAMMAR: '1' },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('grammar ok\n');
  });
});

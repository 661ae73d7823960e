// The formatter: canonical output, comments kept, idempotent, the tree unchanged; `flowc fmt`
// on real files; and the prettier plugin, through prettier's API and its command line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import type { AgentDecl, Comment, ComponentDecl, FlowFile, Ident, Span, StringLit, TypeRef } from '../grammar/ast.js';
import { parseFlow } from '../grammar/index.js';
import { formatFlow, formatText } from '../compiler/format/printer.js';
import plugin from '../compiler/format/prettier-plugin.js';
import { flowc } from './helpers/cli.js';

// ---- Helpers ------------------------------------------------------------------------------

const SPAN_KEYS = new Set(['span', 'policySpan', 'defaultSpan']);

/** A copy of a syntax tree without positions, for structural comparison. */
function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SPAN_KEYS.has(k)) out[k] = stripSpans(v);
  return out;
}

/** The comments' texts, in order, each line trimmed: what the formatter must keep. */
function commentTexts(file: FlowFile): string[] {
  return file.comments.map((c) =>
    c.text
      .split(/\r\n|\r|\n/)
      .map((l) => l.trim())
      .join('\n'),
  );
}

function parseOk(text: string, path = 'test.flow'): FlowFile {
  const { file, diagnostics } = parseFlow(text, path);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return file;
}

/** Formats, and checks what must hold for every input: same tree, same comments, idempotent. */
function fmt(text: string, options: { printWidth?: number } = {}): string {
  const before = parseOk(text);
  const once = formatFlow(before, options);
  const after = parseOk(once);
  expect(stripSpans(after.items), 'the tree changed').toEqual(stripSpans(before.items));
  expect(commentTexts(after), 'comments were lost or reordered').toEqual(commentTexts(before));
  expect(formatFlow(after, options), 'not idempotent').toBe(once);
  return once;
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

function flowFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.flow'))
    .sort()
    .map((f) => join(dir, f));
}

const tmp = () => mkdtempSync(join(tmpdir(), 'flowc-fmt-'));

// ---- Every example and baseline -----------------------------------------------------------

describe('every .flow file of the repository', () => {
  const files = [...flowFilesIn('examples'), ...flowFilesIn('test/baselines')];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    if (parseFlow(text, path).diagnostics.some((d) => d.severity === 'error')) continue;
    it(`${path}: same tree, same comments, idempotent`, () => {
      fmt(text);
      fmt(text, { printWidth: 40 });
    });
  }

  it('the examples are formatted', () => {
    for (const path of flowFilesIn('examples')) {
      const text = readFileSync(path, 'utf8');
      expect(formatText(text, path).text, path).toBe(text);
    }
  });
});

// ---- Canonical style ----------------------------------------------------------------------

describe('canonical style', () => {
  it('puts short blocks on one line and long ones one entry per line', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  source r1 : netcat {',
        '    bind = "0.0.0.0"; port = 1',
        '  }',
        '  channel c1 : memory { capacity = 10, transactionCapacity = 5, keep-alive = 3s, byteCapacity = 1MB }',
        '  sink k1 : logger {}',
        '  sink k2 : logger',
        '  r1 -> c1',
        '  c1 -> k1',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  source r1 : netcat { bind = "0.0.0.0", port = 1 }',
        '  channel c1 : memory {',
        '    capacity = 10',
        '    transactionCapacity = 5',
        '    keep-alive = 3s',
        '    byteCapacity = 1MB',
        '  }',
        '  sink k1 : logger {}',
        '  sink k2 : logger',
        '  r1 -> c1',
        '  c1 -> k1',
        '}',
      ),
    );
  });

  it('breaks a short block that does not fit, and keeps nested blocks nested', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  sink k : hdfs { hdfs { path = "hdfs://namenode/a/very/long/path/that/goes/on", filePrefix = "events-of-the-day" } }',
        '  sink j : hdfs { hdfs.path = "x" }',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  sink k : hdfs {',
        '    hdfs {',
        '      path = "hdfs://namenode/a/very/long/path/that/goes/on"',
        '      filePrefix = "events-of-the-day"',
        '    }',
        '  }',
        '  sink j : hdfs { hdfs.path = "x" }',
        '}',
      ),
    );
  });

  it('breaks long lists one item per line, with a trailing comma', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  channel c : file {',
        '    dataDirs = ["/var/lib/flume/data-1", "/var/lib/flume/data-2", "/var/lib/flume/data-3", "/var/lib/flume/data-4"]',
        '    other = [1, 2, 3,]',
        '  }',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  channel c : file {',
        '    dataDirs = [',
        '      "/var/lib/flume/data-1",',
        '      "/var/lib/flume/data-2",',
        '      "/var/lib/flume/data-3",',
        '      "/var/lib/flume/data-4",',
        '    ]',
        '    other = [1, 2, 3]',
        '  }',
        '}',
      ),
    );
  });

  it('keeps short pipes on one line and breaks long ones before each `|` and `->`', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  r1 | timestamp | host -> c1',
        '  r2 | timestamp | host { hostHeader = "agent_host", useIP = false } | static { key = "datacenter", value = "eu-west-1" } -> c1, c2',
        '  r3 | regex_extractor { regex = "x", serializers = [s1], serializers.s1.name = "a", other = 1 } -> c1',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  r1 | timestamp | host -> c1',
        '  r2',
        '    | timestamp',
        '    | host { hostHeader = "agent_host", useIP = false }',
        '    | static { key = "datacenter", value = "eu-west-1" }',
        '    -> c1, c2',
        '  r3',
        '    | regex_extractor {',
        '        regex = "x"',
        '        serializers = [s1]',
        '        serializers.s1.name = "a"',
        '        other = 1',
        '      }',
        '    -> c1',
        '}',
      ),
    );
  });

  it('keeps a flow on its line when only its last block breaks', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  c1 -> balance [k1, k2] with { selector = round_robin, backoff = true, selector.maxTimeOut = 30s, x = 1 }',
        '  c2 -> failover g { k3: 10, k4: 5 } with { maxpenalty = 30s }',
        '  c3 -> k5, k6 with { type = "com.example.flume.TenantSelector", tenants = [acme, globex, initech, umbrella] }',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  c1 -> balance [k1, k2] with {',
        '    selector = round_robin',
        '    backoff = true',
        '    selector.maxTimeOut = 30s',
        '    x = 1',
        '  }',
        '  c2 -> failover g { k3: 10, k4: 5 } with { maxpenalty = 30s }',
        '  c3 -> k5, k6 with {',
        '    type = "com.example.flume.TenantSelector"',
        '    tenants = [acme, globex, initech, umbrella]',
        '  }',
        '}',
      ),
    );
  });

  it('prints route cases one per line', () => {
    const out = fmt(lines('agent a {', '  r -> route header "level" { "ERROR" -> c1, c2?; default -> c3 } with { x = 1 }', '}'));
    expect(out).toBe(
      lines('agent a {', '  r -> route header "level" {', '    "ERROR" -> c1, c2?', '    default -> c3', '  } with { x = 1 }', '}'),
    );
  });

  it('prints literals as written: raw strings, `1_000`, durations, sizes, decimals', () => {
    const out = fmt(
      lines(
        'let a = 1_000_000',
        'let b = r"^\\d+\\.csv$"',
        'let c = "tab\\there \\"quoted\\" back\\\\slash \\u00e9 \\/"',
        'let d = [30s, 500ms, 256MB, 0.5, -3, 1e3, true]',
        'let e = "\\u0001\\u200b\\u00a0\\u{1F600} \\u{E0001}"',
      ),
    );
    expect(out).toBe(
      lines(
        'let a = 1_000_000',
        'let b = r"^\\d+\\.csv$"',
        'let c = "tab\\there \\"quoted\\" back\\\\slash é /"',
        'let d = [30s, 500ms, 256MB, 0.5, -3, 1e3, true]',
        'let e = "\\u0001\\u200B\\u00A0😀 \\u{E0001}"',
      ),
    );
  });

  it('quotes keys that are not names, keeps keywords and numbers bare in keys', () => {
    const out = fmt(lines('agent a {', '  source s : x { "weird key" = 1, sink.port.10003 = 2, "plain" = 3 }', '}'));
    expect(out).toBe(lines('agent a {', '  source s : x { "weird key" = 1, sink.port.10003 = 2, plain = 3 }', '}'));
  });

  it('quotes a number in a key that follows a number, which would otherwise read as a decimal (`x.1.5`)', () => {
    // Found by the import fuzzer: `a1.sources.r1.x.1.5 = 2` was imported as `x.1.5 = 2`, a syntax error.
    const out = fmt(lines('agent a {', '  source s : x { x.1."5" = 2, "1"."2"."3" = 3, port.10003.x = 4 }', '}'));
    expect(out).toBe(lines('agent a {', '  source s : x { x.1."5" = 2, 1."2".3 = 3, port.10003.x = 4 }', '}'));
    expect(fmt(out)).toBe(out);
    const keys = (parseOk(out).items[0] as AgentDecl).items.flatMap((i) => ((i as ComponentDecl).body?.entries ?? []).map((e) => e.key.segments.map((g) => g.name).join('.')));
    expect(keys).toEqual(['x.1.5', '1.2.3', 'port.10003.x']);
  });

  it('keeps blank lines between items (one at most) and adds none', () => {
    const out = fmt(
      lines(
        'let x = 1',
        'let y = 2',
        '',
        '',
        '',
        'agent a {',
        '',
        '  source r : netcat { port = 1 }',
        '',
        '',
        '  channel c : memory',
        '  sink k : logger',
        '  r -> c',
        '',
        '}',
        'agent b {',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'let x = 1',
        'let y = 2',
        '',
        'agent a {',
        '  source r : netcat { port = 1 }',
        '',
        '  channel c : memory',
        '  sink k : logger',
        '  r -> c',
        '}',
        'agent b {}',
      ),
    );
  });

  it('fits a narrower width on request', () => {
    const text = lines('agent a {', '  channel c : memory { capacity = 10_000, transactionCapacity = 100 }', '}');
    expect(fmt(text)).toBe(text);
    expect(fmt(text, { printWidth: 40 })).toBe(
      lines('agent a {', '  channel c : memory {', '    capacity = 10_000', '    transactionCapacity = 100', '  }', '}'),
    );
  });
});

// ---- Comments -----------------------------------------------------------------------------

describe('comments', () => {
  it('survive in every position', () => {
    const text = lines(
      '// before the agent',
      '',
      '/* a block comment',
      '   kept as written */',
      'agent a { // after the brace',
      '  // before a source',
      '  source r1 : netcat { port = 1 } // trailing on a declaration',
      '  channel c1 : memory {',
      '    capacity = 10 // trailing on a property',
      '    /* before a property */ transactionCapacity = 5',
      '    // at the end of a block',
      '  }',
      '  sink k1 : logger {',
      '    // inside an empty block',
      '  }',
      '  sink k2 : logger { /* inline in an empty block */ }',
      '',
      '  r1 | timestamp // between pipe steps',
      '     | host -> c1',
      '  c1 -> k1, /* between targets */ k2',
      '  // at the end of the agent',
      '}',
      '// at the end of the file',
    );
    expect(fmt(text)).toBe(
      lines(
        '// before the agent',
        '',
        '/* a block comment',
        '   kept as written */',
        'agent a { // after the brace',
        '  // before a source',
        '  source r1 : netcat { port = 1 } // trailing on a declaration',
        '  channel c1 : memory {',
        '    capacity = 10 // trailing on a property',
        '    /* before a property */ transactionCapacity = 5',
        '    // at the end of a block',
        '  }',
        '  sink k1 : logger {',
        '    // inside an empty block',
        '  }',
        '  sink k2 : logger { /* inline in an empty block */',
        '  }',
        '',
        '  r1',
        '    | timestamp // between pipe steps',
        '    | host',
        '    -> c1',
        '  c1 -> k1, /* between targets */ k2',
        '  // at the end of the agent',
        '}',
        '// at the end of the file',
      ),
    );
  });

  it('re-indents doc-style block comments', () => {
    const text = lines('agent a {', '        /*', '         * about c', '         */', '  channel c : memory', '}');
    expect(fmt(text)).toBe(lines('agent a {', '  /*', '   * about c', '   */', '  channel c : memory', '}'));
  });

  it('survive in lists, groups, routes and inside declarations', () => {
    const out = fmt(
      lines(
        'agent a {',
        '  source r : x {',
        '    hosts = [ // the hosts',
        '      "a", // first',
        '      /* second */ "b"',
        '      // no more',
        '    ]',
        '  }',
        '  sink k1 /* odd place */ : logger',
        '  c -> failover g {',
        '    k1: 10, // primary',
        '    k2: 5',
        '  }',
        '  d -> route header "h" { // cases',
        '    "x" -> c1 // the x case',
        '    // the rest',
        '    default -> c2',
        '  }',
        '  e -> c1 // trailing on a flow',
        '}',
      ),
    );
    expect(out).toBe(
      lines(
        'agent a {',
        '  source r : x {',
        '    hosts = [ // the hosts',
        '      "a", // first',
        '      /* second */ "b",',
        '      // no more',
        '    ]',
        '  }',
        '  /* odd place */',
        '  sink k1 : logger',
        '  c -> failover g {',
        '    k1: 10, // primary',
        '    k2: 5,',
        '  }',
        '  d -> route header "h" { // cases',
        '    "x" -> c1 // the x case',
        '    // the rest',
        '    default -> c2',
        '  }',
        '  e -> c1 // trailing on a flow',
        '}',
      ),
    );
  });

  it('are kept wherever they are put (a comment at every gap between tokens)', () => {
    for (const path of ['examples/tiered.flow', 'examples/interceptors.flow', 'examples/multiplexing.flow']) {
      const text = readFileSync(path, 'utf8');
      // Every run of spaces after a token is a gap a comment can go into.
      const gaps = [...text.matchAll(/(?<=\S) +(?=\S)/g)].map((m) => m.index!);
      for (const [i, at] of gaps.entries()) {
        for (const comment of [` /* c${i} */ `, ` // c${i}\n`]) {
          const variant = text.slice(0, at) + comment + text.slice(at);
          if (parseFlow(variant, path).diagnostics.length > 0) continue;
          try {
            fmt(variant);
          } catch (e) {
            throw new Error(`${path}, comment \`${comment.trim()}\` at offset ${at}: ${(e as Error).message}`);
          }
        }
      }
    }
  });

  it('keep their order when two share a place: `c -> failover /* x */ { k1 /* y */ : 5 }`', () => {
    const out = fmt(lines('agent a {', '  c -> failover /* x */ { k1 /* y */ : 5, k2: 1 }', '}'));
    expect(out).toContain('/* x */\n    /* y */\n    k1: 5,');
    fmt(lines('agent a {', '  source s : netcat { /* x */ bind /* y */ = "h" }', '}'));
    fmt(lines('agent a {', '  s -> c, /* x */ c2? /* y */ with { x = 1 }', '}'));
  });

  it('are kept, in order, with two comments in neighbouring gaps of every block form', () => {
    const text = lines(
      'let root = "/x"',
      'agent a on "h" {',
      '  source s : netcat { bind = "127.0.0.1", port = 4444, k = [a, b] }',
      '  channel c : memory { capacity = 10, p = root + "/y" + "z", e = env("X") }',
      '  sink k1 : logger { n { m = 1 } }',
      '  s | timestamp | host { useIP = false } -> c, c2? with { x = 1 }',
      '  c -> failover { k1: 5, k2: 1 } with { maxpenalty = 30s }',
      '  c -> failover g { k1: 5 }',
      '  c -> balance [k1, k2] with { selector = round_robin }',
      '  s -> route header "h" { "A" -> c; default -> c2? } with { y = 2 }',
      '}',
    );
    // Gaps between tokens, with or without spaces (`k1:` as well as `k1 :`).
    const gaps: number[] = [];
    for (let i = 1; i < text.length; i++) {
      const [a, b] = [text[i - 1]!, text[i]!];
      if (/\s/.test(a) || (a === ' ' && b === ' ')) continue;
      if (b === ' ' || /[\w"]/.test(a) !== /[\w"]/.test(b)) gaps.push(i);
    }
    const kinds = [(n: string) => ` /* ${n} */ `, (n: string) => ` // ${n}\n`];
    let tried = 0;
    for (let i = 0; i < gaps.length; i++) {
      for (const j of [i, i + 1]) {
        if (j >= gaps.length) continue;
        for (const first of kinds) {
          for (const second of kinds) {
            const withSecond = text.slice(0, gaps[j]) + second('y') + text.slice(gaps[j]);
            const variant = withSecond.slice(0, gaps[i]) + first('x') + withSecond.slice(gaps[i]);
            if (parseFlow(variant, 'test.flow').diagnostics.length > 0) continue;
            tried++;
            try {
              fmt(variant);
            } catch (e) {
              throw new Error(`comments at offsets ${gaps[i]} and ${gaps[j]}:\n${variant}\n${(e as Error).message}`);
            }
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(500);
  });
});

// ---- In-memory trees (the importer) -------------------------------------------------------

describe('trees built in memory', () => {
  it('quotes names that are not identifiers or are keywords, and strings that cannot stay raw', () => {
    const file = parseOk(lines('agent a {', '  source r : x { k = r"a\\b" }', '}'));
    const agent = file.items[0]! as AgentDecl;
    agent.name.name = 'my.agent';
    const source = agent.items[0]! as ComponentDecl;
    source.name.name = 'source';
    const value = source.body!.entries[0]!.value as StringLit;
    value.value = 'say "hi"';
    const out = formatFlow(file);
    expect(out).toBe(lines('agent "my.agent" {', '  source "source" : x { k = "say \\"hi\\"" }', '}'));
    // Quoted names read back (the value's `raw` flag cannot: the quote made it an ordinary string).
    const back = parseOk(out).items[0] as AgentDecl;
    const backSource = back.items[0] as ComponentDecl;
    expect([back.name.name, backSource.name.name, (backSource.body!.entries[0]!.value as StringLit).value]).toEqual([
      'my.agent',
      'source',
      'say "hi"',
    ]);
  });

  it('places comments by offset when lines are unknown (line 0)', () => {
    let offset = 0;
    const span = (): Span => {
      const start = { line: 0, col: 0, offset: offset++ };
      return { file: 'mem.flow', start, end: { line: 0, col: 0, offset: offset++ } };
    };
    const ident = (name: string): Ident => ({ kind: 'Ident', name, span: span() });
    const comment = (text: string): Comment => ({ kind: 'Comment', text, block: text.startsWith('/*'), span: span() });
    const fileSpan = span();
    const c1 = comment('// the agent');
    const agentStart = span();
    const name = ident('a');
    const c2 = comment('// the channel');
    const channelName = ident('c1');
    const type: TypeRef = { kind: 'TypeRef', name: 'memory', isClassName: false, span: span() };
    const c3 = comment('/* last */');
    const agentEnd = span();
    const channel: ComponentDecl = { kind: 'Component', role: 'channel', name: channelName, type, span: { ...channelName.span, end: type.span.end } };
    const agent: AgentDecl = { kind: 'Agent', name, items: [channel], span: { ...agentStart, end: agentEnd.end } };
    const file: FlowFile = { kind: 'File', path: 'mem.flow', text: '', items: [agent], comments: [c1, c2, c3], span: { ...fileSpan, end: { line: 0, col: 0, offset } } };
    expect(formatFlow(file)).toBe(lines('// the agent', 'agent a {', '  // the channel', '  channel c1 : memory', '  /* last */', '}'));
  });

  it('uses line gaps for blank lines, and treats line 0 as unknown', () => {
    const file = parseOk(lines('agent a {', '  channel c1 : memory', '', '  channel c2 : memory', '}'));
    const agent = file.items[0]! as AgentDecl;
    expect(formatFlow(file)).toBe(lines('agent a {', '  channel c1 : memory', '', '  channel c2 : memory', '}'));
    for (const item of agent.items) item.span = { ...item.span, start: { ...item.span.start, line: 0 }, end: { ...item.span.end, line: 0 } };
    expect(formatFlow(file)).toBe(lines('agent a {', '  channel c1 : memory', '  channel c2 : memory', '}'));
  });
});

// ---- formatText ---------------------------------------------------------------------------

describe('formatText', () => {
  it('refuses a file with syntax errors and returns it unchanged', () => {
    const text = 'agent a {\n  source r : netcat {\n';
    const r = formatText(text, 'bad.flow');
    expect(r.text).toBe(text);
    expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('formats an empty file to nothing', () => {
    expect(formatText('\n\n', 'empty.flow').text).toBe('');
  });
});

// ---- flowc fmt ----------------------------------------------------------------------------

describe('flowc fmt', () => {
  const ugly = 'agent a {\n  channel c : memory {capacity=10}\n}\n';
  const pretty = 'agent a {\n  channel c : memory { capacity = 10 }\n}\n';

  it('passes --check on the examples', () => {
    const r = flowc(['fmt', '--check', 'examples/']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('lists the files --check would change, writes nothing and exits 1', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'ugly.flow'), ugly);
    writeFileSync(join(dir, 'pretty.flow'), pretty);
    const r = flowc(['fmt', '--check', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(`would format ${join(dir, 'ugly.flow')}\n`);
    expect(r.stderr).toContain('1 file is not formatted');
    expect(readFileSync(join(dir, 'ugly.flow'), 'utf8')).toBe(ugly);
  });

  it('rewrites only the files that change', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'ugly.flow'), ugly);
    writeFileSync(join(dir, 'pretty.flow'), pretty);
    const before = statSync(join(dir, 'pretty.flow')).mtimeMs;
    const r = flowc(['fmt', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`formatted ${join(dir, 'ugly.flow')}\n`);
    expect(readFileSync(join(dir, 'ugly.flow'), 'utf8')).toBe(pretty);
    expect(statSync(join(dir, 'pretty.flow')).mtimeMs).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['pretty.flow', 'ugly.flow']); // no temporary file left
    expect(flowc(['fmt', '--check', dir]).status).toBe(0);
  });

  it('honours --width', () => {
    const dir = tmp();
    const path = join(dir, 'a.flow');
    writeFileSync(path, pretty);
    expect(flowc(['fmt', '--width', '30', path]).status).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('agent a {\n  channel c : memory {\n    capacity = 10\n  }\n}\n');
    expect(flowc(['fmt', '--width', 'wide', path]).status).toBe(2);
  });

  it('reports files with syntax errors, leaves them alone and exits 1', () => {
    const dir = tmp();
    const bad = 'agent a {\n  channel c : memory {capacity=10\n';
    writeFileSync(join(dir, 'bad.flow'), bad);
    writeFileSync(join(dir, 'ugly.flow'), ugly);
    const r = flowc(['fmt', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[FLOW\d+\]/);
    expect(r.stderr).toContain(`--> ${join(dir, 'bad.flow')}:`);
    expect(r.stdout).toBe(`formatted ${join(dir, 'ugly.flow')}\n`);
    expect(readFileSync(join(dir, 'bad.flow'), 'utf8')).toBe(bad);
  });

  it('exits 2 for a path that does not exist', () => {
    const r = flowc(['fmt', join(tmp(), 'missing.flow')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such file or folder');
  });
});

// ---- The prettier plugin ------------------------------------------------------------------

describe('prettier plugin', () => {
  it('prints what formatFlow prints', async () => {
    for (const path of [...flowFilesIn('examples'), 'test/baselines/clean-everything.flow']) {
      const text = readFileSync(path, 'utf8');
      const viaPrettier = await prettier.format(text, { parser: 'flowc', plugins: [plugin], filepath: path });
      expect(viaPrettier, path).toBe(formatFlow(parseOk(text, path)));
      const narrow = await prettier.format(text, { parser: 'flowc', plugins: [plugin], printWidth: 50 });
      expect(narrow, path).toBe(formatFlow(parseOk(text, path), { printWidth: 50 }));
    }
  });

  it('infers the parser from the .flow extension', async () => {
    const text = 'agent a {\n  channel c : memory {capacity=10}\n}\n';
    expect(await prettier.format(text, { filepath: 'x.flow', plugins: [plugin] })).toBe(formatFlow(parseOk(text)));
  });

  it('reports syntax errors with file:line:col and the message', async () => {
    await expect(
      prettier.format('agent a {\n  channel c : memory {capacity=}\n}\n', { parser: 'flowc', plugins: [plugin], filepath: 'bad.flow' }),
    ).rejects.toThrow(/bad\.flow:2:\d+: error\[FLOW\d+\]: /);
  });

  it('works from the prettier command line', () => {
    const dir = tmp();
    const path = join(dir, 'app.flow');
    const text = readFileSync('examples/tiered.flow', 'utf8').replace(/\n {2}/g, '\n      ');
    writeFileSync(path, text);
    const run = (args: string[]) =>
      spawnSync(resolve('node_modules/.bin/prettier'), ['--plugin', resolve('dist/compiler/format/prettier-plugin.js'), ...args], {
        encoding: 'utf8',
      });
    const printed = run([path]);
    expect(printed.stderr).toBe('');
    expect(printed.status).toBe(0);
    expect(printed.stdout).toBe(readFileSync('examples/tiered.flow', 'utf8'));

    const badPath = join(dir, 'bad.flow');
    writeFileSync(badPath, 'agent a {\n  channel c : memory {capacity=}\n}\n');
    const bad = run([badPath]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.flow:2:\d+: error\[FLOW\d+\]/);
  });
});

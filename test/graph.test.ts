// The graph model and its renderers: golden files for every example, the properties every
// picture must have (links between agents, routing labels, no secrets, determinism), a large
// flow, the README's diagrams, and `flowc graph` as a user runs it (the BUILT cli: run
// `npx tsc -p tsconfig.json` first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, type FlowGraph } from '../compiler/graph/model.js';
import { renderDot } from '../compiler/graph/render-dot.js';
import { renderHtml } from '../compiler/graph/render-html.js';
import { renderJson } from '../compiler/graph/render-json.js';
import { renderMermaid } from '../compiler/graph/render-mermaid.js';
import { renderSvg } from '../compiler/graph/render-svg.js';
import { selectAgent } from '../compiler/graph/select.js';
import { compileText } from '../compiler/program.js';
// @ts-expect-error: a plain .mjs module without types, shared with the benchmarks.
import { generateFlow } from '../bench/generate.mjs';
import { expectBaseline } from './helpers/baseline.js';
import { flowc } from './helpers/cli.js';

const examples = readdirSync('examples').filter((f) => f.endsWith('.flow')).sort();

function graphOf(text: string, path = 'test.flow'): FlowGraph {
  const result = compileText(text, path);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return buildGraph(result.program);
}

function exampleGraph(name: string): FlowGraph {
  const path = join('examples', name);
  return graphOf(readFileSync(path, 'utf8'), path);
}

async function allFormats(graph: FlowGraph): Promise<Record<string, string>> {
  return { dot: renderDot(graph), mermaid: renderMermaid(graph), json: renderJson(graph), svg: await renderSvg(graph), html: await renderHtml(graph) };
}

describe('graph golden files', () => {
  for (const name of examples) {
    const base = name.replace(/\.flow$/, '');
    describe(name, () => {
      const graph = exampleGraph(name);
      it('draws dot as in its golden file', () => expectBaseline(`test/golden/graph/${base}.dot`, renderDot(graph)));
      it('draws mermaid as in its golden file', () => expectBaseline(`test/golden/graph/${base}.mmd`, renderMermaid(graph)));
      it('gives the model as in its golden file', () => expectBaseline(`test/golden/graph/${base}.json`, renderJson(graph)));
    });
  }
});

describe('graph model', () => {
  it('gives every node a stable agent/role/name id and a source position', () => {
    for (const name of examples) {
      const graph = exampleGraph(name);
      const ids = graph.nodes.map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const n of graph.nodes) {
        expect(n.id).toBe(`${n.agent}/${n.role}/${n.name}`);
        expect(n.span.file).toBe(join('examples', name));
        expect(n.span.line).toBeGreaterThan(0);
        expect(n.span.col).toBeGreaterThan(0);
      }
      for (const e of graph.edges) {
        expect(ids).toContain(e.from);
        expect(ids).toContain(e.to);
      }
    }
  });

  it('links the tiered agents to each other', () => {
    const graph = exampleGraph('tiered.flow');
    const links = graph.edges.filter((e) => e.kind === 'links');
    expect(links.map((e) => [e.from, e.to, e.label])).toEqual([
      ['edge/sink/to_primary', 'collector/source/rpc', 'avro → collector-1.example.com:4545'],
      ['edge/sink/to_backup', 'collector2/source/rpc', 'avro → collector-2.example.com:4545'],
    ]);
    expect(graph.agents.map((a) => [a.name, a.host])).toEqual([
      ['edge', 'edge-1.example.com'],
      ['collector', 'collector-1.example.com'],
      ['collector2', 'collector-2.example.com'],
    ]);
    expect(renderDot(graph)).toContain('"edge/sink/to_primary" -> "collector/source/rpc"');
    expect(renderMermaid(graph)).toContain('edge_sink_to_primary == "avro → collector-1.example.com:4545" ==> collector_source_rpc');
  });

  it('links agents by hostname and port as well as by `to`', () => {
    const graph = graphOf(`
agent a on "a.example.com" {
  source s : netcat { bind = "0.0.0.0", port = 5000 }
  channel c : memory
  sink k : avro { hostname = "b.example.com", port = 4141 }
  s -> c -> k
}
agent b on "b.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4141 }
  channel c : memory
  sink k : logger
  rpc -> c -> k
}`);
    expect(graph.edges.filter((e) => e.kind === 'links').map((e) => [e.from, e.to])).toEqual([['a/sink/k', 'b/source/rpc']]);
  });

  it('labels the routes of a multiplexing selector', () => {
    const graph = exampleGraph('multiplexing.flow');
    const selector = graph.nodes.find((n) => n.role === 'selector')!;
    expect(selector).toMatchObject({ id: 'router/selector/http_in', kind: 'multiplexing', header: 'level' });
    const routes = Object.fromEntries(graph.edges.filter((e) => e.kind === 'routes').map((e) => [e.to, e.label]));
    expect(routes).toEqual({
      'router/channel/hot': 'level=ERROR',
      'router/channel/cold': 'level=ERROR\nlevel=WARN\nlevel=DEBUG (optional)\ndefault',
      'router/channel/debug': 'level=DEBUG',
    });
    expect(renderMermaid(graph)).toContain('-- "level=ERROR" -->');
    expect(renderDot(graph)).toContain('label="level=ERROR"');
  });

  it('marks optional channels of a replicating selector', () => {
    const graph = graphOf(`
agent a {
  source s : netcat { bind = "0.0.0.0", port = 5000 }
  channel c1 : memory
  channel c2 : memory
  sink k1 : logger
  sink k2 : logger
  s -> c1, c2?
  c1 -> k1
  c2 -> k2
}`);
    const edges = graph.edges.filter((e) => e.kind === 'routes');
    expect(edges.map((e) => [e.to, e.optional ?? false, e.label])).toEqual([
      ['a/channel/c1', false, undefined],
      ['a/channel/c2', true, 'optional'],
    ]);
    expect(renderMermaid(graph)).toContain('-. "optional" .->');
  });

  it('keeps interceptor chains in order, sink groups with their sinks, and channel storage', () => {
    const tiered = exampleGraph('tiered.flow');
    const app = tiered.nodes.find((n) => n.id === 'edge/source/app')!;
    expect(app.role === 'source' && app.steps.map((s) => [s.name, s.kind, s.properties])).toEqual([
      ['timestamp', 'timestamp', []],
      ['host', 'host', [{ key: 'useIP', text: 'false' }]],
    ]);
    expect(tiered.nodes.find((n) => n.id === 'edge/group/uplink')).toMatchObject({
      role: 'group',
      kind: 'failover',
      members: [
        { sink: 'edge/sink/to_primary', priority: 10 },
        { sink: 'edge/sink/to_backup', priority: 5 },
      ],
    });
    expect(tiered.nodes.find((n) => n.id === 'collector/group/mem_balance')).toMatchObject({ kind: 'load_balance', policy: 'round_robin', backoff: true });
    expect(tiered.nodes.find((n) => n.id === 'edge/sink/to_backup')).toMatchObject({ parent: 'edge/group/uplink', priority: 5 });
    const storage = (g: FlowGraph, id: string) => (g.nodes.find((n) => n.id === id) as { storage?: string }).storage;
    expect(storage(tiered, 'edge/channel/buf')).toBe('file');
    expect(storage(tiered, 'collector/channel/mem')).toBe('memory');
  });

  it('draws one agent with --agent, without links to the others', () => {
    const graph = selectAgent(exampleGraph('tiered.flow'), 'collector')!;
    expect(graph.agents.map((a) => a.name)).toEqual(['collector']);
    expect(graph.nodes.every((n) => n.agent === 'collector')).toBe(true);
    expect(graph.edges.some((e) => e.kind === 'links')).toBe(false);
    expect(selectAgent(graph, 'nobody')).toBeUndefined();
  });
});

const secretsFlow = `
agent front on "front.example.com" {
  source rpc : avro {
    bind = "0.0.0.0"
    port = 4545
    ssl = true
    keystore = "/etc/flume/keystore.jks"
    keystore-password = "ks-S3CRET-1"
  }
  source bus : kafka {
    kafka.bootstrap.servers = "kafka:9093"
    kafka.topics = "events"
    kafka.consumer.ssl.keystore.password = "ks-S3CRET-2"
    kafka.consumer.sasl.jaas.config = "org.apache.kafka.common.security.plain.PlainLoginModule required password=ks-S3CRET-3;"
  }
  channel mem : memory { capacity = 10_000, transactionCapacity = 1_000 }
  channel audit : "com.example.flume.AuditChannel" { vault.token = "ks-S3CRET-4" }
  sink up : avro { to = back.rpc, ssl = true, truststore = "/etc/flume/trust.jks", truststore-password = "ks-S3CRET-5" }
  sink spare : avro { to = back.rpc, truststore-password = env("TRUST_PASSWORD", "ks-S3CRET-6") }
  sink store : "com.example.flume.ObjectStoreSink" { bucket = "b", secretKey = "ks-S3CRET-7", awsCredentials = "ks-S3CRET-8" }

  rpc | "com.example.flume.AuthInterceptor$Builder" { apiPassword = "ks-S3CRET-9" } -> mem, audit with { type = "com.example.flume.TenantSelector", clientSecret = "ks-S3CRET-10" }
  bus -> mem
  mem -> failover { up: 10, spare: 5 }
  audit -> store
}

agent back on "back.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4545 }
  channel mem : memory
  sink out : logger
  rpc -> mem -> out
}
`;

describe('secrets', () => {
  it('are masked in the model and never appear in any format', async () => {
    const graph = graphOf(secretsFlow, 'secrets.flow');
    const outputs = await allFormats(graph);
    for (const [format, text] of Object.entries(outputs)) {
      expect(text, format).not.toMatch(/S3CRET/);
      expect(text, format).not.toContain('TRUST_PASSWORD');
    }
    const masked = [
      ...graph.nodes.flatMap((n) => n.properties),
      ...graph.nodes.flatMap((n) => (n.role === 'source' ? n.steps.flatMap((s) => s.properties) : [])),
    ].filter((p) => p.masked);
    expect(masked.map((p) => p.key).sort()).toEqual(
      [
        'keystore-password',
        'kafka.consumer.ssl.keystore.password',
        'kafka.consumer.sasl.jaas.config',
        'vault.token',
        'truststore-password',
        'truststore-password',
        'secretKey',
        'awsCredentials',
        'apiPassword',
        'clientSecret',
      ].sort(),
    );
    expect(masked.every((p) => p.text === '******')).toBe(true);
    // What is not secret is still shown.
    expect(outputs.json).toContain('/etc/flume/keystore.jks');
  });

  it('stay out of the CLI output too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowc-graph-'));
    const file = join(dir, 'secrets.flow');
    writeFileSync(file, secretsFlow);
    for (const format of ['svg', 'html', 'dot', 'mermaid', 'json']) {
      const r = flowc(['graph', file, '--format', format]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/S3CRET/);
    }
  }, 60_000);
});

describe('escaping', () => {
  const odd = `
agent "we\\"ird<b>#x" {
  source "src \\"1\\" <script>" : netcat { bind = "0.0.0.0", port = 5000 }
  channel "c&#1;" : memory
  sink "k\`|]" : logger
  sink "two\\nlines" : logger
  "src \\"1\\" <script>" -> "c&#1;" -> "k\`|]", "two\\nlines"
}`;

  it('keeps odd names inside their quotes in every format', async () => {
    const graph = graphOf(odd);
    const out = await allFormats(graph);
    // Mermaid: every label is one quoted string with entity codes, no raw quote or angle bracket.
    for (const line of out.mermaid!.split('\n').filter((l) => l.includes('src'))) {
      expect(line).not.toMatch(/<script>/);
      expect((line.match(/"/g) ?? []).length % 2).toBe(0);
    }
    expect(out.mermaid).toContain('#34;');
    // A line break in a name stays inside its label.
    expect(out.mermaid.split('\n').every((l) => l === '' || l === 'flowchart LR' || l.startsWith('  '))).toBe(true);
    expect(out.mermaid).toContain('two lines');
    expect(out.dot).toContain('\\"1\\"');
    expect(out.dot).toContain('<b>src &quot;1&quot; &lt;script&gt;</b>');
    expect(out.svg).not.toContain('<script>');
    expect(out.html).not.toMatch(/<script>(?!\s*\(\(\) =>)/);
    expect(out.html.match(/<\/script>/g)!.length).toBe(2);
    expect(JSON.parse(out.json).nodes.map((n: { name: string }) => n.name)).toEqual(['src "1" <script>', 'c&#1;', 'k`|]', 'two\nlines']);
  });
});

describe('svg', () => {
  it('is the same, byte for byte, when drawn twice and in two separate processes', async () => {
    const graph = exampleGraph('tiered.flow');
    const first = await renderSvg(graph);
    expect(await renderSvg(exampleGraph('tiered.flow'))).toBe(first);
    const script = `
      import { readFileSync } from 'node:fs';
      const { compileText } = await import(${JSON.stringify(pathToFileURL(resolve('dist/compiler/program.js')).href)});
      const { buildGraph } = await import(${JSON.stringify(pathToFileURL(resolve('dist/compiler/graph/model.js')).href)});
      const { renderSvg } = await import(${JSON.stringify(pathToFileURL(resolve('dist/compiler/graph/render-svg.js')).href)});
      const path = 'examples/tiered.flow';
      process.stdout.write(await renderSvg(buildGraph(compileText(readFileSync(path, 'utf8'), path).program)));
    `;
    const run = () => spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const [a, b] = [run(), run()];
    expect(a.status, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).toBe(first);
  }, 60_000);

  it('draws every component, styled per kind, with no generated ids and short numbers', async () => {
    const graph = exampleGraph('tiered.flow');
    const svg = await renderSvg(graph);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const n of graph.nodes) expect(svg).toContain(`data-id="${n.id}"`);
    expect(svg).toContain('class="node channel-file"');
    expect(svg).toContain('class="node channel-memory"');
    expect(svg).toContain('class="cluster agent" data-agent="edge"');
    expect(svg).toContain('class="edge links"');
    expect(svg).not.toMatch(/="[^"]*\d\.\d{2,}/);
    expect(svg).not.toMatch(/\sid="(?!flowc-arrow)/);
  });

  it('renders a generated 100-agent flow', async () => {
    const graph = graphOf(generateFlow(100, 10), 'generated.flow');
    expect(graph.agents).toHaveLength(100);
    const svg = await renderSvg(graph);
    expect(svg.match(/class="cluster agent"/g)).toHaveLength(100);
    expect(svg.match(/<g class="node /g)).toHaveLength(graph.nodes.length);
    const [, width, height] = svg.match(/width="(\d+)" height="(\d+)"/)!.map(Number);
    // Packed in rows: a sheet, not one column of a hundred agents.
    expect(width! / height!).toBeGreaterThan(0.5);
  }, 60_000);
});

describe('README', () => {
  it('shows the current mermaid output of the tiered and multiplexing examples', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## What a flow looks like'));
    const blocks = [...section.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([renderMermaid(exampleGraph('tiered.flow')), renderMermaid(exampleGraph('multiplexing.flow'))]);
  });
});

describe('flowc graph', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'flowc-graph-'));

  it('prints svg to stdout by default', () => {
    const r = flowc(['graph', 'examples/tiered.flow']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('<svg ')).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('prints each format to stdout', () => {
    expect(flowc(['graph', 'examples/multiplexing.flow', '--format', 'mermaid']).stdout).toBe(renderMermaid(exampleGraph('multiplexing.flow')));
    expect(flowc(['graph', 'examples/multiplexing.flow', '-f', 'dot']).stdout).toBe(renderDot(exampleGraph('multiplexing.flow')));
    expect(JSON.parse(flowc(['graph', 'examples/multiplexing.flow', '-f', 'json']).stdout).version).toBe(1);
    expect(flowc(['graph', 'examples/multiplexing.flow', '-f', 'html']).stdout).toMatch(/^<!doctype html>/);
  }, 60_000);

  it('writes to -o, taking the format from the file name', () => {
    const dir = tmp();
    const out = join(dir, 'sub', 'tiered.mmd');
    const r = flowc(['graph', 'examples/tiered.flow', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(renderMermaid(exampleGraph('tiered.flow')));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['tiered.mmd']);
    const forced = join(dir, 'graph.txt');
    expect(flowc(['graph', 'examples/tiered.flow', '-o', forced, '--format', 'dot']).status).toBe(0);
    expect(readFileSync(forced, 'utf8')).toMatch(/^digraph flowc \{/);
  }, 60_000);

  it('writes a real PNG for -o g.png, and refuses a name whose extension is no format', () => {
    const dir = tmp();
    const png = join(dir, 'g.png');
    const r = flowc(['graph', 'examples/tiered.flow', '-o', png]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${png}\n`);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    // Twice the svg's size: sharp on high-density screens.
    const svgWidth = Number(/width="(\d+)"/.exec(flowc(['graph', 'examples/tiered.flow']).stdout)![1]);
    expect(bytes.readUInt32BE(16)).toBe(svgWidth * 2);

    for (const name of ['g.jpg', 'g.pdf', 'graph.svgz']) {
      const refused = flowc(['graph', 'examples/tiered.flow', '-o', join(dir, name)]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`cannot tell what to draw from the name \`${join(dir, name)}\``);
      expect(refused.stderr).toContain('.svg, .png, .html');
      expect(refused.stderr).toContain('--format svg|png|html|dot|mermaid|json');
      expect(existsSync(join(dir, name))).toBe(false);
    }
    expect(readdirSync(dir)).toEqual(['g.png']);
  }, 60_000);

  it('draws one agent with --agent', () => {
    const r = flowc(['graph', 'examples/tiered.flow', '-f', 'json', '--agent', 'collector2']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).agents.map((a: { name: string }) => a.name)).toEqual(['collector2']);
  });

  it('prints diagnostics and writes nothing when the flow has errors', () => {
    const dir = tmp();
    const out = join(dir, 'x.svg');
    const r = flowc(['graph', 'test/baselines/unknown-kind.flow', '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[FLOW020\]/);
    expect(r.stderr).toMatch(/--> test\/baselines\/unknown-kind\.flow:2:15/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 with a clear message for bad paths and names', () => {
    const missing = flowc(['graph', 'no/such.flow']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read `no/such.flow`: no such file or folder');
    const folder = flowc(['graph', 'examples']);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain('`examples` is a folder');
    const agent = flowc(['graph', 'examples/tiered.flow', '--agent', 'nobody']);
    expect(agent.status).toBe(2);
    expect(agent.stderr).toContain('has no agent named `nobody`');
    expect(agent.stderr).toContain('`edge`, `collector`, `collector2`');
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'x');
    const unwritable = flowc(['graph', 'examples/tiered.flow', '-o', join(dir, 'file', 'out.svg')]);
    expect(unwritable.status).toBe(2);
    expect(unwritable.stderr).toContain('cannot write');
    const format = flowc(['graph', 'examples/tiered.flow', '--format', 'jpg']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('Allowed choices are svg, png, html, dot, mermaid, json');
    for (const r of [missing, folder, agent, unwritable, format]) expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  }, 60_000);
});

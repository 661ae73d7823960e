// The language server as an editor sees it: the real `flowc lsp --stdio` in a child process,
// spoken to over JSON-RPC. One test per feature, each completion context and each quick fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionItem, CompletionList, DocumentSymbol, Hover, Location, Position, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { formatText } from '../compiler/format/printer.js';
import { flowc } from './helpers/cli.js';
import { startLsp, type LspClient } from './helpers/lsp.js';
import { mkdirSync, writeFileSync } from 'node:fs';

const FLOW = `let root = "/var/lib/flume"

agent edge on "edge-1.example.com" {
  source app : netcat { bind = "0.0.0.0", port = 5140 }
  channel buf : file {
    checkpointDir = root + "/checkpoint"
    dataDirs = [root + "/data"]
  }
  sink up : avro { to = collector.rpc }
  app -> buf
  buf -> up
}

agent collector on "collector.example.com" {
  source rpc : avro { bind = "0.0.0.0", port = 4545 }
  channel mem : memory { capacity = 10_000 }
  sink archive : hdfs {
    hdfs.path = "/logs/%Y"
    hdfs.useLocalTimeStamp = true
    hdfs.rollInterval = 300
  }
  rpc -> mem
  mem -> archive
}
`;

let lsp: LspClient;
beforeAll(async () => {
  lsp = await startLsp();
});
afterAll(async () => {
  await lsp?.stop();
});

/** The position of the `nth` occurrence of `needle` in `text`, plus `shift` characters. */
function at(text: string, needle: string, shift = 0, nth = 0): Position {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`\`${needle}\` not in text`);
  const doc = TextDocument.create('x', 'flow', 1, text);
  return doc.positionAt(index + shift);
}

/** Opens `text` with `marker` removed; returns the URI and the position where the marker was. */
async function openAt(name: string, text: string, marker = '¦'): Promise<{ uri: string; position: Position; text: string }> {
  const index = text.indexOf(marker);
  const clean = text.replace(marker, '');
  const uri = await lsp.open(name, clean);
  return { uri, position: TextDocument.create(uri, 'flow', 1, clean).positionAt(index), text: clean };
}

async function completion(uri: string, position: Position): Promise<CompletionItem[]> {
  const r = await lsp.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
  return Array.isArray(r) ? r : (r?.items ?? []);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('x', 'flow', 1, text), edits);
}

function editsOf(edit: WorkspaceEdit | null | undefined, uri: string): TextEdit[] {
  return edit?.changes?.[uri] ?? [];
}

describe('diagnostics', () => {
  it('publishes the checker diagnostics with the codes of flowc check, related locations included, and clears them when fixed', async () => {
    const broken = FLOW.replace('channel mem : memory', 'channel mem : memroy').replace('  sink archive : hdfs {', '  sink archive : hdfs {\n  }\n  sink archive : logger {');
    const uri = await lsp.open('diagnostics.flow', broken);
    const diagnostics = await lsp.diagnostics(uri);

    mkdirSync('test-output/lsp', { recursive: true });
    writeFileSync('test-output/lsp/diagnostics-cli.flow', broken);
    const cli = JSON.parse(flowc(['check', '--format', 'json', 'test-output/lsp/diagnostics-cli.flow']).stdout) as { diagnostics: { code: string; range: { start: { line: number; column: number } } }[] };
    const fromCli = cli.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column}`);
    expect(fromCli.length).toBeGreaterThanOrEqual(3);
    expect(diagnostics.map((d) => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}`).sort()).toEqual(fromCli.sort());

    const unknownKind = diagnostics.find((d) => d.code === 'FLOW020')!;
    expect(unknownKind.message).toContain('unknown channel kind `memroy`');
    expect(unknownKind.message).toContain('help: did you mean `memory`?');
    expect(unknownKind.range.start).toEqual(at(broken, 'memroy'));
    expect(unknownKind.severity).toBe(1);

    const duplicate = diagnostics.find((d) => d.code === 'FLOW010')!;
    expect(duplicate.relatedInformation).toEqual([{ location: { uri, range: { start: at(broken, 'archive'), end: at(broken, 'archive', 'archive'.length) } }, message: 'first declared here' }]);

    lsp.replace(uri, FLOW);
    expect(await lsp.diagnostics(uri, 2)).toEqual([]);
  });

  it('reports syntax errors as the user types, and goes on checking the rest', async () => {
    const uri = await lsp.open('typing.flow', FLOW);
    expect(await lsp.diagnostics(uri)).toEqual([]);
    lsp.replace(uri, FLOW.replace('capacity = 10_000', 'capacity = '));
    const d = await lsp.diagnostics(uri, 2);
    expect(d.map((x) => x.code)).toContain('FLOW002');
    lsp.replace(uri, FLOW.replace('capacity = 10_000', 'capacity = 10_000').replace('port = 4545', 'port = 99999'));
    const again = await lsp.diagnostics(uri, 3);
    expect(again.map((x) => x.code)).toEqual(['FLOW026']);
  });
});

describe('completion', () => {
  it('offers the component kinds of the role after `:`', async () => {
    const { uri, position } = await openAt('kinds.flow', FLOW.replace('  rpc -> mem', '  sink k2 : ¦\n  rpc -> mem'));
    const items = await completion(uri, position);
    expect(labels(items)).toEqual(expect.arrayContaining(['hdfs', 'logger', 'avro', 'file_roll', 'kafka']));
    expect(labels(items)).not.toContain('memory');
    const hdfs = items.find((i) => i.label === 'hdfs')!;
    expect(JSON.stringify(hdfs.documentation)).toContain('hdfs.path');

    const channel = await openAt('kinds2.flow', FLOW.replace('  rpc -> mem', '  channel c2 : me¦\n  rpc -> mem'));
    expect(labels(await completion(channel.uri, channel.position))).toEqual(expect.arrayContaining(['memory', 'file']));
  });

  it('offers property names inside a block, with type, default and doc, leaving out those already set', async () => {
    const { uri, position } = await openAt('props.flow', FLOW.replace('    hdfs.rollInterval = 300\n', '    hdfs.rollInterval = 300\n    ¦\n'));
    const items = await completion(uri, position);
    const names = labels(items);
    expect(names).toEqual(expect.arrayContaining(['hdfs.rollSize', 'hdfs.fileType', 'hdfs.batchSize']));
    expect(names).not.toContain('hdfs.path');
    expect(names).not.toContain('hdfs.rollInterval');
    const rollSize = items.find((i) => i.label === 'hdfs.rollSize')!;
    expect(rollSize.detail).toContain('bytes');
    expect(rollSize.detail).toContain('default 1024');
    expect(JSON.stringify(rollSize.documentation)).toMatch(/roll/i);

    // In a nested block, names are relative to it.
    const nested = await openAt('nested.flow', FLOW.replace('    hdfs.path = "/logs/%Y"\n', '    hdfs.path = "/logs/%Y"\n    hdfs {\n      roll¦\n    }\n'));
    const nestedNames = labels(await completion(nested.uri, nested.position));
    expect(nestedNames).toEqual(expect.arrayContaining(['rollSize', 'rollCount']));
    expect(nestedNames).not.toContain('rollInterval');
  });

  it('offers the allowed values of an enum', async () => {
    const { uri, position } = await openAt('enum.flow', FLOW.replace('    hdfs.rollInterval = 300\n', '    hdfs.rollInterval = 300\n    hdfs.fileType = ¦\n'));
    expect(labels(await completion(uri, position))).toEqual(['SequenceFile', 'DataStream', 'CompressedStream']);
  });

  it('offers component names after `->`, `,` and `|`', async () => {
    const sinks = await openAt('arrow.flow', FLOW.replace('  mem -> archive', '  mem -> ¦'));
    const sinkItems = labels(await completion(sinks.uri, sinks.position));
    expect(sinkItems).toContain('archive');
    expect(sinkItems).not.toContain('mem');

    const channels = await openAt('arrow2.flow', FLOW.replace('  app -> buf', '  app -> buf, ¦'));
    expect(labels(await completion(channels.uri, channels.position))).toEqual(['buf']);

    const pipe = await openAt('pipe.flow', FLOW.replace('  app -> buf', '  app | ¦ -> buf'));
    expect(labels(await completion(pipe.uri, pipe.position))).toEqual(expect.arrayContaining(['timestamp', 'host', 'static']));
  });

  it('offers `agent.source` after `to =`, for sources that speak the sink\'s protocol', async () => {
    const { uri, position } = await openAt('to.flow', FLOW.replace('to = collector.rpc', 'to = ¦'));
    const items = await completion(uri, position);
    expect(labels(items)).toEqual(['collector.rpc']);
    expect(items[0]!.detail).toContain('port 4545');
  });

  it('offers units after a number, in the property\'s kind of unit', async () => {
    const duration = await openAt('units.flow', FLOW.replace('hdfs.rollInterval = 300', 'hdfs.rollInterval = 30¦'));
    const items = await completion(duration.uri, duration.position);
    expect(labels(items)).toEqual(['30s', '30m', '30h', '30d']);
    expect(items[1]!.detail).toContain('1800 seconds');
    expect(items[1]!.textEdit).toMatchObject({ newText: '30m' });

    const size = await openAt('units2.flow', FLOW.replace('hdfs.rollInterval = 300', 'hdfs.rollSize = 128¦'));
    expect(labels(await completion(size.uri, size.position))).toEqual(['128B', '128KB', '128MB', '128GB', '128TB']);
  });
});

describe('hover', () => {
  it('shows a property\'s doc, type, unit, default and the Flume key and value it compiles to', async () => {
    const uri = await lsp.open('hover.flow', FLOW);
    const h = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(FLOW, 'rollInterval', 2) });
    const text = JSON.stringify(h.contents);
    expect(text).toContain('hdfs.rollInterval');
    expect(text).toContain('long, seconds');
    expect(text).toContain('default 30');
    expect(text).toContain('collector.sinks.archive.hdfs.rollInterval = 300');
  });

  it('shows a kind\'s summary and required properties', async () => {
    const uri = await lsp.open('hover-kind.flow', FLOW);
    const h = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(FLOW, ': hdfs', 3) });
    const text = JSON.stringify(h.contents);
    expect(text).toContain('**hdfs** · sink');
    expect(text).toContain('Required: `hdfs.path`');
  });

  it('shows a component\'s declaration and connections', async () => {
    const uri = await lsp.open('hover-name.flow', FLOW);
    const h = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(FLOW, 'mem -> archive', 1) });
    const text = (h.contents as { value: string }).value;
    expect(text).toContain('channel mem : memory { capacity = 10_000 }');
    expect(text).toContain('Fed by: `rpc`');
    expect(text).toContain('Drained by: `archive`');
    const source = await lsp.request<Hover>('textDocument/hover', { textDocument: { uri }, position: at(FLOW, 'rpc :', 1) });
    expect((source.contents as { value: string }).value).toContain('Receives from: `edge.up`');
  });
});

describe('definition, references and rename', () => {
  it('goes to the declaration of a component, an agent.source link and a constant', async () => {
    const uri = await lsp.open('def.flow', FLOW);
    const def = (position: Position) => lsp.request<Location>('textDocument/definition', { textDocument: { uri }, position });
    expect((await def(at(FLOW, 'mem -> archive', 1))).range.start).toEqual(at(FLOW, 'mem :'));
    expect((await def(at(FLOW, 'collector.rpc', 'collector.'.length + 1))).range.start).toEqual(at(FLOW, 'rpc :'));
    expect((await def(at(FLOW, 'collector.rpc', 2))).range.start).toEqual(at(FLOW, 'collector on'));
    expect((await def(at(FLOW, 'root + "/data"', 1))).range.start).toEqual(at(FLOW, 'root ='));
  });

  it('finds every reference, with or without the declaration', async () => {
    const uri = await lsp.open('refs.flow', FLOW);
    const refs = (position: Position, includeDeclaration: boolean) => lsp.request<Location[]>('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration } });
    const mem = await refs(at(FLOW, 'mem :'), true);
    expect(mem.map((l) => l.range.start)).toEqual([at(FLOW, 'mem :'), at(FLOW, 'rpc -> mem', 7), at(FLOW, 'mem -> archive')]);
    expect(await refs(at(FLOW, 'mem :'), false)).toHaveLength(2);
    const root = await refs(at(FLOW, 'root'), true);
    expect(root).toHaveLength(3);
  });

  it('renames a component, an agent and a constant everywhere, and the file still checks', async () => {
    const uri = await lsp.open('rename.flow', FLOW);
    const rename = (position: Position, newName: string) => lsp.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position, newName });
    let text = apply(FLOW, editsOf(await rename(at(FLOW, 'mem -> archive'), 'hot'), uri));
    expect(text).toContain('channel hot : memory');
    expect(text).toContain('rpc -> hot\n  hot -> archive');
    text = apply(text, editsOf(await rename(at(text, 'collector on'), 'central'), uri));
    expect(text).toContain('to = central.rpc');
    expect(text).toContain('agent central on');
    text = apply(text, editsOf(await rename(at(text, 'root'), 'dataRoot'), uri));
    expect(text.match(/dataRoot/g)).toHaveLength(3);
    writeFileSync('test-output/lsp/renamed.flow', text);
    expect(flowc(['check', 'test-output/lsp/renamed.flow']).status).toBe(0);

    const prepare = await lsp.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: at(FLOW, 'archive') });
    expect(prepare.placeholder).toBe('archive');
    await expect(rename(at(FLOW, 'root'), 'default')).rejects.toThrow(/keyword/);
    await expect(rename(at(FLOW, 'mem :'), 'rpc')).rejects.toThrow(/already the name/);
  });
});

describe('document symbols', () => {
  it('lists the agents, each holding its components, for the outline', async () => {
    const uri = await lsp.open('symbols.flow', FLOW);
    const symbols = await lsp.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['root', 'edge', 'collector']);
    const collector = symbols[2]!;
    expect(collector.children!.map((c) => `${c.name} ${c.detail}`)).toEqual(['rpc source : avro', 'mem channel : memory', 'archive sink : hdfs']);
    expect(collector.range.start).toEqual(at(FLOW, 'agent collector'));
    expect(collector.selectionRange.start).toEqual(at(FLOW, 'collector on'));
  });
});

describe('formatting', () => {
  it('formats as flowc fmt does, and leaves a file with syntax errors alone', async () => {
    const messy = FLOW.replace('  channel mem : memory { capacity = 10_000 }', 'channel    mem:memory{capacity=10_000}').replace('  rpc -> mem', 'rpc->mem');
    const uri = await lsp.open('fmt.flow', messy);
    const edits = await lsp.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(apply(messy, edits)).toBe(formatText(messy, 'fmt.flow').text);
    expect(apply(messy, edits)).toContain('  channel mem : memory { capacity = 10_000 }\n');
    expect(apply(messy, edits)).toContain('  rpc -> mem\n');

    const broken = await lsp.open('fmt-broken.flow', `${messy}\nagent {`);
    expect(await lsp.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: broken }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });
});

describe('quick fixes', () => {
  async function fixesFor(uri: string, code: string): Promise<{ actions: CodeAction[] }> {
    const diagnostics = (await lsp.diagnostics(uri)).filter((d) => d.code === code);
    expect(diagnostics).toHaveLength(1);
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]!.range, context: { diagnostics } });
    return { actions };
  }

  it('applies a did-you-mean', async () => {
    const text = FLOW.replace('hdfs.rollInterval', 'hdfs.rolInterval');
    const uri = await lsp.open('fix-typo.flow', text);
    const { actions } = await fixesFor(uri, 'FLOW021');
    expect(actions.map((a) => a.title)).toEqual(['Change to `hdfs.rollInterval`']);
    expect(apply(text, editsOf(actions[0]!.edit, uri))).toBe(FLOW);
  });

  it('adds a missing required property with a placeholder, in a block on several lines, on one line, or none', async () => {
    const several = FLOW.replace('    hdfs.path = "/logs/%Y"\n', '');
    const uri = await lsp.open('fix-required.flow', several);
    const { actions } = await fixesFor(uri, 'FLOW022');
    expect(actions.map((a) => a.title)).toEqual(['Add `hdfs.path = "..."`']);
    expect(apply(several, editsOf(actions[0]!.edit, uri))).toBe(FLOW.replace('    hdfs.path = "/logs/%Y"\n', '').replace('    hdfs.rollInterval = 300\n', '    hdfs.rollInterval = 300\n    hdfs.path = "..."\n'));

    const oneLine = FLOW.replace('source rpc : avro { bind = "0.0.0.0", port = 4545 }', 'source rpc : avro { port = 4545 }');
    const uri2 = await lsp.open('fix-required2.flow', oneLine);
    const second = await fixesFor(uri2, 'FLOW022');
    expect(apply(oneLine, editsOf(second.actions[0]!.edit, uri2))).toContain('source rpc : avro { port = 4545, bind = "..." }');

    const none = FLOW.replace('  sink up : avro { to = collector.rpc }', '  sink up : avro');
    const uri3 = await lsp.open('fix-required3.flow', none);
    const diagnostics = (await lsp.diagnostics(uri3)).filter((d) => d.code === 'FLOW022');
    const actions3 = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri3 }, range: diagnostics[0]!.range, context: { diagnostics: [diagnostics[0]] } });
    expect(apply(none, editsOf(actions3[0]!.edit, uri3))).toContain('sink up : avro { hostname = "..." }');
  });

  it('writes a bare number as a duration or size with its unit', async () => {
    const uri = await lsp.open('fix-unit.flow', FLOW);
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at(FLOW, '300', 1), end: at(FLOW, '300', 1) },
      context: { diagnostics: [] },
    });
    expect(actions.map((a) => a.title)).toEqual(['Write 300 seconds as the duration `5m`']);
    const fixed = apply(FLOW, editsOf(actions[0]!.edit, uri));
    expect(fixed).toContain('hdfs.rollInterval = 5m');

    const bytes = FLOW.replace('hdfs.rollInterval = 300', 'hdfs.rollSize = 134217728');
    const uri2 = await lsp.open('fix-unit2.flow', bytes);
    const sized = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri2 }, range: { start: at(bytes, '1342'), end: at(bytes, '1342') }, context: { diagnostics: [] } });
    expect(apply(bytes, editsOf(sized[0]!.edit, uri2))).toContain('hdfs.rollSize = 128MB');
  });
});

describe('editor commands', () => {
  it('draws the graph of the document as it is, with where each node is declared', async () => {
    const uri = await lsp.open('graph.flow', FLOW);
    const graph = await lsp.request<{ svg: string; nodes: Record<string, Position> }>('flowc/graph', { textDocument: { uri } });
    expect(graph.svg).toContain('<svg');
    expect(graph.svg).toContain('data-id="collector/channel/mem"');
    expect(graph.nodes['collector/channel/mem']).toEqual(at(FLOW, 'mem :'));
    lsp.replace(uri, FLOW.replace(': memory', ': memroy'));
    await lsp.diagnostics(uri, 2);
    const broken = await lsp.request<{ svg: string | null; errorCount: number }>('flowc/graph', { textDocument: { uri } });
    expect(broken).toMatchObject({ svg: null, errorCount: 1 });
  });

  it('builds the properties of every agent, and imports a flume.properties file', async () => {
    const uri = await lsp.open('build.flow', FLOW);
    const built = await lsp.request<{ files: { name: string; text: string }[] }>('flowc/buildProperties', { textDocument: { uri } });
    expect(built.files.map((f) => f.name)).toEqual(['edge.properties', 'collector.properties']);
    expect(built.files[1]!.text).toContain('collector.sinks.archive.hdfs.rollInterval = 300');
    const imported = await lsp.request<{ text: string }>('flowc/import', { path: 'collector.properties', base64: Buffer.from(built.files[1]!.text).toString('base64') });
    expect(imported.text).toContain('sink archive : hdfs');
    expect(imported.text).toContain('hdfs.rollInterval = 5m');
  });
});

// The language server reuses the parse of the parts of a file an edit did not touch
// (grammar/incremental.ts). These differential tests make random edits, as typing does, and
// check after each that the incremental result is exactly a fresh compile's: the same
// diagnostics (codes, messages, spans, notes) and the same syntax tree.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-protocol';
import { compileText } from '../compiler/program.js';
import { IncrementalCompiler } from '../compiler/incremental.js';
import { analyze } from '../lsp/analysis.js';
import { toLspDiagnostics } from '../lsp/diagnostics.js';
import { generateFlow } from '../bench/generate.mjs';
import { Rng } from './fuzz/rng.js';
import { startLsp, type LspClient } from './helpers/lsp.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789_-.,:={}[]()"|+/*\\ \n\t';
const SNIPPETS = ['agent b {\n', '\nagent agent0 {\n', '}\n', '  sink ', 'agent ', '"', '/*', '*/', '// x\n', 'r"', 'let x = ', '\n\n', '{ a = 1 }'];

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A random edit of `text`: mostly single characters, sometimes snippets, lines or pasted runs. */
function randomEdit(rng: Rng, text: string): Edit {
  const start = rng.int(text.length + 1);
  const roll = rng.int(100);
  if (roll < 40) return { start, end: Math.min(text.length, start + 1), text: '' };
  if (roll < 80) return { start, end: start, text: ALPHABET[rng.int(ALPHABET.length)]! };
  if (roll < 90) return { start, end: start, text: SNIPPETS[rng.int(SNIPPETS.length)]! };
  if (roll < 95) return { start, end: Math.min(text.length, start + rng.int(200)), text: '' };
  // Paste a copy of another run of the file (duplicated agents and components).
  const from = rng.int(text.length);
  return { start, end: start, text: text.slice(from, from + rng.int(400)) };
}

const apply = (text: string, e: Edit) => text.slice(0, e.start) + e.text + text.slice(e.end);

/** The compile results that must agree: diagnostics, and the tree with its spans. */
function comparable(text: string, compiler?: IncrementalCompiler) {
  const r = compiler ? compiler.compile(text, '/work/edit.flow') : compileText(text, '/work/edit.flow');
  const file = r.program.files[0]!;
  return { diagnostics: r.diagnostics, items: file.items, comments: file.comments, agents: r.program.agents };
}

const examples = readdirSync('examples')
  .filter((f) => f.endsWith('.flow'))
  .map((f) => ({ name: f, text: readFileSync(`examples/${f}`, 'utf8') }));

describe('incremental compiling equals a fresh compile', () => {
  const starts = [{ name: 'generated (8 agents)', text: generateFlow(8, 12) }, ...examples];
  for (const [i, start] of starts.entries()) {
    it(`after random edits of ${start.name}`, () => {
      const rng = new Rng(1000 + i);
      const compiler = new IncrementalCompiler();
    const parser = compiler.parser;
      let text = start.text;
      let reused = 0;
      let parts = 0;
      expect(comparable(text, compiler)).toEqual(comparable(text));
      for (let n = 0; n < 150; n++) {
        text = apply(text, randomEdit(rng, text));
        const incremental = comparable(text, compiler);
        reused += parser.stats.reused;
        parts += parser.stats.parts;
        // toEqual on the whole: a difference shows the edit number and the first differing field.
        expect({ n, ...incremental }).toEqual({ n, ...comparable(text) });
      }
      // The point of it: most parts are reused (a file with one agent has little to reuse).
      if (start.name.startsWith('generated')) expect(reused / parts).toBeGreaterThan(0.5);
    });
  }

  it('reuses parts that moved, and moves their positions', () => {
    const compiler = new IncrementalCompiler();
    const parser = compiler.parser;
    const text = generateFlow(4, 6);
    comparable(text, compiler);
    // A new line before agent2: agent1 and agent2 see it in their context; agent3 moves a line down.
    const edited = text.replace('agent agent2', '// moved\nagent agent2');
    const incremental = comparable(edited, compiler);
    expect(parser.stats).toEqual({ parts: 5, reused: 3, wholeFile: false });
    expect(compiler.stats).toEqual({ agents: 4, resolvedAgain: 2, checkedAgain: 2 });
    expect(incremental).toEqual(comparable(edited));
  });

  it('lexes a block comment that runs across agent lines as one comment', () => {
    const compiler = new IncrementalCompiler();
    const text = generateFlow(3, 4);
    comparable(text, compiler);
    const edited = text.replace('agent agent1', '/*\nagent agent1').replace('agent agent2', '*/\nagent agent2');
    const incremental = comparable(edited, compiler);
    expect(incremental).toEqual(comparable(edited));
    expect(incremental.agents.map((a) => a.name)).toEqual(['agent0', 'agent2']);
  });

  it('does not reuse an error about a made-up `{`, which points at the end of the file', () => {
    const compiler = new IncrementalCompiler();
    // The missing `{` is inserted by recovery; the unclosed agent's related span is the file's end.
    const text = `agent a0\n  channel c : memory { capacity = 1 }\n\nagent b {\n${'  channel d : memory {}\n'.repeat(5)}}\n`;
    comparable(text, compiler);
    const edited = `${text}// one more line\n`;
    const incremental = comparable(edited, compiler);
    expect(incremental).toEqual(comparable(edited));
    expect(incremental.diagnostics.find((d) => d.related)?.related?.[0]?.span.start.offset).toBe(edited.length);
  });

  it('parses the whole file when the parser gives up on too many errors, and says where', () => {
    const compiler = new IncrementalCompiler();
    const text = `agent a {\n${'  x\n'.repeat(700)}}\n${'agent b {\n  = =\n}\n'.repeat(50)}`;
    const incremental = comparable(text, compiler);
    expect(compiler.parser.stats.wholeFile).toBe(true);
    expect(incremental).toEqual(comparable(text));
    expect(incremental.diagnostics.some((d) => d.notes?.some((n) => n.includes('the parser stopped at line')))).toBe(true);
  });

  it('parses an agent again when its text changed, and only that one', () => {
    const compiler = new IncrementalCompiler();
    const parser = compiler.parser;
    const text = generateFlow(4, 6);
    comparable(text, compiler);
    const edited = text.replace('port = 10000', 'port = 1000l');
    const incremental = comparable(edited, compiler);
    expect(parser.stats.reused).toBe(parser.stats.parts - 1);
    expect(compiler.stats).toEqual({ agents: 4, resolvedAgain: 1, checkedAgain: 1 });
    expect(incremental).toEqual(comparable(edited));
    expect(incremental.diagnostics.map((d) => d.code)).toContain('FLOW004');
  });
});

describe('the server publishes, after every incremental edit, what a fresh compile says', () => {
  let lsp: LspClient;
  beforeAll(async () => {
    lsp = await startLsp();
  });
  afterAll(async () => {
    await lsp?.stop();
  });

  it('over 60 random edits sent as ranges', async () => {
    const rng = new Rng(77);
    let text = generateFlow(5, 10);
    const uri = await lsp.open('incremental.flow', text);
    await lsp.diagnostics(uri, 1);
    let document = TextDocument.create(uri, 'flow', 1, text);
    for (let version = 2; version <= 61; version++) {
      const e = randomEdit(rng, text);
      const range = { start: document.positionAt(e.start), end: document.positionAt(e.end) };
      text = apply(text, e);
      document = TextDocument.create(uri, 'flow', version, text);
      await lsp.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: e.text }] });
      const published: LspDiagnostic[] = await lsp.diagnostics(uri, version);
      expect({ version, published }).toEqual({ version, published: toLspDiagnostics(analyze(document)) });
    }
  });
});

// Target 1: .flow text through the parser, checker, diagnostics renderer, properties emitter,
// runtime-config emitter and formatter. Besides "nothing throws", the formatter must be
// idempotent, keep every comment, and keep the meaning: a file that checks clean formats into
// one that checks clean and compiles to the same properties; one with problems keeps them.
import { readFileSync } from 'node:fs';
import { catalog } from '../../compiler/catalog/index.js';
import { renderDiagnostic } from '../../compiler/diagnostics/render-text.js';
import { toJsonReport } from '../../compiler/diagnostics/render-json.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { emitProperties } from '../../compiler/emit/properties.js';
import { runtimeConfig } from '../../compiler/emit/runtime-config.js';
import { formatFlow } from '../../compiler/format/printer.js';
import { compileText } from '../../compiler/program.js';
import type { Comment } from '../../grammar/ast.js';
import { parseFlow } from '../../grammar/index.js';
import { mutateText, type TextMutator } from './mutate.js';
import { filesUnder } from './project.js';
import type { Rng } from './rng.js';
import type { FuzzTarget, Finding } from './target.js';

const PATH = 'fuzz.flow';
const MAX_LENGTH = 1024 * 1024;

const TOKEN = /\s+|\/\/[^\n\r]*|\/\*[\s\S]*?\*\/|r?"(?:[^"\\\n\r]|\\[^\n\r])*"?|[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*|-?\d[\w.]*|->|[\s\S]/gu;

function dictionary(): string[] {
  const words = new Set<string>([
    'let', 'agent', 'on', 'source', 'channel', 'sink', 'interceptor', 'group', 'filter', 'route', 'header',
    'default', 'with', 'failover', 'balance', 'true', 'false', '{', '}', '[', ']', '(', ')', '=', ':', ',', ';',
    '.', '|', '?', '+', '->', '\n', '"x"', '""', 'r"\\d+"', 'r""', '"\\u{10FFFF}"', '"\\uD800"', '"\\u{110000}"', '"\\q"',
    '0', '-1', '1_000', '1__0', '_1', '1.5e3', '1e999', '9007199254740993', '-0', '0.0000001', '5m', '0s', '250ms',
    '10MB', '1TB', '99999999999TB', '5min', '10kb', 'env("HOME")', 'env("X", "d")', 'env()', 'env(1)', 'nope(1)',
    '// c', '/* c */', '/*', '*/', 'a1', 'c1', 'k1', 'r1', 'in', 'out', '"my sink"', '"<Agent>"', 'a.b.c',
  ]);
  for (const spec of catalog) {
    words.add(spec.kind);
    words.add(`"${spec.className}"`);
    for (const p of spec.properties) words.add(p.name.replace(/<\w+>/g, 'x').replace(/\*$/, 'y'));
  }
  return [...words];
}

export const flowMutator: TextMutator = {
  tokenize: (text) => text.match(TOKEN) ?? [],
  dictionary: dictionary(),
};

function loadSeeds(): string[] {
  const files = [...filesUnder('examples', /\.flow$/), ...filesUnder('test/baselines', /\.flow$/), ...filesUnder('test/fixtures', /\.flow$/)];
  const seeds = files.map((f) => readFileSync(f, 'utf8'));
  for (const doc of filesUnder('docs', /\.md$/)) {
    for (const m of readFileSync(doc, 'utf8').matchAll(/```flow\n([\s\S]*?)```/g)) seeds.push(m[1]!);
  }
  return seeds;
}

/** Inputs made from nothing: a long `+` chain, many components, random bytes. */
function generated(rng: Rng): string {
  switch (rng.int(4)) {
    case 0: {
      const terms = 1 + rng.skewed(20_000);
      return `let x = ${Array.from({ length: terms }, (_, i) => (i % 2 ? '"a"' : 'x0')).join(' + ')}\n`;
    }
    case 1: {
      const n = 1 + rng.skewed(5000);
      const sinks = Array.from({ length: n }, (_, i) => `  sink k${i} : logger\n  c -> k${i}\n`).join('');
      return `agent a {\n  source s : seq\n  channel c : memory\n  s -> c\n${sinks}}\n`;
    }
    case 2:
      return rng.bytes(rng.skewed(4096)).toString('latin1');
    default: {
      const depth = 1 + rng.skewed(60);
      return `agent a { source s : netcat ${'{ a '.repeat(depth)}= 1 ${'}'.repeat(depth)} }\n`;
    }
  }
}

export function makeFlowTarget(): FuzzTarget {
  const seeds = loadSeeds();
  return {
    name: 'flow',
    extension: '.flow',
    describeSeeds: () => `${seeds.length} seed files (examples, test/baselines, docs)`,
    generate(rng: Rng): string {
      if (rng.chance(0.01)) return generated(rng);
      return mutateText(rng, rng.pick(seeds), seeds, flowMutator, { maxLength: MAX_LENGTH });
    },
    check: checkFlow,
    replay: (path) => `npx flowc check ${path} && npx flowc fmt --check ${path}`,
  };
}

/** Everything a user's `check`, `build`, `run` and `fmt` would do with the text, and the formatter's promises. */
export function checkFlow(text: string): Finding | undefined {
  const compiled = compileText(text, PATH);
  const internal = compiled.diagnostics.find((d) => /internal error/i.test(d.message));
  if (internal) return { kind: 'crash', message: `a diagnostic reports an internal error: ${internal.code} ${internal.message}` };
  render(compiled.diagnostics, text);
  let properties: string | undefined;
  if (compiled.errorCount === 0) {
    properties = propertiesOf(compiled.program);
    for (const agent of compiled.program.agents) runtimeConfig(compiled.program, agent, { env: {} });
  }

  // formatText(x), with the tree kept for its comments.
  const parsed = parseFlow(text, PATH);
  // A file with syntax errors is refused by formatText (it returns the text unchanged).
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const y = formatFlow(parsed.file);
  const parsedY = parseFlow(y, PATH);
  if (parsedY.diagnostics.some((d) => d.severity === 'error')) {
    return { kind: 'formatter', message: `fmt wrote a file with syntax errors: ${parsedY.diagnostics.find((d) => d.severity === 'error')!.message}`, detail: y };
  }
  const again = formatFlow(parsedY.file);
  if (again !== y) return { kind: 'formatter', message: 'fmt is not idempotent: fmt(fmt(x)) != fmt(x)', detail: `--- x\n${text}\n--- fmt(x)\n${y}\n--- fmt(fmt(x))\n${again}` };

  const lost = lostComment(parsed.file.comments, parsedY.file.comments);
  if (lost) return { kind: 'formatter', message: `fmt lost or changed a comment: ${JSON.stringify(lost).slice(0, 200)}`, detail: y };

  const compiledY = compileText(y, PATH);
  if (properties !== undefined) {
    if (compiledY.errorCount > 0) {
      return { kind: 'formatter', message: `fmt changed meaning: x checks clean, fmt(x) has errors (${codes(compiledY.diagnostics)})`, detail: y };
    }
    const propertiesY = propertiesOf(compiledY.program);
    if (propertiesY !== properties) {
      return { kind: 'formatter', message: 'fmt changed meaning: x and fmt(x) compile to different properties', detail: `--- fmt(x)\n${y}\n--- properties of x\n${properties}\n--- properties of fmt(x)\n${propertiesY}` };
    }
  } else if (codes(compiled.diagnostics) !== codes(compiledY.diagnostics)) {
    return {
      kind: 'formatter',
      message: `fmt changed meaning: the problems differ (x: ${codes(compiled.diagnostics)}; fmt(x): ${codes(compiledY.diagnostics)})`,
      detail: y,
    };
  }
  return undefined;
}

function render(diagnostics: Diagnostic[], text: string): void {
  const sources = new Map([[PATH, text]]);
  for (const d of diagnostics.slice(0, 60)) renderDiagnostic(d, { color: false, sources });
  JSON.stringify(toJsonReport(diagnostics));
}

/** The properties of every agent, without the comment lines (they name source lines). */
function propertiesOf(program: Parameters<typeof emitProperties>[0]): string {
  return emitProperties(program)
    .map((f) => `## ${f.name}\n${f.text.split('\n').filter((l) => !l.startsWith('#')).join('\n')}`)
    .join('\n');
}

function codes(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity}:${d.code}`).sort().join(' ') || 'none';
}

/** The first comment of x that fmt(x) does not have (as many times), if any. */
function lostComment(before: readonly Comment[], after: readonly Comment[]): string | undefined {
  const count = new Map<string, number>();
  for (const c of after) count.set(norm(c.text), (count.get(norm(c.text)) ?? 0) + 1);
  for (const c of before) {
    const n = count.get(norm(c.text)) ?? 0;
    if (n === 0) return c.text;
    count.set(norm(c.text), n - 1);
  }
  return undefined;
}

/** Comment text up to trailing white space on its lines, which fmt drops (`trimEnd`). */
function norm(text: string): string {
  return text.split(/\r\n|\n|\r/).map((l) => l.trimEnd()).join('\n');
}

// Target 2: flume.properties files through `flowc import` (the Java properties reader, Flume's
// loading rules, the importer, the formatter), then the .flow it writes through `check` and
// `build`. Besides "nothing throws": the .flow has no syntax error, it is already formatted
// (fmt leaves it alone), and compiling it never reports an internal error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '../../compiler/catalog/index.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { renderDiagnostic } from '../../compiler/diagnostics/render-text.js';
import { emitProperties } from '../../compiler/emit/properties.js';
import { decodeConfigText, readFlumeConfig } from '../../compiler/flume/read-config.js';
import { formatFlow, formatText } from '../../compiler/format/printer.js';
import { importConfig } from '../../compiler/import/import.js';
import { compileText } from '../../compiler/program.js';
import { mutateText, type TextMutator } from './mutate.js';
import { filesUnder, sharedCorpus } from './project.js';
import type { Rng } from './rng.js';
import type { Finding, FuzzTarget } from './target.js';

const PATH = 'fuzz.properties';
const FLOW_PATH = 'fuzz.flow';
const MAX_LENGTH = 1024 * 1024;

const TOKEN = /\r\n|\n|\r|[ \t\f]+|[=:]|\\(?:u[0-9a-fA-F]{0,4}|[\s\S])?|[#!][^\n\r]*|[A-Za-z0-9_$-]+|[\s\S]/gu;

function dictionary(): string[] {
  const words = new Set<string>([
    'a1', 'agent', 'sources', 'channels', 'sinks', 'sinkgroups', 'configfilters', 'type', 'channel', 'selector',
    'interceptors', 'processor', 'serializer', 'optional', 'default', 'mapping', 'header', 'priority', 'r1', 'c1',
    'k1', 'g1', 'i1', '.', '=', ':', ' ', '\t', '\n', '\r\n', '\\\n', '\\', '\\u0041', '\\u00', '\\uZZZZ', '\\t', '#',
    '!', '# c', '${VAR}', '${', '}', '0', '-1', '65536', '99999999999999999999', '10k', 'abc', '1.5', 'true', 'FALSE',
    'yes', ' \t ', '\u00A0', '\uFEFF', 'é', '\u{1F600}', '"', "'", 'a1.sources = r1', 'a1.channels = c1',
    'a1.sinks = k1', 'a1.sources.r1.channels = c1', 'a1.sinks.k1.channel = c1', 'a1.sources.r1.type = netcat',
    '__proto__', 'constructor', 'toString', 'hasOwnProperty',
  ]);
  for (const spec of catalog) {
    words.add(spec.kind);
    words.add(spec.className);
    for (const a of spec.aliases) words.add(a);
    for (const p of spec.properties) {
      words.add(p.name.replace(/<\w+>/g, 'x').replace(/\*$/, 'y'));
      if (p.default !== undefined) words.add(String(p.default));
      for (const v of p.values ?? []) words.add(v);
    }
  }
  return [...words];
}

const propertiesMutator: TextMutator = {
  tokenize: (text) => text.match(TOKEN) ?? [],
  dictionary: dictionary(),
};

function loadSeeds(): { seeds: string[]; described: string } {
  const seeds: string[] = [];
  // What the examples compile to.
  let fromExamples = 0;
  for (const f of filesUnder('examples', /\.flow$/)) {
    const r = compileText(readFileSync(f, 'utf8'), f);
    if (r.errorCount > 0) continue;
    for (const e of emitProperties(r.program)) seeds.push(e.text), fromExamples++;
  }
  const fixtures = filesUnder('test', /\.(properties|template)$/);
  for (const f of fixtures) seeds.push(readFileSync(f, 'latin1'));
  const corpus = sharedCorpus();
  const corpusFiles = corpus ? filesUnder(corpus, /\.(properties|template|conf)$|\.properties\.\d+$/) : [];
  for (const f of corpusFiles) seeds.push(readFileSync(f, 'latin1'));
  const described = `${fromExamples} from the examples, ${fixtures.length} test fixtures, ${corpusFiles.length} from ${corpus ? join(corpus) : 'no shared corpus'}`;
  return { seeds, described };
}

/** Line-level edits that keep most keys well-formed, so that Flume's rules are reached. */
function lineMutation(rng: Rng, text: string, seeds: readonly string[]): string {
  const lines = text.split(/\r?\n/);
  const i = rng.int(lines.length);
  switch (rng.int(7)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[rng.int(lines.length)]!);
      break;
    case 2: {
      const other = rng.pick(seeds).split(/\r?\n/);
      lines.splice(i, 0, other[rng.int(other.length)]!);
      break;
    }
    case 3:
      lines[i] = `${lines[i]}${rng.pick([' ', '\t', '  ', '\\', ' \\', '\u00A0', '\f'])}`;
      break;
    case 4: {
      // Another component's value under this key, or this key's agent renamed.
      const line = lines[i] ?? '';
      const eq = line.indexOf('=');
      if (eq > 0) lines[i] = `${line.slice(0, eq + 1)} ${rng.pick(propertiesMutator.dictionary)}`;
      break;
    }
    case 5: {
      const agent = /^\s*([^.\s=:]+)\./.exec(lines[i] ?? '')?.[1];
      if (agent) {
        const renamed = rng.pick(['a2', `${agent}x`, '', ' ', 'A1', '$', 'x'.repeat(1 + rng.skewed(40_000))]);
        return lines.map((l) => (rng.chance(0.5) ? l.split(`${agent}.`).join(`${renamed}.`) : l)).join('\n');
      }
      break;
    }
    default: {
      const a = rng.int(lines.length);
      [lines[i], lines[a]] = [lines[a]!, lines[i]!];
    }
  }
  return lines.join(rng.chance(0.9) ? '\n' : '\r\n');
}

/** Inputs made from nothing: long lists of components, long names, random bytes. */
function generated(rng: Rng): string {
  switch (rng.int(3)) {
    case 0: {
      const n = 1 + rng.skewed(20_000);
      const names = Array.from({ length: n }, (_, i) => `k${i}`);
      const sinks = names.map((k) => `a1.sinks.${k}.type = logger\na1.sinks.${k}.channel = c1\n`).join('');
      return `a1.sources = r1\na1.channels = c1\na1.sinks = ${names.join(' ')}\na1.sources.r1.type = seq\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\n${sinks}`;
    }
    case 1: {
      const name = rng.pick(['k', '(', '[', '.', '*', 'é']).repeat(1 + rng.skewed(40_000));
      return `a1.sources = r1\na1.channels = c1\na1.sinks = ${name}\na1.sources.r1.type = seq\na1.sources.r1.channels = c1\na1.channels.c1.type = memory\na1.sinks.${name}.type = logger\na1.sinks.${name}.channel = c1\n`;
    }
    default:
      return rng.bytes(rng.skewed(4096)).toString('latin1');
  }
}

export function makeImportTarget(): FuzzTarget {
  const { seeds, described } = loadSeeds();
  return {
    name: 'import',
    extension: '.properties',
    describeSeeds: () => described,
    generate(rng: Rng): Buffer {
      if (rng.chance(0.01)) return Buffer.from(generated(rng), 'latin1');
      let text = rng.pick(seeds);
      const n = 1 + rng.skewed(4);
      for (let k = 0; k < n; k++) {
        text = rng.chance(0.5) ? lineMutation(rng, text, seeds) : mutateText(rng, text, seeds, propertiesMutator, { maxLength: MAX_LENGTH });
      }
      // Mostly ISO-8859-1 (what java.util.Properties reads), sometimes UTF-8.
      return Buffer.from(text, rng.chance(0.7) ? 'latin1' : 'utf8');
    },
    check: (input) => checkImport(typeof input === 'string' ? Buffer.from(input, 'latin1') : input),
    replay: (path) => `npx flowc import ${path}`,
  };
}

/** What `flowc import` does with the bytes, then what `check` and `build` do with its output. */
export function checkImport(bytes: Buffer): Finding | undefined {
  if (bytes.includes(0)) return undefined; // refused as binary before reading
  const config = readFlumeConfig(bytes, PATH);
  const internal = config.diagnostics.find((d) => /internal error/i.test(d.message));
  if (internal) return { kind: 'crash', message: `a diagnostic reports an internal error: ${internal.message}` };
  render(config.diagnostics, decodeConfigText(bytes), PATH);
  if (config.agents.length === 0) return undefined;

  const flow = formatFlow(importConfig(config, FLOW_PATH));
  const again = formatText(flow, FLOW_PATH);
  const syntax = again.diagnostics.find((d) => d.severity === 'error');
  if (syntax) return { kind: 'import', message: `import wrote a .flow with a syntax error: ${syntax.code} ${syntax.message}`, detail: flow };
  if (again.text !== flow) return { kind: 'import', message: 'import wrote a .flow that fmt changes', detail: `--- import\n${flow}\n--- fmt\n${again.text}` };

  const compiled = compileText(flow, FLOW_PATH);
  const internal2 = compiled.diagnostics.find((d) => /internal error/i.test(d.message));
  if (internal2) return { kind: 'crash', message: `checking the imported .flow reports an internal error: ${internal2.message}`, detail: flow };
  render(compiled.diagnostics, flow, FLOW_PATH);
  if (compiled.errorCount === 0) emitProperties(compiled.program);
  return undefined;
}

function render(diagnostics: Diagnostic[], text: string, path: string): void {
  const sources = new Map([[path, text]]);
  for (const d of diagnostics.slice(0, 60)) renderDiagnostic(d, { color: false, sources });
}

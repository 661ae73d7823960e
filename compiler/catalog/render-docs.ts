// Renders docs/components.md from the catalog. Run as a script it prints the page:
//   node dist/compiler/catalog/render-docs.js > docs/components.md   (npm run docs:components)
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindsOf } from './index.js';
import type { Category, ComponentSpec, HeaderEffect, PropertySpec } from './types.js';

const sections: readonly { category: Category; title: string; intro: string }[] = [
  { category: 'source', title: 'Sources', intro: 'Properties are keys of the source itself.' },
  { category: 'channel', title: 'Channels', intro: 'Properties are keys of the channel itself.' },
  { category: 'sink', title: 'Sinks', intro: 'Properties are keys of the sink itself.' },
  {
    category: 'interceptor',
    title: 'Interceptors',
    intro: 'Properties are keys of the interceptor (`interceptors.<name>.<key>` in Flume).',
  },
  {
    category: 'selector',
    title: 'Channel selectors',
    intro: 'Properties are relative to `selector.` of the source.',
  },
  {
    category: 'sinkProcessor',
    title: 'Sink processors',
    intro: 'Properties are relative to `processor.` of the sink group.',
  },
  {
    category: 'serializer',
    title: 'Event serializers',
    intro: 'Chosen by hdfs `serializer` or file_roll `sink.serializer`; properties are relative to that key plus a dot.',
  },
  { category: 'configFilter', title: 'Config filters', intro: 'Properties are keys of the config filter itself.' },
];

/** Make text safe inside a table cell: no line breaks, no bare pipes. */
function cell(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\|/g, '\\|');
}

/** Inline code that survives any backticks in the text. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function codeCell(text: string): string {
  return text === '' ? '`""`' : code(cell(text));
}

function typeCell(p: PropertySpec): string {
  if (p.type === 'list') return `list (${p.listSeparator ?? 'space'})`;
  return p.type;
}

function defaultCell(p: PropertySpec): string {
  if (p.default === undefined) return '';
  return typeof p.default === 'string' ? codeCell(p.default) : code(String(p.default));
}

function allowedCell(p: PropertySpec): string {
  const parts: string[] = [];
  if (p.values && p.values.length > 0) {
    let text = p.values.map((v) => codeCell(v)).join(', ');
    if (p.allowsClassName) text += ', or a class name';
    if (p.caseSensitive) text += ' (case-sensitive)';
    parts.push(text);
  }
  if (p.min !== undefined && p.max !== undefined) parts.push(`${p.min} to ${p.max}`);
  else if (p.min !== undefined) parts.push(`at least ${p.min}`);
  else if (p.max !== undefined) parts.push(`at most ${p.max}`);
  return parts.join('; ');
}

function nameCell(p: PropertySpec): string {
  const marks: string[] = [];
  if (p.deprecated) marks.push('deprecated');
  if (p.sensitive) marks.push('sensitive');
  if (p.flowcOnly) marks.push('flowc only: left out of flume.properties');
  return code(p.name) + (marks.length > 0 ? ` *(${marks.join(', ')})*` : '');
}

function docCell(p: PropertySpec): string {
  let text = cell(p.doc);
  if (p.deprecated) text += ` **Deprecated:** ${cell(p.deprecated)}`;
  if (p.guideName) text += ` The user guide spells it ${code(cell(p.guideName))}.`;
  return text;
}

function headerText(h: HeaderEffect): string {
  const name = h.header !== undefined ? code(h.header) : `named by ${code(h.headerProperty ?? '?')}`;
  if (!h.when) return name;
  return `${name} when ${code(h.when.property)} = ${code(String(h.when.equals))}`;
}

function facts(spec: ComponentSpec): string[] {
  const lines: string[] = [];
  lines.push(`- Class: ${code(spec.className)}`);
  lines.push(`- Flume \`type\`: ${spec.flumeAlias !== undefined ? code(spec.flumeAlias) : 'the class name only'}`);
  const others = spec.aliases.filter((a) => a !== spec.flumeAlias && a !== spec.kind);
  if (others.length > 0) lines.push(`- Also accepted: ${others.map(code).join(', ')}`);
  if (spec.batchSizeProperty) lines.push(`- Batch size: ${code(spec.batchSizeProperty)}`);
  if (spec.listens) {
    const l = spec.listens;
    const port = l.portListProperty ? `ports ${code(l.portListProperty)}` : `port ${code(l.portProperty ?? '?')}`;
    const bind = l.bindProperty ? `, address ${code(l.bindProperty)}` : '';
    lines.push(`- Listens: ${l.protocol}, ${port}${bind}`);
  }
  if (spec.connects) {
    const c = spec.connects;
    lines.push(`- Connects: ${c.protocol} to ${code(c.hostProperty)}:${code(c.portProperty)}`);
  }
  if (spec.headers && spec.headers.length > 0) lines.push(`- Sets headers: ${spec.headers.map(headerText).join('; ')}`);
  if (spec.passesHeadersThrough) lines.push('- Passes through headers set by its senders');
  if (spec.exclusiveDirectoryProperties && spec.exclusiveDirectoryProperties.length > 0) {
    lines.push(`- Directories it must own: ${spec.exclusiveDirectoryProperties.map(code).join(', ')}`);
  }
  if (spec.escapedProperties && spec.escapedProperties.length > 0) {
    lines.push(`- Escapes (\`%{header}\`, \`%Y\`...) in: ${spec.escapedProperties.map(code).join(', ')}`);
  }
  if (spec.localTimestampProperty) lines.push(`- Local clock for time escapes: ${code(spec.localTimestampProperty)}`);
  return lines;
}

function renderKind(spec: ComponentSpec): string[] {
  const out: string[] = [`### ${spec.kind}`, '', spec.doc, '', ...facts(spec), ''];
  if (spec.properties.length === 0) {
    out.push('No properties.', '');
    return out;
  }
  out.push('| Property | Type | Unit | Default | Required | Allowed values | Description |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const p of spec.properties) {
    const row = [nameCell(p), typeCell(p), p.unit ?? '', defaultCell(p), p.required ? 'yes' : '', allowedCell(p), docCell(p)];
    out.push(`| ${row.join(' | ')} |`);
  }
  out.push('');
  return out;
}

/** The whole of docs/components.md. */
export function renderComponentsMarkdown(): string {
  const out: string[] = [
    '# Flume components',
    '',
    '<!-- Generated from compiler/catalog by `npm run docs:components`. Do not edit by hand. -->',
    '',
    'Every Flume 1.11 component kind flowc knows, with its properties as Flume reads them.',
    'Durations and sizes written in .flow (`30s`, `64MB`) are converted to the unit shown.',
    'Keys such as `type`, `channels`, `channel`, `selector.*` and `interceptors` are written with',
    '.flow syntax and are not listed. In property names, `<x>` stands for one name you choose and',
    'a trailing `*` for any further keys, which Flume passes on unchanged.',
    '',
  ];
  for (const s of sections) {
    out.push(`- [${s.title}](#${s.title.toLowerCase().replace(/ /g, '-')}): ${kindsOf(s.category).map((k) => k.kind).join(', ')}`);
  }
  out.push('');
  for (const s of sections) {
    out.push(`## ${s.title}`, '', s.intro, '');
    for (const spec of kindsOf(s.category)) out.push(...renderKind(spec));
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && resolve(invokedAs) === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderComponentsMarkdown());
}

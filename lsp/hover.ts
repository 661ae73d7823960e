// Hover: a property (its doc, type, unit, default, and the Flume key and value it compiles
// to), a component kind (summary and required properties), or a name (its declaration and,
// for a component, what it is connected to).
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { categoryWord, findKind, findProperty } from '../compiler/catalog/index.js';
import type { Category } from '../compiler/catalog/types.js';
import { componentKeyBase } from '../compiler/emit/properties.js';
import { findComponent, type Agent, type Component } from '../compiler/model.js';
import { toFlumeText } from '../compiler/values.js';
import type { TypeRef } from '../grammar/ast.js';
import type { Analysis } from './analysis.js';
import { agentAt, blockAt, entryAt } from './blocks.js';
import { kindMarkdown, propertyMarkdown } from './describe.js';
import type { NamedThing } from './names.js';
import { toRange, touches } from './positions.js';

const roleCategory: Record<string, Category> = {
  source: 'source',
  channel: 'channel',
  sink: 'sink',
  interceptor: 'interceptor',
  group: 'sinkProcessor',
  filter: 'configFilter',
};

export function hover(analysis: Analysis, position: Position): Hover | null {
  const offset = analysis.document.offsetAt(position);
  return propertyHover(analysis, offset) ?? kindHover(analysis, offset) ?? nameHover(analysis, offset);
}

function markdown(value: string, range?: Hover['range']): Hover {
  return range ? { contents: { kind: MarkupKind.Markdown, value }, range } : { contents: { kind: MarkupKind.Markdown, value } };
}

function propertyHover(analysis: Analysis, offset: number): Hover | null {
  const block = blockAt(analysis.file, analysis.result.program, offset);
  if (!block?.spec) return null;
  const entry = entryAt(block.block, offset);
  if (!entry || entry.value.kind === 'Block') return null;
  const key = block.prefix + entry.key.text;
  if (key === 'to' && block.spec.connects) {
    return markdown('**to** · `agent.source`\n\nSends to a source of another agent of this file: `hostname` and `port` are taken from it (its agent\'s `on` host and its port).', toRange(entry.key.span));
  }
  const spec = findProperty(block.spec, key);
  if (!spec) return null;
  const extra: string[] = [];
  const base = block.agent && block.component && componentKeyBase(block.agent, block.component);
  const prop = block.component?.props.find((p) => p.key === key);
  if (base && block.agent) {
    const converted = prop && !prop.broken ? toFlumeText(prop.value, spec, { kind: 'reference' }) : undefined;
    const value = converted?.ok && !spec.sensitive ? ` = ${converted.text}` : '';
    extra.push(`Flume: \`${block.agent.name}.${base}.${key}${value}\``);
  }
  return markdown(propertyMarkdown(spec, extra), toRange(entry.key.span));
}

function typeRefAt(analysis: Analysis, offset: number): { type: TypeRef; category: Category } | undefined {
  const agent = agentAt(analysis.file, offset);
  for (const item of agent?.items ?? []) {
    if (item.kind === 'Component' && touches(item.type.span, offset)) return { type: item.type, category: roleCategory[item.role]! };
    if (item.kind !== 'Flow') continue;
    for (const step of item.interceptors) if (touches(step.target.span, offset)) return { type: step.target, category: 'interceptor' };
  }
  return undefined;
}

function kindHover(analysis: Analysis, offset: number): Hover | null {
  const found = typeRefAt(analysis, offset);
  if (!found) return null;
  const agent = agentAt(analysis.file, offset);
  // A pipe step naming a declared interceptor is a name, not a kind.
  if (found.category === 'interceptor' && agent && analysis.names.component(agent.name.name, found.type.name)?.role === 'interceptor') return null;
  const spec = findKind(found.category, found.type.name);
  if (!spec) {
    const what = found.type.isClassName ? 'a custom class: its properties are passed to Flume unchecked' : 'an unknown kind';
    return markdown(`\`${found.type.name}\` · ${categoryWord[found.category]}\n\n${what}`, toRange(found.type.span));
  }
  return markdown(kindMarkdown(spec, categoryWord[found.category]), toRange(found.type.span));
}

function nameHover(analysis: Analysis, offset: number): Hover | null {
  const at = analysis.names.at(offset);
  if (!at) return null;
  const { thing, occurrence } = at;
  const range = toRange(occurrence.span);
  const declaration = thing.occurrences.find((o) => o.declaration);
  const line = declaration ? declarationLine(analysis, declaration.span.start.offset, thing) : undefined;
  const lines = line ? ['```flow', line, '```'] : [];
  if (thing.kind === 'component' && thing.agent) {
    const agent = analysis.result.program.agents.find((a) => a.decl === thing.agent);
    const component = agent && findComponent(agent, thing.name);
    if (agent && component) lines.push('', ...connections(analysis, agent, component));
    else if (agent && thing.role === 'group') lines.push('', ...groupLines(agent, thing.name));
  }
  if (thing.kind === 'agent') {
    const agent = analysis.result.program.agents.find((a) => a.name === thing.name);
    if (agent) lines.push('', `${agent.sources.length} sources, ${agent.channels.length} channels, ${agent.sinks.length} sinks`);
  }
  return lines.length > 0 ? markdown(lines.join('\n'), range) : null;
}

/** The declaration's first line, from its keyword: `sink archive : hdfs {`, `let root = "/data"`. */
function declarationLine(analysis: Analysis, nameOffset: number, thing: NamedThing): string {
  const text = analysis.file.text;
  const start = thing.decl ? thing.decl.span.start.offset : text.lastIndexOf('\n', nameOffset) + 1;
  let end = text.indexOf('\n', nameOffset);
  if (end < 0) end = text.length;
  const line = text.slice(start, end).trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');

function connections(analysis: Analysis, agent: Agent, c: Component): string[] {
  const out: string[] = [];
  if (c.spec) out.push(`${categoryWord[c.category]} · ${c.spec.kind}: ${c.spec.doc}`);
  if (c.role === 'source') {
    const s = agent.sources.find((x) => x === c)!;
    if (s.interceptors.length > 0) out.push('', `Interceptors: ${list(s.interceptors.map((i) => i.name))}`);
    out.push('', s.channels.length > 0 ? `Writes to: ${list(s.channels.map((ch) => ch.name + (ch.optional ? '?' : '')))}` : 'Writes to no channel');
    const senders = analysis.result.program.agents.flatMap((a) =>
      a.sinks.filter((k) => k.props.some((p) => p.key === 'to' && p.value.t === 'ref' && p.value.agent === agent.name && p.value.component === c.name)).map((k) => `${a.name}.${k.name}`),
    );
    if (senders.length > 0) out.push('', `Receives from: ${list(senders)}`);
  } else if (c.role === 'channel') {
    const writers = agent.sources.filter((s) => s.channels.some((ch) => ch.name === c.name)).map((s) => s.name);
    const readers = agent.sinks.filter((k) => k.channel?.name === c.name).map((k) => k.name);
    out.push('', writers.length > 0 ? `Fed by: ${list(writers)}` : 'Fed by nothing', '', readers.length > 0 ? `Drained by: ${list(readers)}` : 'Drained by nothing');
  } else if (c.role === 'sink') {
    const k = agent.sinks.find((x) => x === c)!;
    out.push('', k.channel ? `Drains: \`${k.channel.name}\`` : 'Drains no channel');
    const group = agent.groups.find((g) => g.sinks.some((m) => m.name === c.name));
    if (group) out.push('', `In sink group \`${group.name}\` (${group.processor.type})`);
    const to = k.props.find((p) => p.key === 'to' && p.value.t === 'ref');
    if (to && to.value.t === 'ref') out.push('', `Sends to: \`${to.value.agent}.${to.value.component}\``);
  } else if (c.role === 'interceptor') {
    const users = agent.sources.filter((s) => s.interceptors.some((i) => i.props === c.props)).map((s) => s.name);
    out.push('', users.length > 0 ? `Used by: ${list(users)}` : 'Used by no source');
  }
  return out;
}

function groupLines(agent: Agent, name: string): string[] {
  const group = agent.groups.find((g) => g.name === name);
  return group ? [`sink group · ${group.processor.type}: ${list(group.sinks.map((s) => s.name))}`] : [];
}

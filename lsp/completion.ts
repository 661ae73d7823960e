// Completion, by what the cursor follows: a component kind after `:`, property names inside a
// block (those not set yet), enum values, `agent.source` after `to =`, units after a number,
// and component names after `->`, `,` and `|` in a flow. The block and the component come from
// the syntax tree; the few words before the cursor say which of these applies.
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { categoryWord, findProperty, kindsOf } from '../compiler/catalog/index.js';
import type { Category, PropertySpec } from '../compiler/catalog/types.js';
import { findComponent, type Agent } from '../compiler/model.js';
import { printName } from '../compiler/format/printer.js';
import type { Analysis } from './analysis.js';
import { agentAt, blockAt, type BlockContext } from './blocks.js';
import { kindMarkdown, propertyDetail, propertyMarkdown, quantityText, unitsFor } from './describe.js';

const roleCategory: Record<string, Category> = {
  source: 'source',
  channel: 'channel',
  sink: 'sink',
  interceptor: 'interceptor',
  group: 'sinkProcessor',
  filter: 'configFilter',
};

const NAME = String.raw`(?:[A-Za-z_][\w]*(?:-[\w]+)*|"(?:[^"\\]|\\.)*")`;
const KIND_AFTER_COLON = new RegExp(String.raw`^\s*(source|channel|sink|interceptor|group|filter)\s+${NAME}\s*:\s*([\w.-]*)$`);

export function complete(analysis: Analysis, position: Position): CompletionItem[] {
  const { document, file, result } = analysis;
  const offset = document.offsetAt(position);
  const text = document.getText();
  const lineStart = document.offsetAt({ line: position.line, character: 0 });
  const before = text.slice(lineStart, offset);

  const kind = KIND_AFTER_COLON.exec(before);
  if (kind) return kindItems(roleCategory[kind[1]!]!, wordRange(position, kind[2]!.length));

  const block = blockAt(file, result.program, offset);
  if (block) return inBlock(analysis, block, before, position);

  const agentDecl = agentAt(file, offset);
  if (!agentDecl) return [];
  const agent = result.program.agents.find((a) => a.decl === agentDecl);
  return inFlow(agent, before, position);
}

function wordRange(position: Position, length: number): Range {
  return { start: { line: position.line, character: position.character - length }, end: position };
}

function kindItems(category: Category, range: Range): CompletionItem[] {
  return kindsOf(category).map((spec) => ({
    label: spec.kind,
    kind: CompletionItemKind.Class,
    detail: `${categoryWord[category]} · ${spec.flumeAlias ?? spec.className}`,
    documentation: { kind: MarkupKind.Markdown, value: kindMarkdown(spec, categoryWord[category]) },
    textEdit: { range, newText: spec.kind },
  }));
}

// ---- inside a block ----------------------------------------------------------------------------

/** The part of the line after the last `{`, `,` or `;` (outside strings): the entry being written. */
function currentEntry(before: string): string {
  let start = 0;
  let quoted = false;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (c === '"' && before[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && (c === '{' || c === ',' || c === ';')) start = i + 1;
  }
  return before.slice(start);
}

function inBlock(analysis: Analysis, block: BlockContext, before: string, position: Position): CompletionItem[] {
  const entry = currentEntry(before);
  const assignment = /^\s*([\w.-]+|"[^"]*")\s*=\s*(.*)$/.exec(entry);
  if (assignment) {
    const key = block.prefix + assignment[1]!.replace(/"/g, '');
    return valueItems(analysis, block, key, assignment[2]!, position);
  }
  const key = /^\s*([\w.-]*)$/.exec(entry);
  if (!key) return [];
  return propertyItems(block, key[1]!, position);
}

function propertyItems(block: BlockContext, typed: string, position: Position): CompletionItem[] {
  if (!block.spec) return [];
  const set = new Set((block.component?.props ?? []).map((p) => p.key));
  for (const e of block.block.entries) set.add(block.prefix + e.key.text);
  const range = wordRange(position, typed.length);
  const items: CompletionItem[] = [];
  for (const spec of block.spec.properties) {
    if (!spec.name.startsWith(block.prefix)) continue;
    if (set.has(spec.name) || (block.spec.connects && spec.name === 'to')) continue;
    const relative = spec.name.slice(block.prefix.length);
    const item: CompletionItem = {
      label: relative,
      kind: CompletionItemKind.Property,
      detail: propertyDetail(spec),
      documentation: { kind: MarkupKind.Markdown, value: propertyMarkdown(spec) },
      // Required ones first, then the catalog's order.
      sortText: `${spec.required ? '0' : '1'}${String(items.length).padStart(4, '0')}`,
    };
    const snippet = keySnippet(relative);
    if (snippet) {
      item.insertTextFormat = InsertTextFormat.Snippet;
      item.textEdit = { range, newText: `${snippet} = $0` };
    } else {
      item.textEdit = { range, newText: `${relative} = ` };
    }
    items.push(item);
  }
  if (block.spec.connects && !set.has('to')) {
    items.push({
      label: 'to',
      kind: CompletionItemKind.Property,
      detail: 'agent.source',
      documentation: { kind: MarkupKind.Markdown, value: '**to** · `agent.source`\n\nSend to a source of another agent of this file: fills `hostname` and `port` from it, and checks that it speaks the same protocol.' },
      sortText: '0',
      textEdit: { range, newText: 'to = ' },
    });
  }
  return items;
}

/** `filegroups.<group>` → `filegroups.${1:group}`; a trailing `*` → a placeholder for the rest. */
function keySnippet(name: string): string | undefined {
  if (!name.includes('<') && !name.endsWith('*')) return undefined;
  let n = 0;
  return name.replace(/<([^>]+)>|\*$/g, (_m, label: string | undefined) => `\${${++n}:${label ?? 'key'}}`);
}

function valueItems(analysis: Analysis, block: BlockContext, key: string, typed: string, position: Position): CompletionItem[] {
  const spec = block.spec && findProperty(block.spec, key);
  if (key === 'to' && block.spec?.connects) return linkItems(analysis, block, typed, position);
  if (!spec) return [];
  const number = /(?:^|[\s[,+])(\d[\d_]*)$/.exec(typed);
  if (number && spec.unit) return unitItems(spec, number[1]!, position);
  const word = /[\w.-]*$/.exec(typed)![0];
  const range = wordRange(position, word.length);
  if (spec.type === 'enum') {
    return (spec.values ?? []).map((v, i) => ({
      label: v,
      kind: CompletionItemKind.EnumMember,
      detail: `${spec.name}${spec.default === v ? ' · default' : ''}`,
      sortText: String(i).padStart(4, '0'),
      textEdit: { range, newText: v },
    }));
  }
  if (spec.type === 'boolean') {
    return ['true', 'false'].map((v) => ({ label: v, kind: CompletionItemKind.Value, detail: spec.default === (v === 'true') ? 'default' : '', textEdit: { range, newText: v } }));
  }
  return [];
}

function unitItems(spec: PropertySpec, digits: string, position: Position): CompletionItem[] {
  const amount = Number(digits.replace(/_/g, ''));
  const range = wordRange(position, digits.length);
  return unitsFor(spec.unit!).map(({ unit, factor }, i) => {
    const written = `${digits}${unit}`;
    const value = amount * factor;
    const readable = quantityText(value, spec.unit!);
    return {
      label: written,
      kind: CompletionItemKind.Unit,
      detail: `${value} ${spec.unit}${readable && readable !== written ? ` (${readable})` : ''}`,
      filterText: written,
      sortText: String(i),
      textEdit: { range, newText: written },
    };
  });
}

function linkItems(analysis: Analysis, block: BlockContext, typed: string, position: Position): CompletionItem[] {
  const connects = block.spec!.connects!;
  const word = /[\w.-]*$/.exec(typed)![0];
  const range = wordRange(position, word.length);
  const items: CompletionItem[] = [];
  for (const agent of analysis.result.program.agents) {
    for (const source of agent.sources) {
      const listens = source.spec?.listens;
      if (!listens || listens.protocol !== connects.protocol) continue;
      const port = listens.portProperty && source.props.find((p) => p.key === listens.portProperty);
      const label = `${agent.name}.${source.name}`;
      items.push({
        label,
        kind: CompletionItemKind.Reference,
        detail: `${connects.protocol} source${port && port.value.t === 'num' ? ` on port ${port.value.v}` : ''}${agent === block.agent ? ' (this agent)' : ''}`,
        sortText: agent === block.agent ? `1${label}` : `0${label}`,
        textEdit: { range, newText: label },
      });
    }
  }
  return items;
}

// ---- flows ------------------------------------------------------------------------------------

function inFlow(agent: Agent | undefined, before: string, position: Position): CompletionItem[] {
  if (!agent) return [];
  const pipe = /\|\s*([\w-]*)$/.exec(before);
  if (pipe && /^\s*[\w"]/.test(before)) return interceptorItems(agent, wordRange(position, pipe[1]!.length));
  const route = /^\s*(?:"(?:[^"\\]|\\.)*"|default)\s*->\s*(?:[\w-]+\??\s*,\s*)*([\w-]*)$/.exec(before);
  if (route) return nameItems(agent, ['channel'], wordRange(position, route[1]!.length));
  const member = /(?:failover(?:\s+[\w-]+)?\s*\{|balance(?:\s+[\w-]+)?\s*\[)(?:[^}\]]*[,{[]\s*)?([\w-]*)$/.exec(before);
  if (member) return nameItems(agent, ['sink'], wordRange(position, member[1]!.length));
  const arrow = /->\s*(?:[\w-]+\??\s*,\s*)*([\w-]*)$/.exec(before);
  if (!arrow) return [];
  // What feeds the stage being written: a source feeds channels, a channel feeds sinks.
  const names = before.slice(0, arrow.index).match(/[\w-]+(?=\s*(?:\||->|\{|$))/g) ?? [];
  const from = names.length > 0 ? findComponent(agent, names[names.length - 1]!) : undefined;
  const range = wordRange(position, arrow[1]!.length);
  if (from?.role === 'source') return nameItems(agent, ['channel'], range);
  if (from?.role === 'channel') return [...nameItems(agent, ['sink'], range), ...groupKeywords(range)];
  return nameItems(agent, ['channel', 'sink'], range);
}

function nameItems(agent: Agent, roles: ('channel' | 'sink')[], range: Range): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const role of roles) {
    const list = role === 'channel' ? agent.channels : agent.sinks;
    for (const c of list) {
      items.push({
        label: c.name,
        kind: role === 'channel' ? CompletionItemKind.Interface : CompletionItemKind.Function,
        detail: `${role} : ${c.type}`,
        textEdit: { range, newText: printName(c.name) },
      });
    }
  }
  return items;
}

function groupKeywords(range: Range): CompletionItem[] {
  return [
    { label: 'failover', kind: CompletionItemKind.Keyword, detail: 'a failover sink group', insertTextFormat: InsertTextFormat.Snippet, textEdit: { range, newText: 'failover { ${1:k1}: ${2:10}, ${3:k2}: ${4:5} }' } },
    { label: 'balance', kind: CompletionItemKind.Keyword, detail: 'a load-balancing sink group', insertTextFormat: InsertTextFormat.Snippet, textEdit: { range, newText: 'balance [${1:k1}, ${2:k2}]' } },
  ];
}

function interceptorItems(agent: Agent, range: Range): CompletionItem[] {
  const declared: CompletionItem[] = [...agent.interceptorDecls.values()].map((c) => ({
    label: c.name,
    kind: CompletionItemKind.Function,
    detail: `interceptor : ${c.type}`,
    sortText: `0${c.name}`,
    textEdit: { range, newText: printName(c.name) },
  }));
  const kinds = kindItems('interceptor', range).map((item) => ({ ...item, sortText: `1${item.label}` }));
  return [...declared, ...kinds];
}

// Which property block a position is in, and whose properties it holds: a component
// declaration's, an interceptor's in a pipe, or the selector's or sink group's in `with { }`.
// The block is found in the syntax tree; its component, with its catalog entry and the
// properties already set, is taken from the resolved program.
import type { AgentDecl, Block, ComponentDecl, Entry, FlowFile, FlowStmt, Span, Stage } from '../grammar/ast.js';
import { findKind } from '../compiler/catalog/index.js';
import type { Category, ComponentSpec } from '../compiler/catalog/types.js';
import type { Agent, Component, Program } from '../compiler/model.js';

export type BlockOwner =
  | { kind: 'decl'; decl: ComponentDecl }
  | { kind: 'pipe'; flow: FlowStmt; index: number }
  | { kind: 'with'; flow: FlowStmt; stage: Stage };

export interface BlockContext {
  agentDecl: AgentDecl;
  agent?: Agent;
  owner: BlockOwner;
  /** The innermost block holding the position. */
  block: Block;
  /** The key prefix of the nested blocks around the position (`hdfs.` inside `hdfs { }`). */
  prefix: string;
  /** The resolved component, when the resolver made one. */
  component?: Component;
  /** Its catalog entry, when its kind is known. */
  spec?: ComponentSpec;
}

const roleCategory: Record<ComponentDecl['role'], Category> = {
  source: 'source',
  channel: 'channel',
  sink: 'sink',
  interceptor: 'interceptor',
  group: 'sinkProcessor',
  filter: 'configFilter',
};

/** Inside the braces: after `{`, and before `}` (or anywhere after `{` in a block left open). */
function inside(block: Block, offset: number, text: string): boolean {
  const { start, end } = block.span;
  if (offset <= start.offset) return false;
  const closed = text.charCodeAt(end.offset - 1) === 125; /* } */
  return closed ? offset < end.offset : offset <= end.offset;
}

export function agentAt(file: FlowFile, offset: number): AgentDecl | undefined {
  for (const item of file.items) {
    if (item.kind === 'Agent' && item.span.start.offset <= offset && offset <= item.span.end.offset) return item;
  }
  return undefined;
}

export function blockAt(file: FlowFile, program: Program, offset: number): BlockContext | undefined {
  const agentDecl = agentAt(file, offset);
  if (!agentDecl) return undefined;
  let found: { owner: BlockOwner; block: Block } | undefined;
  for (const item of agentDecl.items) {
    if (item.kind === 'Component' && item.body && inside(item.body, offset, file.text)) found = { owner: { kind: 'decl', decl: item }, block: item.body };
    if (item.kind !== 'Flow') continue;
    item.interceptors.forEach((step, index) => {
      if (step.body && inside(step.body, offset, file.text)) found = { owner: { kind: 'pipe', flow: item, index }, block: step.body };
    });
    for (const stage of item.stages) {
      if (stage.options && inside(stage.options, offset, file.text)) found = { owner: { kind: 'with', flow: item, stage }, block: stage.options };
    }
  }
  if (!found) return undefined;
  let { block } = found;
  let prefix = '';
  for (;;) {
    const nested = block.entries.find((e) => e.value.kind === 'Block' && inside(e.value, offset, file.text));
    if (!nested) break;
    prefix += `${nested.key.text}.`;
    block = nested.value as Block;
  }
  const agent = program.agents.find((a) => a.decl === agentDecl);
  const context: BlockContext = { agentDecl, owner: found.owner, block, prefix };
  if (agent) context.agent = agent;
  const component = agent && componentOf(agent, found.owner);
  if (component) context.component = component;
  const spec = component?.spec ?? (found.owner.kind === 'decl' ? findKind(roleCategory[found.owner.decl.role], found.owner.decl.type.name) : undefined);
  if (spec) context.spec = spec;
  return context;
}

const same = (a: Span, b: Span) => a.start.offset === b.start.offset;

function componentOf(agent: Agent, owner: BlockOwner): Component | undefined {
  switch (owner.kind) {
    case 'decl': {
      const at = owner.decl.name.span;
      if (owner.decl.role === 'group') return agent.groups.find((g) => same(g.nameSpan, at))?.processor;
      if (owner.decl.role === 'interceptor') return agent.interceptorDecls.get(owner.decl.name.name);
      return [...agent.sources, ...agent.channels, ...agent.sinks, ...agent.filters].find((c) => same(c.nameSpan, at));
    }
    case 'pipe': {
      const step = owner.flow.interceptors[owner.index]!;
      const source = agent.sources.find((s) => s.name === owner.flow.head.name);
      return source?.interceptors.find((i) => same(i.nameSpan, step.target.span));
    }
    case 'with': {
      const stage = owner.stage;
      if (stage.kind === 'Group') return agent.groups.find((g) => same(g.processor.typeSpan, stage.policySpan))?.processor;
      return agent.sources.find((s) => s.name === owner.flow.head.name)?.selector;
    }
  }
}

/** The entry of the block whose key holds the offset. */
export function entryAt(block: Block, offset: number): Entry | undefined {
  return block.entries.find((e) => e.key.span.start.offset <= offset && offset <= e.key.span.end.offset);
}

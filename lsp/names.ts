// Every agent, component and `let` constant of a file, with each place that names it: what
// go to definition, find references, rename and hover stand on. Names follow the resolver's
// scopes: components belong to their agent, constants to their agent or to the file, and
// `agent.source` (in `to = ...`) names a source of another agent.
import type { AgentDecl, Block, ComponentDecl, ComponentRole, Entry, Expr, FlowFile, FlowStmt, Ident, LetDecl, Span } from '../grammar/ast.js';
import { touches } from './positions.js';

export type NameKind = 'agent' | 'component' | 'constant';

export interface Occurrence {
  span: Span;
  /** Whether this is the declaration. */
  declaration: boolean;
  /** Written inside an expression (`to = a.b`, `sinks = [k1]`, `root + "/x"`), where a name cannot be quoted. */
  inExpression: boolean;
}

export interface NamedThing {
  kind: NameKind;
  name: string;
  /** The agent a component or agent-level constant belongs to. */
  agent?: AgentDecl;
  /** A component's role; `group` also for groups named in a flow (`failover main { ... }`). */
  role?: ComponentRole;
  decl?: ComponentDecl | LetDecl | AgentDecl;
  occurrences: Occurrence[];
}

export interface NameIndex {
  things: NamedThing[];
  /** The thing named at an offset, and the occurrence there. */
  at(offset: number): { thing: NamedThing; occurrence: Occurrence } | undefined;
  /** A component of an agent, by name. */
  component(agent: string, name: string): NamedThing | undefined;
  agent(name: string): NamedThing | undefined;
}

export function buildNameIndex(file: FlowFile): NameIndex {
  const things: NamedThing[] = [];
  const agents = new Map<string, NamedThing>();
  const components = new Map<string, Map<string, NamedThing>>();
  const globals = new Map<string, NamedThing>();
  const locals = new Map<AgentDecl, Map<string, NamedThing>>();

  const add = (thing: NamedThing) => (things.push(thing), thing);
  const declare = (kind: NameKind, ident: Ident, decl: NamedThing['decl'], extra: Partial<NamedThing> = {}): NamedThing =>
    add({ kind, name: ident.name, decl, occurrences: [{ span: ident.span, declaration: true, inExpression: false }], ...extra });

  // Declarations first: flows and expressions may name things declared further down.
  for (const item of file.items) {
    if (item.kind === 'Let') {
      if (!globals.has(item.name.name)) globals.set(item.name.name, declare('constant', item.name, item));
      continue;
    }
    if (agents.has(item.name.name)) continue;
    agents.set(item.name.name, declare('agent', item.name, item));
    const scope = new Map<string, NamedThing>();
    const lets = new Map<string, NamedThing>();
    components.set(item.name.name, scope);
    locals.set(item, lets);
    for (const inner of item.items) {
      if (inner.kind === 'Let' && !lets.has(inner.name.name)) lets.set(inner.name.name, declare('constant', inner.name, inner, { agent: item }));
      if (inner.kind === 'Component' && !scope.has(inner.name.name)) {
        scope.set(inner.name.name, declare('component', inner.name, inner, { agent: item, role: inner.role }));
      }
    }
    // Groups named in a flow are declared there.
    for (const inner of item.items) {
      if (inner.kind !== 'Flow') continue;
      for (const stage of inner.stages) {
        if (stage.kind === 'Group' && stage.name && !scope.has(stage.name.name)) {
          scope.set(stage.name.name, declare('component', stage.name, undefined, { agent: item, role: 'group' }));
        }
      }
    }
  }

  const use = (thing: NamedThing | undefined, span: Span, inExpression: boolean) => {
    if (thing && !thing.occurrences.some((o) => o.span.start.offset === span.start.offset)) thing.occurrences.push({ span, declaration: false, inExpression });
  };

  const walkExpr = (expr: Expr, agent: AgentDecl | undefined, inSinksList: boolean) => {
    switch (expr.kind) {
      case 'Ref': {
        const [first, second] = expr.path;
        if (expr.path.length === 1 && first) {
          const constant = (agent && locals.get(agent)?.get(first.name)) ?? globals.get(first.name);
          if (constant) use(constant, first.span, true);
          else if (inSinksList && agent) use(components.get(agent.name.name)?.get(first.name), first.span, true);
        } else if (expr.path.length === 2 && first && second) {
          const target = agents.get(first.name);
          if (target) {
            use(target, first.span, true);
            use(components.get(first.name)?.get(second.name), second.span, true);
          }
        }
        return;
      }
      case 'List':
        for (const item of expr.items) walkExpr(item, agent, inSinksList);
        return;
      case 'Concat': {
        // A chain of `+` nests deep on the left: walked in a loop, not by recursion.
        const rights: Expr[] = [];
        let e: Expr = expr;
        for (; e.kind === 'Concat'; e = e.left) rights.push(e.right);
        walkExpr(e, agent, false);
        for (let i = rights.length - 1; i >= 0; i--) walkExpr(rights[i]!, agent, false);
        return;
      }
      case 'Call':
        for (const arg of expr.args) walkExpr(arg, agent, false);
        return;
      case 'Block':
        walkBlock(expr, agent, false);
        return;
      default:
        return;
    }
  };
  const walkBlock = (block: Block | undefined, agent: AgentDecl | undefined, isGroup: boolean) => {
    for (const entry of block?.entries ?? []) walkEntry(entry, agent, isGroup);
  };
  const walkEntry = (entry: Entry, agent: AgentDecl | undefined, isGroup: boolean) => {
    if (entry.value.kind === 'Block') walkBlock(entry.value, agent, false);
    else walkExpr(entry.value, agent, isGroup && entry.key.text === 'sinks');
  };
  const walkFlow = (flow: FlowStmt, agent: AgentDecl) => {
    const scope = components.get(agent.name.name);
    const named = (ident: Ident) => use(scope?.get(ident.name), ident.span, false);
    named(flow.head);
    for (const step of flow.interceptors) {
      const declared = scope?.get(step.target.name);
      if (declared?.role === 'interceptor') use(declared, step.target.span, false);
      walkBlock(step.body, agent, false);
    }
    for (const stage of flow.stages) {
      if (stage.kind === 'Targets') stage.targets.forEach((t) => named(t.name));
      else if (stage.kind === 'Route') stage.cases.forEach((c) => c.targets.forEach((t) => named(t.name)));
      else stage.members.forEach((m) => named(m.name));
      walkBlock(stage.options, agent, false);
    }
  };

  for (const item of file.items) {
    if (item.kind === 'Let') {
      walkExpr(item.value, undefined, false);
      continue;
    }
    if (item.host) walkExpr(item.host, item, false);
    for (const inner of item.items) {
      if (inner.kind === 'Let') walkExpr(inner.value, item, false);
      else if (inner.kind === 'Component') walkBlock(inner.body, item, inner.role === 'group');
      else walkFlow(inner, item);
    }
  }

  return {
    things,
    at(offset) {
      for (const thing of things) {
        for (const occurrence of thing.occurrences) if (touches(occurrence.span, offset)) return { thing, occurrence };
      }
      return undefined;
    },
    component: (agent, name) => components.get(agent)?.get(name),
    agent: (name) => agents.get(name),
  };
}

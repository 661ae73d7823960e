// The graph of a checked program: the one place that decides what is a node and what is an
// edge. Every picture of a flow (dot, mermaid, svg, html, the editor preview, the live view)
// is drawn from this, so that they can never disagree about the flow they show. It is plain
// data (JSON-able) and deterministic: the same program always gives the same graph.
import type { Span } from '../../grammar/ast.js';
import { effectiveBoolean, effectiveText } from '../check/effective.js';
import { linkProp, linkTarget, sinkLink } from '../links.js';
import type { Agent, Component, Program, Prop, Sink, SinkGroup, Source } from '../model.js';
import { propOf } from '../model.js';
import { displayValue, isSensitive, listWords, MASK } from './display.js';

/** Bumped when the shape changes in a way readers must know about. */
export const GRAPH_VERSION = 1;

export interface FlowGraph {
  version: typeof GRAPH_VERSION;
  agents: GraphAgent[];
  /** Agent by agent; inside an agent: sources (each followed by its selector), channels, groups, sinks, filters. */
  nodes: GraphNode[];
  /** Edges inside agents first, agent by agent, then the links between agents. */
  edges: GraphEdge[];
}

export interface GraphSpan {
  file: string;
  line: number;
  col: number;
}

export interface GraphAgent {
  /** The agent's name, escaped for use in ids (see `idPart`). */
  id: string;
  name: string;
  /** The `on` host as written (`${VAR}` for the environment), when given. */
  host?: string;
  span: GraphSpan;
}

/** One property for display. A secret's text is `MASK`, and `masked` says so. */
export interface GraphProperty {
  key: string;
  text: string;
  masked?: true;
}

export type NodeRole = 'source' | 'selector' | 'channel' | 'sink' | 'group' | 'filter';

interface NodeBase {
  /** `agent/role/name`, each part escaped by `idPart`: stable across runs and edits elsewhere. */
  id: string;
  /** The id of the agent the node belongs to. */
  agent: string;
  role: NodeRole;
  name: string;
  /** The canonical kind (`memory`, `hdfs`), or the class name of a custom component. */
  kind: string;
  /** Whether the kind is a class name the catalog does not know. */
  custom: boolean;
  span: GraphSpan;
  properties: GraphProperty[];
  /** The sink group containing the node (sinks only). */
  parent?: string;
}

export interface InterceptorStep {
  name: string;
  kind: string;
  custom: boolean;
  span: GraphSpan;
  properties: GraphProperty[];
}

export interface SourceNode extends NodeBase {
  role: 'source';
  /** The interceptor chain, in the order Flume applies it. */
  steps: InterceptorStep[];
  /** Where it listens (`0.0.0.0:4545`), for sources that listen on a socket. */
  address?: string;
}

/** Drawn between a source and its channels when there is a choice to show. */
export interface SelectorNode extends NodeBase {
  role: 'selector';
  /** The header a multiplexing selector reads. */
  header?: string;
}

export type ChannelStorage = 'memory' | 'file' | 'spillable' | 'kafka' | 'jdbc' | 'custom';

export interface ChannelNode extends NodeBase {
  role: 'channel';
  /** Where events wait: lost on a crash (`memory`) or kept (`file`, ...). */
  storage: ChannelStorage;
}

export interface SinkNode extends NodeBase {
  role: 'sink';
  /** The host and port an avro/thrift/http sink sends to. */
  address?: string;
  /** Its priority in a failover group. */
  priority?: number;
}

/** A sink group: a box around its sinks (their `parent`). `kind` is the processor. */
export interface GroupNode extends NodeBase {
  role: 'group';
  members: { sink: string; priority?: number }[];
  /** How a load-balancing group picks a sink (`round_robin`, `random`, a class). */
  policy?: string;
  backoff?: boolean;
}

export interface FilterNode extends NodeBase {
  role: 'filter';
}

export type GraphNode = SourceNode | SelectorNode | ChannelNode | SinkNode | GroupNode | FilterNode;

/**
 * `feeds` source → channel (no selector drawn), `selects` source → selector, `routes`
 * selector → channel, `drains` channel → sink, `links` sink → source of an agent it sends to.
 */
export type EdgeKind = 'feeds' | 'selects' | 'routes' | 'drains' | 'links';

/** One case of a multiplexing selector: a header value, or the default (`match` null). */
export interface Route {
  match: string | null;
  optional: boolean;
}

export interface GraphEdge {
  id: string;
  kind: EdgeKind;
  from: string;
  to: string;
  /** Text to draw on the edge; lines are separated by `\n`. */
  label?: string;
  /** A failure to write here does not fail the event (every route to the channel is optional). */
  optional?: true;
  /** The multiplexing cases that lead along this edge. */
  routes?: Route[];
}

export function buildGraph(program: Program): FlowGraph {
  const builder = new Builder(program);
  for (const agent of program.agents) builder.agent(agent);
  for (const agent of program.agents) builder.links(agent);
  return builder.graph;
}

/** Escapes `/` (the id separator) and `%` so that any quoted name makes a distinct id. */
export function idPart(name: string): string {
  return name.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function nodeId(agent: string, role: NodeRole, name: string): string {
  return `${idPart(agent)}/${role}/${idPart(name)}`;
}

class Builder {
  readonly graph: FlowGraph = { version: GRAPH_VERSION, agents: [], nodes: [], edges: [] };
  private readonly edgeIds = new Set<string>();

  constructor(private readonly program: Program) {}

  agent(agent: Agent): void {
    const a: GraphAgent = { id: idPart(agent.name), name: agent.name, span: spanOf(agent.decl.name.span) };
    if (agent.host) a.host = displayValue(agent.host);
    this.graph.agents.push(a);
    for (const s of agent.sources) this.source(agent, s);
    for (const c of agent.channels) {
      this.graph.nodes.push({ ...this.base(agent, 'channel', c), role: 'channel', storage: storageOf(c) });
    }
    const groupOf = new Map<string, { group: SinkGroup; id: string }>();
    for (const g of agent.groups) {
      const id = nodeId(agent.name, 'group', g.name);
      for (const m of g.sinks) if (!groupOf.has(m.name)) groupOf.set(m.name, { group: g, id });
      this.graph.nodes.push(this.group(agent, g));
    }
    for (const k of agent.sinks) {
      const node: SinkNode = { ...this.base(agent, 'sink', k), role: 'sink' };
      const address = this.sinkAddress(k);
      if (address !== undefined) node.address = address;
      const g = groupOf.get(k.name);
      if (g) {
        node.parent = g.id;
        const priority = priorityOf(g.group, k.name);
        if (priority !== undefined) node.priority = priority;
      }
      this.graph.nodes.push(node);
      if (k.channel) this.edge({ kind: 'drains', from: nodeId(agent.name, 'channel', k.channel.name), to: node.id });
    }
    for (const f of agent.filters) this.graph.nodes.push({ ...this.base(agent, 'filter', f), role: 'filter' });
  }

  /** Sinks that send to a source of an agent in this program: by `to`, or by host and port. */
  links(agent: Agent): void {
    for (const k of agent.sinks) {
      const link = sinkLink(this.program, k);
      if (!link) continue;
      const edge: Omit<GraphEdge, 'id'> = { kind: 'links', from: nodeId(agent.name, 'sink', k.name), to: nodeId(link.agent.name, 'source', link.source.name) };
      const protocol = k.spec?.connects?.protocol;
      const address = this.sinkAddress(k);
      if (protocol || address) edge.label = [protocol, address].filter(Boolean).join(' → ');
      this.edge(edge);
    }
  }

  private source(agent: Agent, s: Source): void {
    const node: SourceNode = {
      ...this.base(agent, 'source', s),
      role: 'source',
      steps: s.interceptors.map((i) => ({ name: i.name, kind: kindOf(i), custom: isCustom(i), span: spanOf(i.nameSpan), properties: properties(i) })),
    };
    const address = sourceAddress(s);
    if (address !== undefined) node.address = address;
    this.graph.nodes.push(node);
    const channelId = (name: string) => nodeId(agent.name, 'channel', name);
    // One channel and the default selector: nothing to choose, so nothing drawn in between.
    if (!s.selector && s.channels.length <= 1) {
      for (const c of s.channels) this.edge(c.optional ? { kind: 'feeds', from: node.id, to: channelId(c.name), optional: true, label: 'optional' } : { kind: 'feeds', from: node.id, to: channelId(c.name) });
      return;
    }
    const sel = s.selector;
    const selector: SelectorNode = sel
      ? { ...this.base(agent, 'selector', sel), role: 'selector', name: s.name }
      : { id: nodeId(agent.name, 'selector', s.name), agent: idPart(agent.name), role: 'selector', name: s.name, kind: 'replicating', custom: false, span: spanOf(s.nameSpan), properties: [] };
    if (sel && selector.kind === 'multiplexing') {
      const header = propOf(sel, 'header');
      const text = header ? displayValue(header.value) : effectiveText(sel, 'header');
      if (text !== undefined) selector.header = text;
    }
    this.graph.nodes.push(selector);
    this.edge({ kind: 'selects', from: node.id, to: selector.id });
    const routes = sel && selector.kind === 'multiplexing' ? routesOf(sel) : new Map<string, Route[]>();
    const optionals = optionalChannels(sel);
    for (const c of s.channels) {
      const edge: Omit<GraphEdge, 'id'> = { kind: 'routes', from: selector.id, to: channelId(c.name) };
      const cases = routes.get(c.name) ?? [];
      const optional = cases.length > 0 ? cases.every((r) => r.optional) : c.optional || optionals.has(c.name);
      if (cases.length > 0) {
        edge.routes = cases;
        edge.label = cases.map((r) => routeLabel(r, selector.header)).join('\n');
      } else if (optional) {
        edge.label = 'optional';
      }
      if (optional) edge.optional = true;
      this.edge(edge);
    }
  }

  private group(agent: Agent, g: SinkGroup): GroupNode {
    const node: GroupNode = {
      ...this.base(agent, 'group', g.processor),
      role: 'group',
      name: g.name,
      span: spanOf(g.nameSpan),
      members: g.sinks.map((m) => {
        const member: GroupNode['members'][number] = { sink: nodeId(agent.name, 'sink', m.name) };
        const priority = priorityOf(g, m.name);
        if (priority !== undefined) member.priority = priority;
        return member;
      }),
    };
    if (node.kind === 'load_balance') {
      const policy = effectiveText(g.processor, 'selector');
      if (policy !== undefined) node.policy = policy;
      const backoff = effectiveBoolean(g.processor, 'backoff');
      if (backoff !== undefined) node.backoff = backoff;
    }
    return node;
  }

  private base(agent: Agent, role: NodeRole, c: Component): NodeBase {
    return {
      id: nodeId(agent.name, role, c.name),
      agent: idPart(agent.name),
      role,
      name: c.name,
      kind: kindOf(c),
      custom: isCustom(c),
      span: spanOf(c.nameSpan),
      properties: properties(c),
    };
  }

  private sinkAddress(k: Sink): string | undefined {
    const connects = k.spec?.connects;
    if (!connects) return undefined;
    const to = linkProp(k);
    if (to) {
      const target = linkTarget(this.program, to.value);
      if (!target) return undefined;
      const host = target.host ? displayValue(target.host) : 'localhost';
      return target.port ? `${host}:${displayValue(target.port.value)}` : host;
    }
    const host = propOf(k, connects.hostProperty);
    const port = propOf(k, connects.portProperty);
    if (!host) return undefined;
    return port ? `${displayValue(host.value)}:${displayValue(port.value)}` : displayValue(host.value);
  }

  private edge(e: Omit<GraphEdge, 'id'>): void {
    let id = `${e.from}->${e.to}`;
    for (let i = 2; this.edgeIds.has(id); i++) id = `${e.from}->${e.to}#${i}`;
    this.edgeIds.add(id);
    this.graph.edges.push({ id, ...e });
  }
}

function spanOf(span: Span): GraphSpan {
  return { file: span.file, line: span.start.line, col: span.start.col };
}

function kindOf(c: Component): string {
  return c.spec?.kind ?? c.type;
}

function isCustom(c: Component): boolean {
  return !c.spec && c.isClassName;
}

function properties(c: Component): GraphProperty[] {
  return c.props.map((p: Prop) => (isSensitive(p) ? { key: p.key, text: MASK, masked: true } : { key: p.key, text: displayValue(p.value) }));
}

function storageOf(c: Component): ChannelStorage {
  switch (c.spec?.kind) {
    case 'memory':
      return 'memory';
    case 'file':
      return 'file';
    case 'spillablememory':
      return 'spillable';
    case 'kafka':
      return 'kafka';
    case 'jdbc':
      return 'jdbc';
    default:
      return 'custom';
  }
}

function sourceAddress(s: Source): string | undefined {
  const listens = s.spec?.listens;
  if (!listens) return undefined;
  // Flume's defaults fill in what the flow leaves out (an http source binds 0.0.0.0).
  const bind = listens.bindProperty ? effectiveText(s, listens.bindProperty) : undefined;
  const portKey = listens.portProperty ?? listens.portListProperty;
  const port = portKey ? effectiveText(s, portKey)?.trim().split(/\s+/).join(',') : undefined;
  if (bind === undefined && port === undefined) return undefined;
  return `${bind ?? ''}:${port ?? '?'}`;
}

function priorityOf(g: SinkGroup, sink: string): number | undefined {
  const p = propOf(g.processor, `priority.${sink}`);
  return p?.value.t === 'num' ? p.value.v : undefined;
}

/** Channel name → the cases of a multiplexing selector that send events to it, as written. */
function routesOf(selector: Component): Map<string, Route[]> {
  const out = new Map<string, Route[]>();
  const add = (channels: string[], route: Route) => {
    for (const c of channels) {
      const list = out.get(c) ?? [];
      if (!list.some((r) => r.match === route.match && r.optional === route.optional)) list.push(route);
      out.set(c, list);
    }
  };
  for (const p of selector.props) {
    if (p.key.startsWith('mapping.')) add(listWords(p.value), { match: p.key.slice('mapping.'.length), optional: false });
    else if (p.key.startsWith('optional.')) add(listWords(p.value), { match: p.key.slice('optional.'.length), optional: true });
    else if (p.key === 'default') add(listWords(p.value), { match: null, optional: false });
  }
  return out;
}

/** Channels a replicating selector may fail to write to: `c?` in a flow, or `optional` in `with`. */
function optionalChannels(selector: Component | undefined): Set<string> {
  const p = selector && selector.spec?.kind === 'replicating' ? propOf(selector, 'optional') : undefined;
  return new Set(p ? listWords(p.value) : []);
}

function routeLabel(r: Route, header: string | undefined): string {
  if (r.match === null) return 'default';
  return `${header ?? 'header'}=${r.match}${r.optional ? ' (optional)' : ''}`;
}

// The resolved program: what the checker checks and the emitters emit. It is built from the
// syntax tree by `resolve.ts`; flows, pipes and routes are already turned into Flume's
// structure (channel lists, selectors, interceptor chains, sink groups).
import type { AgentDecl, FlowFile, Span } from '../grammar/ast.js';
import type { Category, ComponentSpec, PropertySpec } from './catalog/types.js';

export interface Program {
  files: FlowFile[];
  agents: Agent[];
}

/** A piece of a string: literal text, or an environment variable read at build/run time. */
export type StringPart = string | { env: string; default?: string };

export type Value =
  | { t: 'str'; parts: StringPart[]; span: Span }
  | { t: 'num'; v: number; text: string; integer: boolean; span: Span }
  | { t: 'bool'; v: boolean; span: Span }
  | { t: 'duration'; ms: number; text: string; span: Span }
  | { t: 'size'; bytes: number; text: string; span: Span }
  /** A bare identifier: an enum value such as `DataStream`. */
  | { t: 'word'; v: string; span: Span }
  | { t: 'list'; items: Value[]; span: Span }
  /** `agent.component`: a link to a component, possibly in another agent. */
  | { t: 'ref'; agent: string; component: string; span: Span };

export interface Prop {
  /** The Flume key relative to the component, e.g. `hdfs.rollInterval`. */
  key: string;
  keySpan: Span;
  value: Value;
  /** The catalog entry for this key, when the component's kind is known. */
  spec?: PropertySpec;
  /** The value could not be evaluated (already reported); later rules skip it. */
  broken?: boolean;
}

export type Role = 'source' | 'channel' | 'sink' | 'interceptor' | 'selector' | 'sinkgroup' | 'configfilter';

export interface Component {
  role: Role;
  /** Which catalog category the `type` is looked up in. */
  category: Category;
  name: string;
  nameSpan: Span;
  /** The `.type` as written: an alias, our kind, or a class name. */
  type: string;
  typeSpan: Span;
  /** Whether the type was written as a class-name string. */
  isClassName: boolean;
  /** The catalog entry, when the type names a known kind. */
  spec?: ComponentSpec;
  props: Prop[];
  /** Whether the component was spelled out by the user (false for ones made from flow syntax). */
  declared: boolean;
}

export interface ChannelRef {
  name: string;
  span: Span;
  optional: boolean;
}

export interface Source extends Component {
  role: 'source';
  channels: ChannelRef[];
  selector?: Component;
  interceptors: Component[];
  /** Where the interceptor chain was attached, for "interceptors given twice". */
  pipeSpan?: Span;
}

export interface Sink extends Component {
  role: 'sink';
  channel?: ChannelRef;
}

export interface SinkGroup {
  name: string;
  nameSpan: Span;
  sinks: { name: string; span: Span }[];
  processor: Component;
  declared: boolean;
}

export interface Agent {
  name: string;
  decl: AgentDecl;
  /** The `on "host"` value, when given. */
  host?: Value;
  sources: Source[];
  channels: Component[];
  sinks: Sink[];
  groups: SinkGroup[];
  filters: Component[];
  /** Interceptors declared with `interceptor NAME : KIND`, by name. */
  interceptorDecls: Map<string, Component>;
  /** Names of declared interceptors that some pipe uses. */
  usedInterceptors: Set<string>;
  /**
   * Components named in a flow that could not be resolved, or the agent has a syntax error:
   * rules about missing connections would only repeat the first error.
   */
  incomplete: Set<string>;
  /** A syntax error inside this agent left its tree partial. */
  hasSyntaxErrors: boolean;
}

export function findComponent(agent: Agent, name: string): Component | undefined {
  return (
    agent.sources.find((c) => c.name === name) ??
    agent.channels.find((c) => c.name === name) ??
    agent.sinks.find((c) => c.name === name) ??
    agent.interceptorDecls.get(name) ??
    agent.filters.find((c) => c.name === name)
  );
}

export function propOf(c: Component, key: string): Prop | undefined {
  for (let i = c.props.length - 1; i >= 0; i--) if (c.props[i]!.key === key) return c.props[i];
  return undefined;
}

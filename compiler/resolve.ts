// Builds the resolved program from the syntax tree: components with flattened properties,
// and flows turned into Flume's structure (channel lists, selectors, interceptors, groups).
import type {
  AgentDecl,
  Block,
  ComponentDecl,
  FlowFile,
  FlowStmt,
  GroupStage,
  LetDecl,
  PipeStep,
  RouteStage,
  Span,
  Target,
  TargetList,
  TypeRef,
} from '../grammar/ast.js';
import { findKind, findProperty } from './catalog/index.js';
import type { Category } from './catalog/types.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { Scope, evaluate, literalString } from './evaluate.js';
import type { Agent, ChannelRef, Component, Program, Prop, Role, Sink, SinkGroup, Source, Value } from './model.js';
import { suggest, Suggester } from './util/suggest.js';

export interface ResolveResult {
  program: Program;
  diagnostics: Diagnostic[];
}

/** An agent resolved, with what resolving it reported. */
export interface ResolvedAgent {
  agent: Agent;
  diagnostics: Diagnostic[];
}

/**
 * Lets the language server reuse an agent resolved for an earlier version of the file. An
 * agent's resolution depends only on its declaration and on the file's constants declared
 * before it: the same objects (an unchanged part of the file keeps its tree) give the same agent.
 */
export interface AgentReuse {
  resolved(decl: AgentDecl, constants: readonly LetDecl[]): ResolvedAgent | undefined;
  remember(decl: AgentDecl, constants: readonly LetDecl[], resolved: ResolvedAgent): void;
}

export function resolve(files: FlowFile[], reuse?: AgentReuse): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const agents: Agent[] = [];
  const seenAgents = new Map<string, Span>();
  for (const file of files) {
    const global = new Scope();
    const constants: LetDecl[] = [];
    for (const item of file.items) {
      if (item.kind === 'Let') {
        constants.push(item);
        defineLet(global, item.name.name, item.name.span, item.value, diagnostics);
        continue;
      }
      const previous = seenAgents.get(item.name.name);
      if (previous) {
        diagnostics.push(duplicateName('agent', item.name.name, item.name.span, previous));
        continue;
      }
      seenAgents.set(item.name.name, item.name.span);
      let resolved = reuse?.resolved(item, constants);
      if (!resolved) {
        const own: Diagnostic[] = [];
        resolved = { agent: new AgentResolver(item, global.child(), own).resolve(), diagnostics: own };
        reuse?.remember(item, constants, resolved);
      }
      agents.push(resolved.agent);
      for (const d of resolved.diagnostics) diagnostics.push(d);
    }
  }
  return { program: { files, agents }, diagnostics };
}

function defineLet(scope: Scope, name: string, span: Span, expr: Parameters<typeof evaluate>[0], diagnostics: Diagnostic[]) {
  if (scope.has(name)) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW010',
      message: `the constant \`${name}\` is defined twice in the same scope`,
      span,
      label: 'defined again here',
    });
    return;
  }
  const value = evaluate(expr, scope, diagnostics);
  if (value) scope.set(name, value);
}

function duplicateName(what: string, name: string, span: Span, previous: Span): Diagnostic {
  return {
    severity: 'error',
    code: 'FLOW010',
    message: `the name \`${name}\` is used by two ${what === 'agent' ? 'agents' : 'components of one agent'}`,
    span,
    label: `\`${name}\` declared again here`,
    related: [{ span: previous, message: 'first declared here' }],
    help: ['names must be unique; rename one of them'],
  };
}

const roleCategory: Record<Role, Category> = {
  source: 'source',
  channel: 'channel',
  sink: 'sink',
  interceptor: 'interceptor',
  selector: 'selector',
  sinkgroup: 'sinkProcessor',
  configfilter: 'configFilter',
};

class AgentResolver {
  private readonly agent: Agent;
  private readonly names = new Map<string, Span>();
  /** Declared components by name (names are unique in an agent): one look-up per reference. */
  private readonly components = new Map<string, Component>();
  /** The next number to try for a generated name (`timestamp2`, `c1_failover2`), per base. */
  private readonly nextSuffix = new Map<string, number>();
  private readonly suggesters = new Map<'channel' | 'sink' | 'any', Suggester>();

  constructor(
    private readonly decl: AgentDecl,
    private readonly scope: Scope,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.agent = {
      name: decl.name.name,
      decl,
      sources: [],
      channels: [],
      sinks: [],
      groups: [],
      filters: [],
      interceptorDecls: new Map(),
      usedInterceptors: new Set(),
      incomplete: new Set(),
      hasSyntaxErrors: false,
    };
  }

  resolve(): Agent {
    if (this.decl.host) {
      const host = evaluate(this.decl.host, this.scope, this.diagnostics);
      if (host) this.agent.host = host;
    }
    for (const item of this.decl.items) {
      if (item.kind === 'Let') defineLet(this.scope, item.name.name, item.name.span, item.value, this.diagnostics);
      else if (item.kind === 'Component') this.declare(item);
    }
    for (const item of this.decl.items) if (item.kind === 'Flow') this.flow(item);
    return this.agent;
  }

  private declare(decl: ComponentDecl): void {
    const name = decl.name.name;
    const previous = this.names.get(name);
    if (previous) {
      this.diagnostics.push(duplicateName('component', name, decl.name.span, previous));
      return;
    }
    this.names.set(name, decl.name.span);
    switch (decl.role) {
      case 'source':
        this.agent.sources.push(this.known({ ...this.component('source', name, decl.name.span, decl.type, decl.body), role: 'source', channels: [], interceptors: [] }));
        return;
      case 'channel':
        this.agent.channels.push(this.known(this.component('channel', name, decl.name.span, decl.type, decl.body)));
        return;
      case 'sink':
        this.agent.sinks.push(this.known({ ...this.component('sink', name, decl.name.span, decl.type, decl.body), role: 'sink' }));
        return;
      case 'interceptor':
        this.agent.interceptorDecls.set(name, this.known(this.component('interceptor', name, decl.name.span, decl.type, decl.body)));
        return;
      case 'filter':
        this.agent.filters.push(this.known(this.component('configfilter', name, decl.name.span, decl.type, decl.body)));
        return;
      case 'group':
        this.declaredGroup(decl);
        return;
    }
  }

  private known<C extends Component>(c: C): C {
    this.components.set(c.name, c);
    return c;
  }

  /** `base`, else `base2`, `base3`...: the first that `taken` does not hold, without retrying from 2 each time. */
  private freshName(base: string, taken: (name: string) => boolean): string {
    if (!taken(base)) return base;
    let i = this.nextSuffix.get(base) ?? 2;
    while (taken(`${base}${i}`)) i++;
    this.nextSuffix.set(base, i + 1);
    return `${base}${i}`;
  }

  component(role: Role, name: string, nameSpan: Span, type: TypeRef, body: Block | undefined, declared = true): Component {
    const category = roleCategory[role];
    const spec = findKind(category, type.name);
    const props: Prop[] = [];
    if (body) this.flatten(body, '', props);
    const c: Component = {
      role,
      category,
      name,
      nameSpan,
      type: type.name,
      typeSpan: type.span,
      isClassName: type.isClassName,
      props,
      declared,
    };
    if (spec) {
      c.spec = spec;
      for (const p of props) {
        const ps = findProperty(spec, p.key);
        if (ps) p.spec = ps;
      }
    }
    return c;
  }

  private flatten(block: Block, prefix: string, out: Prop[]): void {
    for (const entry of block.entries) {
      const key = prefix ? `${prefix}.${entry.key.text}` : entry.key.text;
      if (entry.value.kind === 'Block') {
        this.flatten(entry.value, key, out);
        continue;
      }
      const value = evaluate(entry.value, this.scope, this.diagnostics);
      if (!value) {
        out.push({ key, keySpan: entry.key.span, value: { t: 'str', parts: [], span: entry.value.span }, broken: true });
        continue;
      }
      const previous = out.find((p) => p.key === key);
      if (previous) {
        this.diagnostics.push({
          severity: 'error',
          code: 'FLOW029',
          message: `the property \`${key}\` is set twice`,
          span: entry.key.span,
          label: 'set again here',
          related: [{ span: previous.keySpan, message: 'first set here' }],
          help: ['remove one of them; a nested block and a dotted key name the same property'],
        });
        continue;
      }
      out.push({ key, keySpan: entry.key.span, value });
    }
  }

  private declaredGroup(decl: ComponentDecl): void {
    const processor = this.component('sinkgroup', decl.name.name, decl.name.span, decl.type, decl.body);
    const sinksProp = processor.props.find((p) => p.key === 'sinks');
    processor.props = processor.props.filter((p) => p !== sinksProp);
    const sinks: SinkGroup['sinks'] = [];
    if (!sinksProp) {
      this.diagnostics.push({
        severity: 'error',
        code: 'FLOW022',
        message: `the sink group \`${decl.name.name}\` lists no sinks`,
        span: decl.name.span,
        label: 'no `sinks`',
        help: [`add \`sinks = [k1, k2]\`, or write the group in a flow: \`channel -> failover ${decl.name.name} { k1: 10, k2: 5 }\``],
      });
    } else {
      const items = sinksProp.value.t === 'list' ? sinksProp.value.items : [sinksProp.value];
      for (const item of items) {
        const name = literalString(item);
        if (name === undefined) {
          this.diagnostics.push({
            severity: 'error',
            code: 'FLOW023',
            message: '`sinks` of a sink group must list sink names',
            span: item.span,
            label: 'not a sink name',
          });
          continue;
        }
        for (const n of name.split(/\s+/).filter(Boolean)) sinks.push({ name: n, span: item.span });
      }
    }
    this.agent.groups.push({ name: decl.name.name, nameSpan: decl.name.span, sinks, processor, declared: true });
  }

  // ---- flows -------------------------------------------------------------------------------

  private flow(stmt: FlowStmt): void {
    const before = this.diagnostics.length;
    this.flowInner(stmt);
    if (this.diagnostics.length > before) for (const name of namesIn(stmt)) this.agent.incomplete.add(name);
  }

  private flowInner(stmt: FlowStmt): void {
    const head = this.lookup(stmt.head.name, stmt.head.span);
    if (!head) return;
    if (head.role === 'source') {
      this.sourceFlow(head as Source, stmt);
    } else if (head.role === 'channel') {
      if (stmt.interceptors.length > 0) {
        this.error('FLOW054', `interceptors attach to sources, but \`${head.name}\` is a channel`, stmt.interceptors[0]!.span, 'interceptor after a channel', [
          'write the pipe right after the source: `source | interceptor -> channel`',
        ]);
      }
      this.channelStages(head, stmt.stages);
    } else {
      this.error(
        'FLOW012',
        `a flow cannot start at ${roleName(head).replace(/^an? /, '')} \`${head.name}\``,
        stmt.head.span,
        'flows start at a source or a channel',
        head.role === 'sink' ? [`a sink takes events from a channel: write \`channel -> ${head.name}\``] : undefined,
      );
    }
  }

  private sourceFlow(source: Source, stmt: FlowStmt): void {
    if (stmt.interceptors.length > 0) {
      if (source.pipeSpan) {
        this.error('FLOW049', `the interceptors of source \`${source.name}\` are given twice`, stmt.interceptors[0]!.span, 'second interceptor chain', undefined, [
          { span: source.pipeSpan, message: 'first given here' },
        ]);
      } else {
        source.pipeSpan = stmt.interceptors[0]!.span;
        source.interceptors = this.interceptors(stmt.interceptors);
      }
    }
    const [first, ...rest] = stmt.stages;
    if (!first) return;
    if (source.channels.length > 0 || source.selector) {
      this.error('FLOW052', `the channels of source \`${source.name}\` are given twice`, first.span, 'second set of channels', [
        'list every channel in one flow: `source -> c1, c2`',
      ]);
      return;
    }
    if (first.kind === 'Group') {
      this.error('FLOW012', `source \`${source.name}\` cannot feed a sink group directly`, first.span, 'sink group after a source', [
        'put a channel between them: `source -> channel -> failover { ... }`',
      ]);
      return;
    }
    if (first.kind === 'Route') this.route(source, first);
    else this.sourceTargets(source, first);
    if (rest.length === 0) return;
    if (first.kind !== 'Targets' || first.targets.length !== 1) {
      this.error('FLOW053', 'a flow can only continue after a single channel', rest[0]!.span, 'cannot continue from several channels', [
        'write one flow per channel: `c1 -> k1` and `c2 -> k2`',
      ]);
      return;
    }
    const channel = this.components.get(first.targets[0]!.name.name);
    if (channel?.role === 'channel') this.channelStages(channel, rest);
  }

  private sourceTargets(source: Source, stage: TargetList): void {
    const optional: Target[] = [];
    for (const t of stage.targets) {
      const c = this.expectRole(t, 'channel', source);
      if (!c) continue;
      source.channels.push(channelRef(t));
      if (t.optional) optional.push(t);
    }
    if (optional.length === 0 && !stage.options) return;
    const typeProp = stage.options?.entries.find((e) => e.key.text === 'type');
    const selectorType = typeProp && typeProp.value.kind !== 'Block' ? evaluate(typeProp.value, this.scope, this.diagnostics) : undefined;
    const typeName = selectorType ? literalString(selectorType) ?? 'replicating' : 'replicating';
    const typeRef: TypeRef = {
      kind: 'TypeRef',
      name: typeName,
      isClassName: typeName.includes('.'),
      span: typeProp?.span ?? stage.span,
    };
    const selector = this.component('selector', source.name, stage.span, typeRef, undefined, !!typeProp);
    if (stage.options) {
      const props: Prop[] = [];
      this.flatten({ ...stage.options, entries: stage.options.entries.filter((e) => e !== typeProp) }, '', props);
      selector.props.push(...props);
    }
    if (optional.length > 0) {
      selector.props.push(this.generatedProp(selector, 'optional', listOf(optional.map((t) => t.name.name), optional[0]!.span)));
    }
    attachSpecs(selector);
    source.selector = selector;
  }

  private route(source: Source, stage: RouteStage): void {
    const typeRef: TypeRef = { kind: 'TypeRef', name: 'multiplexing', isClassName: false, span: stage.span };
    const selector = this.component('selector', source.name, stage.span, typeRef, undefined, false);
    selector.props.push(this.generatedProp(selector, 'header', { t: 'str', parts: [stage.header.value], span: stage.header.span }));
    const seen = new Map<string, Span>();
    const all = new Map<string, ChannelRef>();
    for (const c of stage.cases) {
      const label = c.value ? `"${c.value.value}"` : 'default';
      const at = c.value?.span ?? c.defaultSpan ?? c.span;
      const previous = seen.get(label);
      if (previous) {
        this.error('FLOW055', `the route for ${label} is given twice`, at, 'given again here', undefined, [{ span: previous, message: 'first given here' }]);
        continue;
      }
      seen.set(label, at);
      const required: Target[] = [];
      const optional: Target[] = [];
      for (const t of c.targets) {
        if (!this.expectRole(t, 'channel', source)) continue;
        (t.optional ? optional : required).push(t);
        if (!all.has(t.name.name)) all.set(t.name.name, channelRef(t));
      }
      if (!c.value) {
        if (optional.length > 0) {
          this.error('FLOW055', 'the default route cannot have optional channels', optional[0]!.span, 'optional channel in the default route', [
            'Flume has no optional default channels; remove the `?`',
          ]);
        }
        if (required.length > 0) selector.props.push(this.generatedProp(selector, 'default', listOf(required.map((t) => t.name.name), c.span)));
        continue;
      }
      if (required.length > 0) selector.props.push(this.generatedProp(selector, `mapping.${c.value.value}`, listOf(required.map((t) => t.name.name), c.span)));
      if (optional.length > 0) selector.props.push(this.generatedProp(selector, `optional.${c.value.value}`, listOf(optional.map((t) => t.name.name), c.span)));
    }
    if (stage.options) this.flatten(stage.options, '', selector.props);
    attachSpecs(selector);
    source.channels.push(...all.values());
    source.selector = selector;
  }

  private interceptors(steps: PipeStep[]): Component[] {
    const out: Component[] = [];
    const used = new Set<string>();
    const next = new Map<string, number>();
    // `timestamp`, `timestamp2`...: each base remembers where to go on, so a chain stays linear.
    const uniqueName = (base: string) => {
      let name = base;
      let i = next.get(base) ?? 2;
      while (used.has(name)) name = `${base}${i++}`;
      next.set(base, i);
      used.add(name);
      return name;
    };
    for (const step of steps) {
      // A declared interceptor may have a quoted name, which reads like a class-name string.
      const declared = this.agent.interceptorDecls.get(step.target.name);
      if (declared) {
        this.agent.usedInterceptors.add(declared.name);
        if (step.body) {
          this.error('FLOW054', `the interceptor \`${declared.name}\` is declared above; give its properties there`, step.body.span, 'properties on a declared interceptor', [
            `move these properties into \`interceptor ${declared.name} : ${declared.type} { ... }\``,
          ]);
        }
        out.push({ ...declared, name: uniqueName(declared.name) });
        continue;
      }
      const base = step.target.isClassName ? `i${out.length + 1}` : step.target.name;
      out.push(this.component('interceptor', uniqueName(base), step.target.span, step.target, step.body, false));
    }
    return out;
  }

  private channelStages(channel: Component, stages: FlowStmt['stages']): void {
    const [stage, ...rest] = stages;
    if (!stage) return;
    if (rest.length > 0) {
      this.error('FLOW053', 'a flow ends at its sinks', rest[0]!.span, 'nothing can follow a sink', ['start a new flow for the next part']);
    }
    if (stage.kind === 'Route') {
      this.error('FLOW012', `only a source can route events, but \`${channel.name}\` is a channel`, stage.span, 'route after a channel', [
        'write the route right after the source: `source -> route header "h" { ... }`',
      ]);
      return;
    }
    if (stage.kind === 'Group') {
      this.group(channel, stage);
      return;
    }
    if (stage.options) {
      this.error('FLOW012', '`with { ... }` after sinks has no meaning', stage.options.span, 'no selector here', [
        'selector options follow the channels of a source; sink group options follow `failover { }` or `balance [ ]`',
      ]);
    }
    for (const t of stage.targets) {
      if (t.optional) {
        this.error('FLOW012', 'only channels can be optional', t.span, '`?` on a sink', ['remove the `?`']);
      }
      const sink = this.expectRole(t, 'sink', channel) as Sink | undefined;
      if (sink) this.attachSink(sink, channel, t);
    }
  }

  private attachSink(sink: Sink, channel: Component, at: { span: Span; name: { span: Span } }): void {
    if (sink.channel) {
      if (sink.channel.name === channel.name) {
        this.error('FLOW042', `sink \`${sink.name}\` is connected to \`${channel.name}\` twice`, at.span, 'connected again here', undefined, [
          { span: sink.channel.span, message: 'first connected here' },
        ]);
      } else {
        this.error('FLOW042', `sink \`${sink.name}\` drains two channels, but a sink takes from exactly one`, at.span, `second channel \`${channel.name}\``, [
          'give each channel its own sink',
        ], [{ span: sink.channel.span, message: `already drains \`${sink.channel.name}\` here` }]);
      }
      return;
    }
    sink.channel = { name: channel.name, span: at.name.span, optional: false };
  }

  private group(channel: Component, stage: GroupStage): void {
    const policy = stage.policy === 'failover' ? 'failover' : 'load_balance';
    let name = stage.name?.name;
    if (name) {
      const previous = this.names.get(name);
      if (previous) {
        this.diagnostics.push(duplicateName('component', name, stage.name!.span, previous));
        return;
      }
    } else {
      name = this.freshName(`${channel.name}_${stage.policy}`, (n) => this.names.has(n));
    }
    const nameSpan = stage.name?.span ?? stage.policySpan;
    this.names.set(name, nameSpan);
    const typeRef: TypeRef = { kind: 'TypeRef', name: policy, isClassName: false, span: stage.policySpan };
    const processor = this.component('sinkgroup', name, nameSpan, typeRef, undefined, false);
    const sinks: SinkGroup['sinks'] = [];
    for (const m of stage.members) {
      const target: Target = { kind: 'Target', name: m.name, optional: false, span: m.span };
      const sink = this.expectRole(target, 'sink', channel) as Sink | undefined;
      if (!sink) continue;
      this.attachSink(sink, channel, target);
      sinks.push({ name: m.name.name, span: m.name.span });
      if (m.priority) {
        const v: Value = { t: 'num', v: m.priority.value, text: m.priority.text.replace(/_/g, ''), integer: m.priority.isInteger, span: m.priority.span };
        processor.props.push(this.generatedProp(processor, `priority.${m.name.name}`, v, m.name.span));
      }
    }
    if (stage.options) this.flatten(stage.options, '', processor.props);
    attachSpecs(processor);
    this.agent.groups.push({ name, nameSpan, sinks, processor, declared: !!stage.name });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private generatedProp(owner: Component, key: string, value: Value, keySpan: Span = value.span): Prop {
    const p: Prop = { key, keySpan, value };
    if (owner.spec) {
      const spec = findProperty(owner.spec, key);
      if (spec) p.spec = spec;
    }
    return p;
  }

  /** Did-you-mean over the declared channels, sinks, or sources and channels (all declared before any flow). */
  private suggester(role: 'channel' | 'sink' | 'any'): Suggester {
    let s = this.suggesters.get(role);
    if (!s) {
      const candidates = role === 'channel' ? this.agent.channels : role === 'sink' ? this.agent.sinks : [...this.agent.sources, ...this.agent.channels];
      this.suggesters.set(role, (s = new Suggester(candidates.map((c) => c.name))));
    }
    return s;
  }

  private lookup(name: string, span: Span, role?: 'channel' | 'sink'): Component | undefined {
    const found = this.components.get(name);
    if (found) return found;
    const guess = this.suggester(role ?? 'any').suggest(name);
    // The component the user probably meant is not really unused; don't say so too.
    if (guess) this.agent.incomplete.add(guess);
    this.error(
      'FLOW011',
      `no component named \`${name}\` in agent \`${this.agent.name}\``,
      span,
      'not declared',
      guess ? [`did you mean \`${guess}\`?`] : [`declare it first, e.g. \`${role === 'sink' ? `sink ${name} : logger` : `channel ${name} : memory`}\``],
    );
    return undefined;
  }

  private expectRole(target: Target, role: 'channel' | 'sink', from: Component): Component | undefined {
    const found = this.lookup(target.name.name, target.name.span, role);
    if (!found) return undefined;
    if (found.role === role) return found;
    const help =
      role === 'channel'
        ? [`a source writes to channels: \`${from.name} -> someChannel -> ${found.name}\``]
        : [`a channel feeds sinks; \`${found.name}\` is ${roleName(found)}`];
    this.error('FLOW012', `\`${found.name}\` is ${roleName(found)}, but a ${role} is expected after \`${from.name} ->\``, target.name.span, `expected a ${role}`, help);
    return undefined;
  }

  private error(code: string, message: string, span: Span, label: string, help?: string[], related?: Diagnostic['related']): void {
    const d: Diagnostic = { severity: 'error', code, message, span, label };
    if (help) d.help = help;
    if (related) d.related = related;
    this.diagnostics.push(d);
  }
}

function roleName(c: Component): string {
  switch (c.role) {
    case 'interceptor':
      return 'an interceptor';
    case 'configfilter':
      return 'a config filter';
    case 'sinkgroup':
      return 'a sink group';
    default:
      return `a ${c.role}`;
  }
}

/** Properties added after a component was made (from `with { }`) get their catalog entries too. */
function attachSpecs(c: Component): void {
  if (!c.spec) return;
  for (const p of c.props) {
    if (p.spec) continue;
    const spec = findProperty(c.spec, p.key);
    if (spec) p.spec = spec;
  }
}

/** Every component name a flow statement mentions. */
function namesIn(stmt: FlowStmt): string[] {
  const names = [stmt.head.name];
  for (const stage of stmt.stages) {
    if (stage.kind === 'Targets') names.push(...stage.targets.map((t) => t.name.name));
    else if (stage.kind === 'Route') for (const c of stage.cases) names.push(...c.targets.map((t) => t.name.name));
    else names.push(...stage.members.map((m) => m.name.name));
  }
  return names;
}

function channelRef(t: Target): ChannelRef {
  return { name: t.name.name, span: t.name.span, optional: t.optional };
}

function listOf(names: string[], span: Span): Value {
  return { t: 'list', items: names.map((n) => ({ t: 'word', v: n, span })), span };
}

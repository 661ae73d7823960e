// flume.properties → .flow. Works on the configuration as Flume reads it (read-config.ts):
// active components become code, everything Flume ignores or drops becomes a comment that
// says why, so that nothing of the original disappears.
import type {
  AgentDecl,
  AgentItem,
  ComponentDecl,
  ComponentRole,
  Entry,
  FlowFile,
  FlowStmt,
  GroupMember,
  PipeStep,
  RouteCase,
  Stage,
  Target,
} from '../../grammar/ast.js';
import { findKind, findProperty } from '../catalog/index.js';
import type { Category, ComponentSpec } from '../catalog/types.js';
import type { ConfigAgent, ConfigComponent, ConfigProp, ConfigSelector, ConfigSink, ConfigSinkGroup, ConfigSource, FlumeConfigFile } from '../flume/config.js';
import type { PropertyLine } from '../properties/reader.js';
import { formatPropertyLine } from '../properties/writer.js';
import { javaTrim, named, splitJavaWhitespace } from '../flume/read-config-support.js';
import { cover, Synth } from './synth.js';
import { importValue } from './values.js';

export interface ImportOptions {
  /** Import only this agent. */
  agent?: string;
}

export function importConfig(config: FlumeConfigFile, outPath: string, options: ImportOptions = {}): FlowFile {
  const s = new Synth(outPath);
  const items: AgentDecl[] = [];
  s.comment(`Imported from ${config.path} by flowc import.`);
  const agents = options.agent ? config.agents.filter((a) => a.name === options.agent) : config.agents;
  for (const agent of agents) {
    s.blankLine();
    if (!agent.active) {
      inactiveAgent(s, agent);
      continue;
    }
    items.push(new AgentImporter(s, agent).build());
  }
  if (!options.agent) {
    for (const r of config.rejected) s.comment(`ignored by Flume (${r.reason}): ${lineText(r.line)}`);
  }
  if (config.trailingComments.length > 0) {
    s.blankLine();
    for (const c of config.trailingComments) s.comment(c);
  }
  const end = s.span();
  return { kind: 'File', path: outPath, text: '', items, comments: s.comments, span: { file: outPath, start: { line: 1, col: 1, offset: 0 }, end: end.end } };
}

function lineText(line: PropertyLine): string {
  return formatPropertyLine(line.key, line.value);
}

function leading(s: Synth, line: PropertyLine | undefined): void {
  for (const c of line?.comments ?? []) s.comment(c);
}

function inactiveAgent(s: Synth, agent: ConfigAgent): void {
  s.comment(`agent ${agent.name} is not imported: ${agent.dropReason ?? 'Flume drops it'}. Its lines:`);
  for (const line of agentLines(agent)) s.comment(`  ${lineText(line)}`);
}

function agentLines(agent: ConfigAgent): PropertyLine[] {
  const lines: PropertyLine[] = [...Object.values(agent.lists).filter((l): l is PropertyLine => !!l)];
  const add = (c: ConfigComponent) => {
    if (c.typeLine) lines.push(c.typeLine);
    lines.push(...c.props.map((p) => p.line));
  };
  for (const src of agent.sources) {
    add(src);
    if (src.channelsLine) lines.push(src.channelsLine);
    if (src.interceptorsLine) lines.push(src.interceptorsLine);
    if (src.selector.typeLine) lines.push(src.selector.typeLine);
    lines.push(...src.selector.props.map((p) => p.line));
    src.interceptors.forEach(add);
  }
  agent.channels.forEach(add);
  for (const k of agent.sinks) {
    add(k);
    if (k.channelLine) lines.push(k.channelLine);
  }
  for (const g of agent.sinkgroups) {
    if (g.sinksLine) lines.push(g.sinksLine);
    if (g.processor.typeLine) lines.push(g.processor.typeLine);
    lines.push(...g.processor.props.map((p) => p.line));
  }
  agent.configfilters.forEach(add);
  lines.push(...agent.stray);
  return lines.sort((a, b) => a.line - b.line);
}

class AgentImporter {
  private readonly items: AgentItem[] = [];
  private readonly taken = new Set<string>();

  constructor(
    private readonly s: Synth,
    private readonly agent: ConfigAgent,
  ) {}

  build(): AgentDecl {
    const s = this.s;
    const a = this.agent;
    for (const line of Object.values(a.lists)) leading(s, line);
    s.newLine();
    const name = s.ident(a.name);
    const active = <T extends { active: boolean }>(list: T[]) => list.filter((c) => c.active);
    for (const c of [...a.sources, ...a.channels, ...a.sinks, ...a.configfilters]) if (c.active) this.taken.add(c.name);

    for (const f of active(a.configfilters)) this.component('filter', 'configFilter', f);
    for (const src of active(a.sources)) this.component('source', 'source', src);
    for (const c of active(a.channels)) this.component('channel', 'channel', c);
    for (const k of active(a.sinks)) this.component('sink', 'sink', k);
    s.blankLine();
    const declaredInterceptors = this.interceptorDeclarations();
    for (const src of active(a.sources)) this.sourceFlow(src, declaredInterceptors);
    const grouped = new Set<string>();
    for (const g of active(a.sinkgroups)) this.group(g, grouped);
    this.channelFlows(grouped);
    this.inactive();
    for (const line of a.stray) s.comment(`not imported (Flume ignores this key): ${lineText(line)}`);
    const close = s.span();
    return { kind: 'Agent', name, items: this.items, span: cover(name.span, close) };
  }

  private component(role: ComponentRole, category: Category, c: ConfigComponent): void {
    const s = this.s;
    leading(s, c.typeLine);
    s.newLine();
    const name = s.ident(c.name);
    const spec = c.type ? findKind(category, c.type) : undefined;
    const type = s.typeRef(spec ? spec.kind : c.type ?? 'unknown');
    const body = c.props.length > 0 ? s.block(() => this.entries(c.props, spec)) : undefined;
    const decl: ComponentDecl = { kind: 'Component', role, name, type, span: cover(name.span, body?.span ?? type.span) };
    if (body) decl.body = body;
    this.items.push(decl);
  }

  private entries(props: ConfigProp[], spec: ComponentSpec | undefined): Entry[] {
    return props.map((p) => {
      leading(this.s, p.line);
      return this.s.entry(p.key, () => importValue(this.s, p.value, spec ? findProperty(spec, p.key) : undefined));
    });
  }

  /**
   * Interceptors whose name is their kind are written inline (`| timestamp`); others are
   * declared once per agent under their own name, so that the properties keep it. Only those
   * the source lists count: Flume builds the chain from the `interceptors` list and ignores
   * the others (they are written as comments).
   */
  private interceptorDeclarations(): Map<ConfigComponent, string> {
    const declared = new Map<ConfigComponent, string>();
    for (const src of this.agent.sources.filter((x) => x.active)) {
      for (const i of src.interceptors) {
        if (!i.active) continue;
        const spec = i.type ? findKind('interceptor', i.type) : undefined;
        if (spec && i.name === spec.kind) continue;
        let name = i.name;
        for (let n = 2; this.taken.has(name); n++) name = `${i.name}_${n}`;
        this.taken.add(name);
        declared.set(i, name);
        this.component('interceptor', 'interceptor', { ...i, name });
      }
    }
    return declared;
  }

  /** The source's interceptor chain as Flume builds it: the `interceptors` list in order, repeats included. */
  private chain(src: ConfigSource): ConfigComponent[] {
    const listed = src.interceptorsLine ? splitJavaWhitespace(javaTrim(src.interceptorsLine.value)) : [];
    return listed.map((name) => src.interceptors.find((i) => i.active && i.name === name)).filter((i): i is ConfigComponent => !!i);
  }

  private sourceFlow(src: ConfigSource, declared: Map<ConfigComponent, string>): void {
    const s = this.s;
    const channels = src.channels.filter((c) => this.isActiveChannel(c));
    if (channels.length === 0) return;
    leading(s, src.channelsLine);
    leading(s, src.interceptorsLine);
    leading(s, src.selector.typeLine);
    s.newLine();
    const head = s.ident(src.name);
    const pipes: PipeStep[] = this.chain(src).map((i) => {
      const name = declared.get(i);
      if (name) {
        const target = s.typeRef(name);
        return { kind: 'Pipe', target, span: target.span };
      }
      const spec = findKind('interceptor', i.type!)!;
      const target = s.typeRef(spec.kind);
      const body = i.props.length > 0 ? s.block(() => this.entries(i.props, spec)) : undefined;
      const step: PipeStep = { kind: 'Pipe', target, span: cover(target.span, body?.span ?? target.span) };
      if (body) step.body = body;
      return step;
    });
    const stage = this.selectorStage(src, channels);
    const stmt: FlowStmt = { kind: 'Flow', head, interceptors: pipes, stages: [stage], span: cover(head.span, stage.span) };
    this.items.push(stmt);
  }

  private selectorStage(src: ConfigSource, channels: string[]): Stage {
    const s = this.s;
    const sel = src.selector;
    const spec = findKind('selector', sel.type ?? 'replicating');
    const route = spec?.kind === 'multiplexing' ? this.route(src, sel, channels) : undefined;
    if (route) return route;
    const optional = new Set<string>();
    const optionalProp = sel.props.find((p) => p.key === 'optional');
    // `c?` says "optional" only when every name is a channel of the source; Flume also keeps a
    // name that is not (as a null channel it logs an error for on every batch), so such a list
    // stays a property, as written, and the reader's warning says what is wrong with it.
    const optionalNames = optionalProp ? splitJavaWhitespace(optionalProp.value) : [];
    const inline = spec?.kind === 'replicating' && !sel.type && !!optionalProp && optionalNames.every((c) => channels.includes(c));
    if (inline) for (const c of optionalNames) optional.add(c);
    const targets = channels.map((c) => s.target(c, optional.has(c)));
    const rest = sel.props.filter((p) => !(inline && p === optionalProp));
    const stage: Stage = { kind: 'Targets', targets, span: cover(targets[0]!.span, targets[targets.length - 1]!.span) };
    if (sel.type || rest.length > 0) {
      stage.options = s.block(() => {
        const entries: Entry[] = [];
        if (sel.type) entries.push(s.entry('type', () => importValue(s, sel.type!, undefined)));
        return [...entries, ...this.entries(rest, spec)];
      });
      stage.span = cover(stage.span, stage.options.span);
    }
    return stage;
  }

  /** `route header "h" { ... }` when the selector is plain enough to say exactly that. */
  private route(src: ConfigSource, sel: ConfigSelector, channels: string[]): Stage | undefined {
    const s = this.s;
    const header = sel.props.find((p) => p.key === 'header');
    if (!header) return undefined;
    const cases = new Map<string, { required: string[]; optional: string[] }>();
    let defaults: string[] = [];
    for (const p of sel.props) {
      if (p === header) continue;
      const list = p.value.split(/\s+/).filter(Boolean);
      const m = /^(mapping|optional)\.(.+)$/.exec(p.key);
      if (p.key === 'default') defaults = list;
      else if (m) {
        const c = cases.get(m[2]!) ?? { required: [], optional: [] };
        c[m[1] === 'mapping' ? 'required' : 'optional'].push(...list);
        cases.set(m[2]!, c);
      } else return undefined;
      if (!list.every((c) => channels.includes(c))) return undefined;
    }
    const all = new Set([...defaults, ...[...cases.values()].flatMap((c) => [...c.required, ...c.optional])]);
    if (all.size !== channels.length || channels.some((c) => !all.has(c))) return undefined;
    if ([...cases.values()].some((c) => c.required.length === 0 || new Set(c.required).size !== c.required.length)) return undefined;
    const headerLit = s.string(header.value);
    const routeCases: RouteCase[] = [];
    for (const [value, c] of cases) {
      s.newLine();
      const v = s.string(value);
      const targets: Target[] = [...c.required.map((n) => s.target(n)), ...c.optional.filter((n) => !c.required.includes(n)).map((n) => s.target(n, true))];
      routeCases.push({ kind: 'RouteCase', value: v, targets, span: cover(v.span, targets[targets.length - 1]!.span) });
    }
    if (defaults.length > 0) {
      s.newLine();
      const at = s.span();
      const targets = defaults.map((n) => s.target(n));
      routeCases.push({ kind: 'RouteCase', defaultSpan: at, targets, span: cover(at, targets[targets.length - 1]!.span) });
    }
    const end = s.span();
    return { kind: 'Route', header: headerLit, cases: routeCases, span: cover(headerLit.span, end) };
  }

  private group(g: ConfigSinkGroup, grouped: Set<string>): void {
    const s = this.s;
    const spec = findKind('sinkProcessor', g.processor.type ?? 'default');
    // The sinks Flume keeps in this group, in the order the user wrote them (Flume runs them
    // in hash order, which the emitted file reproduces whatever the order).
    const members = g.sinks.filter((k, i) => g.effectiveSinks.includes(k) && g.sinks.indexOf(k) === i);
    const sinks = members.map((name) => named(this.agent.sinks, name)).filter((k): k is ConfigSink => !!k?.active);
    const channel = sinks[0]?.channel;
    const sameChannel = sinks.length === members.length && sinks.every((k) => k.channel === channel && this.isActiveChannel(k.channel));
    const priorities = new Map(g.processor.props.filter((p) => p.key.startsWith('priority.')).map((p) => [p.key.slice('priority.'.length), p.value]));
    const others = g.processor.props.filter((p) => !p.key.startsWith('priority.'));
    leading(s, g.sinksLine);
    leading(s, g.processor.typeLine);
    const failoverInline =
      spec?.kind === 'failover' &&
      members.every((k) => /^-?\d+$/.test(priorities.get(k) ?? '')) &&
      priorities.size === members.length;
    const balanceInline = spec?.kind === 'load_balance' && g.processor.props.every((p) => !p.key.startsWith('priority.'));
    if (sameChannel && channel && (failoverInline || balanceInline)) {
      s.newLine();
      const head = s.ident(channel);
      const policySpan = s.span();
      const name = s.ident(g.name);
      const groupMembers: GroupMember[] = members.map((k) => {
        const id = s.ident(k);
        const member: GroupMember = { kind: 'GroupMember', name: id, span: id.span };
        if (failoverInline) {
          const text = priorities.get(k)!;
          member.priority = { kind: 'Number', value: Number(text), text, isInteger: true, span: s.span() };
        }
        return member;
      });
      const stage: Stage = { kind: 'Group', policy: failoverInline ? 'failover' : 'balance', policySpan, name, members: groupMembers, span: cover(policySpan, s.span()) };
      // A differently spelled type (`FAILOVER`, the class name) is the same processor to Flume.
      if (others.length > 0) {
        stage.options = s.block(() => this.entries(others, spec));
        stage.span = cover(stage.span, stage.options.span);
      }
      this.items.push({ kind: 'Flow', head, interceptors: [], stages: [stage], span: cover(head.span, stage.span) });
      for (const k of members) grouped.add(k);
      return;
    }
    // The general form: a declared group, with the sinks wired to their channels separately.
    s.newLine();
    const name = s.ident(g.name);
    const type = s.typeRef(spec ? spec.kind : g.processor.type ?? 'default');
    const body = s.block(() => {
      const list = s.entry('sinks', () => {
        const open = s.span();
        return { kind: 'List', items: members.map((k) => ({ kind: 'Ref' as const, path: [s.ident(k)], text: k, span: s.span() })), span: open };
      });
      return [list, ...this.entries(g.processor.props, spec)];
    });
    this.items.push({ kind: 'Component', role: 'group', name, type, body, span: cover(name.span, body.span) });
  }

  private channelFlows(grouped: Set<string>): void {
    const s = this.s;
    const byChannel = new Map<string, ConfigSink[]>();
    for (const k of this.agent.sinks) {
      if (!k.active || grouped.has(k.name) || !k.channel || !this.isActiveChannel(k.channel)) continue;
      const list = byChannel.get(k.channel) ?? [];
      list.push(k);
      byChannel.set(k.channel, list);
    }
    for (const [channel, sinks] of byChannel) {
      for (const k of sinks) leading(s, k.channelLine);
      s.newLine();
      const head = s.ident(channel);
      const targets = sinks.map((k) => s.target(k.name));
      const stage: Stage = { kind: 'Targets', targets, span: cover(targets[0]!.span, targets[targets.length - 1]!.span) };
      this.items.push({ kind: 'Flow', head, interceptors: [], stages: [stage], span: cover(head.span, stage.span) });
    }
  }

  private inactive(): void {
    const s = this.s;
    const a = this.agent;
    const report = (what: string, c: { name: string; active: boolean; dropReason?: string }, lines: PropertyLine[], label = `${what} ${c.name}`) => {
      if (c.active) return;
      s.blankLine();
      s.comment(`${label} is not imported: ${c.dropReason ?? 'Flume drops it'}. Its lines:`);
      for (const line of lines.sort((x, y) => x.line - y.line)) s.comment(`  ${lineText(line)}`);
    };
    const linesOf = (c: ConfigComponent) => [...(c.typeLine ? [c.typeLine] : []), ...c.props.map((p) => p.line)];
    for (const src of a.sources) {
      if (src.active) for (const i of src.interceptors) report('interceptor', i, linesOf(i), `interceptor ${i.name} of source ${src.name}`);
      report('source', src, [
        ...linesOf(src),
        ...(src.channelsLine ? [src.channelsLine] : []),
        ...(src.interceptorsLine ? [src.interceptorsLine] : []),
        ...(src.selector.typeLine ? [src.selector.typeLine] : []),
        ...src.selector.props.map((p) => p.line),
        ...src.interceptors.flatMap(linesOf),
      ]);
    }
    for (const c of a.channels) report('channel', c, linesOf(c));
    for (const k of a.sinks) report('sink', k, [...linesOf(k), ...(k.channelLine ? [k.channelLine] : [])]);
    for (const g of a.sinkgroups) {
      report('sink group', g, [...(g.sinksLine ? [g.sinksLine] : []), ...(g.processor.typeLine ? [g.processor.typeLine] : []), ...g.processor.props.map((p) => p.line)]);
    }
    for (const f of a.configfilters) report('config filter', f, linesOf(f));
  }

  private isActiveChannel(name: string | undefined): boolean {
    return !!name && !!named(this.agent.channels, name)?.active;
  }
}

// The runtime target's configuration: the one place that turns a checked program into what the
// Node.js runtime reads. For every component: its catalog kind (or class name), and every
// catalog property of that kind with a value — the user's or the catalog default — converted
// to the catalog's unit and typed (numbers, booleans, strings, string lists). `env(...)` is
// read now. The runtime never sees .flow or properties text.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { findKind, findProperty } from '../catalog/index.js';
import type { ComponentSpec, PropertySpec } from '../catalog/types.js';
import { linkProp, linkTarget, sinkLink } from '../links.js';
import { effectiveText } from '../check/effective.js';
import type { Agent, Component, Program, Prop, Sink, Value } from '../model.js';
import { toFlumeText, type EnvMode } from '../values.js';
import type {
  AgentRuntimeConfig,
  ComponentConfig,
  ParamValue,
  Params,
  SelectorConfig,
  SinkConfig,
  SinkGroupConfig,
  SourceConfig,
} from '../../runtime/core/config.js';

export type { AgentRuntimeConfig } from '../../runtime/core/config.js';

export interface RuntimeConfigResult {
  config: AgentRuntimeConfig;
  /** Values that could not be converted (for instance an `env(...)` that is not a number). */
  diagnostics: Diagnostic[];
}

export interface RuntimeConfigOptions {
  /** The environment `env(...)` reads; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * Agents that run in the same process (`flowc run` of several agents): a sink linked to one
   * of them sends to the address its source listens on here, whatever host the agent is `on`.
   */
  localAgents?: ReadonlySet<string>;
}

/** The runtime configuration of every agent of a checked program. */
export function runtimeConfigs(program: Program, options: RuntimeConfigOptions = {}): RuntimeConfigResult[] {
  return program.agents.map((a) => runtimeConfig(program, a, options));
}

export function runtimeConfig(program: Program, agent: Agent, options: RuntimeConfigOptions = {}): RuntimeConfigResult {
  const conv = new Converter({ kind: 'resolve', env: options.env ?? process.env }, program);
  const channels = agent.channels.map((c) => conv.component(c));
  const sources: SourceConfig[] = agent.sources.map((s) => {
    const base = conv.component(s);
    const selector: SelectorConfig = s.selector
      ? conv.component(s.selector)
      : { kind: 'replicating', params: conv.defaultsOf(findKind('selector', 'replicating')) };
    return {
      ...base,
      channels: s.channels.map((c) => c.name),
      selector: { kind: selector.kind, ...(selector.custom ? { custom: true } : {}), params: selector.params },
      interceptors: s.interceptors.map((i) => conv.component(i)),
    };
  });
  const sinks: SinkConfig[] = agent.sinks
    .filter((k) => k.channel)
    .map((k) => {
      const sink: SinkConfig = { ...conv.component(k), channel: k.channel!.name };
      const local = options.localAgents && localLink(program, k, options.localAgents);
      if (local) sink.params[k.spec!.connects!.hostProperty] = local;
      return sink;
    });
  const sinkGroups: SinkGroupConfig[] = agent.groups.map((g) => {
    const p = conv.component(g.processor);
    return {
      name: g.name,
      sinks: g.sinks.map((s) => s.name),
      processor: { kind: p.kind, ...(p.custom ? { custom: true } : {}), params: p.params },
    };
  });
  const config: AgentRuntimeConfig = {
    version: 1,
    agent: agent.name,
    file: agent.decl.span.file,
    channels,
    sources,
    sinks,
    sinkGroups,
  };
  return { config, diagnostics: conv.diagnostics };
}

/** The address to reach a linked source that runs in this process, if the sink has such a link. */
function localLink(program: Program, k: Sink, local: ReadonlySet<string>): string | undefined {
  const target = sinkLink(program, k);
  if (!target || !local.has(target.agent.name)) return undefined;
  const bindKey = target.source.spec?.listens?.bindProperty;
  const bind = bindKey ? effectiveText(target.source, bindKey)?.trim() : undefined;
  // A source listening on every interface is reached over loopback.
  return bind === undefined || bind === '' || bind === '0.0.0.0' || bind === '::' || bind === '[::]' ? '127.0.0.1' : bind;
}

class Converter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly envMode: EnvMode,
    private readonly program: Program,
  ) {}

  component(c: Component): ComponentConfig {
    const spec = c.spec;
    const out: ComponentConfig = { name: c.name, kind: spec ? spec.kind : c.type, params: {} };
    if (!spec) out.custom = true;
    const params = out.params;
    const link = linkProp(c);
    for (const p of c.props) {
      if (p === link) continue;
      const value = this.convert(p.value, p.spec ?? (spec ? findProperty(spec, p.key) : undefined), c, p);
      if (value !== undefined) params[p.key] = value;
    }
    if (link) this.link(c, link, params);
    if (spec) this.translateDeprecated(spec, params);
    if (spec) this.fillDefaults(spec, params);
    return out;
  }

  /** The defaults of a kind, for components the program does not spell out (the replicating selector). */
  defaultsOf(spec: ComponentSpec | undefined): Params {
    const params: Params = {};
    if (spec) this.fillDefaults(spec, params);
    return params;
  }

  /**
   * A deprecated key gives its replacement when that is not set, as Flume 1.11 translates it
   * (`brokerList` → `kafka.bootstrap.servers`), so the runtime reads one name only. A change
   * of kind (`readSmallestOffset`, a boolean, becomes an offset policy) is Flume's own mapping.
   */
  private translateDeprecated(spec: ComponentSpec, params: Params): void {
    for (const p of spec.properties) {
      if (!p.replacedBy || !(p.name in params) || p.replacedBy in params) continue;
      const target = findProperty(spec, p.replacedBy);
      const value = params[p.name]!;
      if (p.type === 'boolean' && target?.type !== 'boolean') {
        if (p.name === 'readSmallestOffset' && typeof value === 'boolean') params[p.replacedBy] = value ? 'earliest' : 'latest';
        continue;
      }
      params[p.replacedBy] = target ? retype(value, target) : value;
    }
  }

  private fillDefaults(spec: ComponentSpec, params: Params): void {
    for (const p of spec.properties) {
      if (p.default === undefined) continue;
      if (!p.name.includes('<') && !p.name.endsWith('*')) {
        if (!(p.name in params)) params[p.name] = typedDefault(p);
        continue;
      }
      // A pattern with a default (`serializers.<s>.type`): filled for every binding of its
      // placeholder that the user's keys name (`serializers.s1.name` gives `s1`).
      for (const key of patternInstances(p.name, Object.keys(params))) {
        if (!(key in params)) params[key] = typedDefault(p);
      }
    }
    // Serializer options (`sink.serializer.appendNewline`): from the serializer's own entry.
    for (const p of spec.properties) {
      if (p.type !== 'enum' || !/(^|\.)serializer$/.test(p.name)) continue;
      const chosen = params[p.name];
      const serializer = typeof chosen === 'string' ? findKind('serializer', chosen) : undefined;
      if (!serializer) continue;
      for (const sp of serializer.properties) {
        const key = `${p.name}.${sp.name}`;
        if (key in params) params[key] = retype(params[key]!, sp);
        else if (sp.default !== undefined) params[key] = typedDefault(sp);
      }
    }
  }

  private link(c: Component, to: Prop, params: Params): void {
    const connects = c.spec?.connects;
    const target = linkTarget(this.program, to.value);
    if (!connects || !target) return;
    const hostSpec = c.spec ? findProperty(c.spec, connects.hostProperty) : undefined;
    const portSpec = c.spec ? findProperty(c.spec, connects.portProperty) : undefined;
    const host = target.host ? this.convert(target.host, hostSpec, c, to) : 'localhost';
    if (host !== undefined) params[connects.hostProperty] = host;
    if (target.port) {
      const port = this.convert(target.port.value, portSpec, c, to);
      if (port !== undefined) params[connects.portProperty] = port;
    }
  }

  private convert(value: Value, spec: PropertySpec | undefined, c: Component, p: Prop): ParamValue | undefined {
    if (p.broken) return undefined;
    if (spec?.type === 'list' && value.t === 'list') {
      const items: string[] = [];
      for (const item of value.items) {
        const r = toFlumeText(item, undefined, this.envMode);
        if (!r.ok) return this.fail(r.error, c, p);
        items.push(r.text);
      }
      return items;
    }
    const r = toFlumeText(value, spec, this.envMode);
    if (!r.ok) return this.fail(r.error, c, p);
    return spec ? typed(r.text, spec) : r.text;
  }

  private fail(error: { code: string; message: string; label: string; help?: string[] }, c: Component, p: Prop): undefined {
    const d: Diagnostic = {
      severity: 'error',
      code: error.code,
      message: `${error.message} (in \`${c.name}\`)`,
      span: p.value.span,
      label: error.label,
    };
    if (error.help) d.help = error.help;
    this.diagnostics.push(d);
    return undefined;
  }
}

/** Flume text for one property, typed by its catalog entry. */
function typed(text: string, spec: PropertySpec): ParamValue {
  switch (spec.type) {
    case 'int':
    case 'long':
    case 'double': {
      const n = Number(text.trim());
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text.trim().toLowerCase() === 'true';
    case 'list':
      return splitList(text, spec);
    default:
      return text;
  }
}

function retype(v: ParamValue, spec: PropertySpec): ParamValue {
  return typeof v === 'string' ? typed(v, spec) : v;
}

function typedDefault(spec: PropertySpec): ParamValue {
  const d = spec.default!;
  if (spec.type === 'list') return splitList(String(d), spec);
  if (typeof d === 'string') return typed(d, spec);
  return d;
}

function splitList(text: string, spec: PropertySpec): string[] {
  const parts = spec.listSeparator === 'comma' ? text.split(',') : text.split(/\s+/);
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Concrete keys for a pattern such as `serializers.<s>.type`, from the bindings in `keys`. */
function patternInstances(pattern: string, keys: readonly string[]): string[] {
  const segs = pattern.split('.');
  const at = segs.findIndex((s) => s.startsWith('<'));
  if (at < 0 || segs.some((s, i) => i !== at && (s.startsWith('<') || s === '*'))) return [];
  const out = new Set<string>();
  for (const key of keys) {
    const parts = key.split('.');
    if (parts.length <= at) continue;
    let ok = true;
    for (let i = 0; i < at; i++) if (parts[i] !== segs[i]) ok = false;
    if (!ok || parts[at]!.length === 0) continue;
    const instance = [...segs];
    instance[at] = parts[at]!;
    out.add(instance.join('.'));
  }
  return [...out];
}

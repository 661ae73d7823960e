// What Flume would actually run, as plain JSON: only active agents and components, types
// normalised to class names (so `memory`, `MEMORY` and the class name compare equal), names
// of interceptors dropped (only their order counts), and no defaults filled in, except that
// an absent selector type is the replicating one that Flume uses.
import type { Category } from '../catalog/types.js';
import type { ConfigAgent, ConfigComponent, ConfigProp, ConfigSelector, ConfigSource, FlumeConfigFile } from './config.js';
import { resolveFlumeType } from './read-config-kinds.js';
import { javaTrim, splitJavaWhitespace } from './read-config-support.js';

export interface EffectiveComponent {
  /** The catalog's class name for a known kind; a custom class name as written. */
  type: string;
  /** Trimmed values by key (relative to the component), keys sorted. */
  props: Record<string, string>;
}

export interface EffectiveSource extends EffectiveComponent {
  /** The active channels, sorted: Flume keeps them in a set. */
  channels: string[];
  selector: EffectiveComponent;
  /** In execution order; a name listed twice runs twice. */
  interceptors: EffectiveComponent[];
}

export interface EffectiveSink extends EffectiveComponent {
  channel: string;
}

export interface EffectiveSinkGroup {
  /** In the order Flume hands them to the processor (Java HashSet order). */
  sinks: string[];
  processor: EffectiveComponent;
}

export interface EffectiveAgent {
  sources: Record<string, EffectiveSource>;
  channels: Record<string, EffectiveComponent>;
  sinks: Record<string, EffectiveSink>;
  sinkgroups: Record<string, EffectiveSinkGroup>;
  configfilters: Record<string, EffectiveComponent>;
}

export interface EffectiveConfig {
  agents: Record<string, EffectiveAgent>;
}

export function effectiveConfig(file: FlumeConfigFile): EffectiveConfig {
  // An agent left with no running component runs nothing: the same as no agent.
  const agents = file.agents.filter((a) => a.active && [...a.sources, ...a.channels, ...a.sinks].some((c) => c.active)).sort(byName);
  return { agents: Object.fromEntries(agents.map((a) => [a.name, effectiveAgent(a)])) };
}

function effectiveAgent(a: ConfigAgent): EffectiveAgent {
  const activeChannels = new Set(a.channels.filter((c) => c.active).map((c) => c.name));
  return {
    sources: record(a.sources, (s) => effectiveSource(s as ConfigSource, activeChannels)),
    channels: record(a.channels, (c) => component('channel', c.type!, c.props)),
    sinks: record(a.sinks, (k) => ({ ...component('sink', k.type!, k.props), channel: k.channel! })),
    sinkgroups: Object.fromEntries(
      a.sinkgroups
        .filter((g) => g.active)
        .sort(byName)
        .map((g) => [g.name, { sinks: [...g.effectiveSinks], processor: processorOf(g.processor) }]),
    ),
    configfilters: record(a.configfilters, (f) => component('configFilter', f.type!, f.props)),
  };
}

function effectiveSource(s: ConfigSource, activeChannels: Set<string>): EffectiveSource {
  const listed = s.interceptorsLine ? splitJavaWhitespace(javaTrim(s.interceptorsLine.value)) : [];
  return {
    ...component('source', s.type!, s.props),
    channels: [...new Set(s.channels.filter((c) => activeChannels.has(c)))].sort(),
    selector: component('selector', s.selector.type ?? 'replicating', s.selector.props),
    interceptors: listed.map((name) => {
      const i = s.interceptors.find((x) => x.name === name)!;
      return component('interceptor', i.type!, i.props);
    }),
  };
}

function processorOf(p: ConfigSelector): EffectiveComponent {
  return component('sinkProcessor', p.type ?? 'default', p.props);
}

function component(category: Category, type: string, props: readonly ConfigProp[]): EffectiveComponent {
  const r = resolveFlumeType(category, type);
  return { type: r.status === 'known' ? r.spec.className : type, props: propsRecord(props) };
}

function propsRecord(props: readonly ConfigProp[]): Record<string, string> {
  return Object.fromEntries([...props].sort((a, b) => compare(a.key, b.key)).map((p) => [p.key, p.value]));
}

function record<T extends ConfigComponent, R>(units: readonly T[], map: (u: T) => R): Record<string, R> {
  return Object.fromEntries(
    units
      .filter((u) => u.active)
      .sort(byName)
      .map((u) => [u.name, map(u)]),
  );
}

function byName(a: { name: string }, b: { name: string }): number {
  return compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

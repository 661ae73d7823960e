// FlumeConfiguration's validation of one agent (AgentConfiguration.isValid): which listed
// components survive, in Flume's order of checks, and why the others are dropped. What
// AbstractConfigurationProvider drops later, when it builds the components, is in
// `read-config-materialise.ts`.
import type { Span } from '../../grammar/ast.js';
import { findKind } from '../catalog/index.js';
import type { Category } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PropertyLine } from '../properties/reader.js';
import { Suggester } from '../util/suggest.js';
import type { ConfigAgent, ConfigComponent, ConfigSink, ConfigSinkGroup, ConfigSource } from './config.js';
import { configStubNames } from './read-config-kinds.js';
import { materialise } from './read-config-materialise.js';
import {
  didYouMean,
  javaHashSetOrder,
  javaTrim,
  makeDiagnostic,
  splitJavaWhitespace,
  splitSpaces,
  type DiagnosticInit,
  type Locator,
  named,
} from './read-config-support.js';

export const SECTIONS = ['sources', 'channels', 'sinks', 'sinkgroups', 'configfilters'] as const;
export type Section = (typeof SECTIONS)[number];

export interface FileState {
  loc: Locator;
  out: Diagnostic[];
  /** Set when Flume cannot load the file at all; every agent is then inactive. */
  fileFailure?: string;
}

export interface BuiltAgent {
  agent: ConfigAgent;
  /** The agent's first line. */
  first: PropertyLine;
  /** Each component's (and group's) first line, or its list line when it has no keys. */
  anchor: Map<object, PropertyLine>;
  /** Keys of a component that Flume does not read (near misses such as a sink's `channels`). */
  strayKeys: Map<object, string[]>;
}

export type Unit = ConfigComponent | ConfigSinkGroup;

export const sectionWord: Record<Section, string> = {
  sources: 'source',
  channels: 'channel',
  sinks: 'sink',
  sinkgroups: 'sink group',
  configfilters: 'config filter',
};

export const sectionCategory: Record<Exclude<Section, 'sinkgroups'>, Category> = {
  sources: 'source',
  channels: 'channel',
  sinks: 'sink',
  configfilters: 'configFilter',
};

/** Reports and records for one agent; shared with the materialisation step. */
export class AgentCheck {
  readonly agent: ConfigAgent;

  constructor(
    readonly built: BuiltAgent,
    readonly state: FileState,
  ) {
    this.agent = built.agent;
  }

  report(severity: Diagnostic['severity'], code: string, message: string, span: Span | undefined, init: DiagnosticInit): void {
    this.state.out.push(makeDiagnostic(severity, code, message, span, init));
  }

  /** Where a component is: its first key, or its name in the agent's list. */
  where(u: Unit, section: Section): Span {
    const line = this.built.anchor.get(u) ?? this.agent.lists[section] ?? this.built.first;
    if (line === this.agent.lists[section]) return this.state.loc.listItem(line, u.name);
    return this.state.loc.key(line);
  }

  key(section: Section, name: string, rest?: string): string {
    return `\`${this.agent.name}.${section}.${name}${rest ? `.${rest}` : ''}\``;
  }

  /** A line to write, in backticks: `a1.sinks.k1.channel = <channel name>`. */
  line(section: Section, name: string, rest: string, value: string): string {
    return `\`${this.agent.name}.${section}.${name}.${rest} = ${value}\``;
  }

  drop(u: Unit, reason: string): void {
    if (u.active || u.dropReason === undefined) u.dropReason = reason;
    u.active = false;
  }

  dropAgent(reason: string): void {
    this.agent.active = false;
    this.agent.dropReason ??= reason;
  }

  list(section: Section): string[] {
    const line = this.agent.lists[section];
    if (!line) return [];
    const value = javaTrim(line.value);
    // validateGroups reads its list with a StringTokenizer on spaces; the others split on \s+.
    return section === 'sinkgroups' ? splitSpaces(value) : splitJavaWhitespace(value);
  }

  units(section: Section): Unit[] {
    return this.agent[section];
  }
}

export function validateAgent(built: BuiltAgent, state: FileState): void {
  const c = new AgentCheck(built, state);
  const agent = built.agent;
  for (const section of SECTIONS) markListed(c, section);
  checkConfigFilters(c);

  const channelsList = agent.lists.channels;
  if (!channelsList) {
    c.report('error', 'FLOW110', `agent \`${agent.name}\` has no \`${agent.name}.channels\` list, so Flume drops the whole agent`, state.loc.key(built.first), {
      label: 'agent without channels',
      help: [
        agent.channels.length > 0
          ? `add \`${agent.name}.channels = ${agent.channels.map((ch) => ch.name).join(' ')}\``
          : `declare its channels: \`${agent.name}.channels = c1\` and \`${agent.name}.channels.c1.type = memory\``,
      ],
    });
    return dropEverything(c, 'its agent is dropped: it has no channels list');
  }
  const channelSet = validateChannels(c);
  if (channelSet.size === 0) {
    c.report('error', 'FLOW111', `agent \`${agent.name}\` has no valid channel, so Flume drops the whole agent`, state.loc.entry(channelsList), {
      label: 'none of these is a valid channel',
      help: ['fix the channels reported above: each needs at least a `type`'],
    });
    return dropEverything(c, 'its agent is dropped: it has no valid channel');
  }
  const sourceSet = validateSources(c, channelSet);
  const sinkSet = validateSinks(c, channelSet);
  validateGroups(c, sinkSet);
  if (state.fileFailure) return;
  if (sourceSet.size === 0 && sinkSet.size === 0) {
    c.report('error', 'FLOW112', `agent \`${agent.name}\` has no valid source and no valid sink, so Flume drops the whole agent`, state.loc.key(built.first), {
      label: 'nothing to run',
      help: [`list and configure at least one source (\`${agent.name}.sources\`) or sink (\`${agent.name}.sinks\`)`],
    });
    return dropEverything(c, 'its agent is dropped: it has no valid source or sink');
  }
  materialise(c, channelSet);
}

function dropEverything(c: AgentCheck, reason: string): void {
  c.dropAgent(reason);
  for (const section of SECTIONS) for (const u of c.units(section)) c.drop(u, reason);
}

/** Configured but unlisted components are ignored; listed names without keys are dropped. */
function markListed(c: AgentCheck, section: Section): void {
  const listed = [...new Set(c.list(section))];
  const units = c.units(section);
  const configured = new Set(units.map((u) => u.name));
  const missing = listed.filter((n) => !configured.has(n));
  const isListed = new Set(listed);
  const listKey = `\`${c.agent.name}.${section}\``;
  const amongMissing = new Suggester(missing);
  // One list for all of them; a long one is abbreviated, since every unlisted unit repeats it.
  const names = units.map((x) => x.name);
  const wholeList =
    names.length <= 10
      ? `add \`${c.agent.name}.${section} = ${names.join(' ')}\``
      : `add \`${c.agent.name}.${section} = ${names.slice(0, 3).join(' ')} ...\` naming all ${names.length} configured ${section}`;
  for (const u of units) {
    if (isListed.has(u.name)) continue;
    c.drop(u, `not in ${listKey}`);
    const guess = amongMissing.suggest(u.name);
    c.report('warning', 'FLOW120', `${sectionWord[section]} \`${u.name}\` is configured but not listed in ${listKey}, so Flume ignores it`, c.where(u, section), {
      label: 'not listed',
      help: guess
        ? [`${listKey} lists \`${guess}\`: did you mean \`${u.name}\` there?`]
        : c.agent.lists[section]
          ? [`add \`${u.name}\` to ${listKey}, or remove its lines`]
          : [wholeList],
    });
  }
  const amongUnlisted = new Suggester(units.filter((u) => !isListed.has(u.name)).map((u) => u.name));
  for (const name of missing) {
    const placeholder = emptyUnit(section, name);
    c.drop(placeholder, `listed in ${listKey} but has no properties`);
    c.built.anchor.set(placeholder, c.agent.lists[section]!);
    units.push(placeholder as never);
    const guess = amongUnlisted.suggest(name);
    c.report('error', 'FLOW121', `${listKey} lists \`${name}\`, but no ${c.key(section, name, '*')} key is set, so Flume drops it`, c.where(placeholder, section), {
      label: 'no properties',
      help: guess ? [`${sectionWord[section]} \`${guess}\` is configured: did you mean \`${guess}\`?`] : [`configure it (${c.key(section, name, section === 'sinkgroups' ? 'sinks' : 'type')} ...), or remove it from the list`],
    });
  }
}

const suggesters = new WeakMap<Set<string>, Suggester>();

/** One budgeted did-you-mean search per set of names, shared by every diagnostic about it. */
function suggesterFor(names: Set<string>): Suggester {
  let s = suggesters.get(names);
  if (!s) suggesters.set(names, (s = new Suggester(names)));
  return s;
}

function emptyUnit(section: Section, name: string): Unit {
  if (section === 'sinkgroups') return { name, sinks: [], processor: { props: [] }, effectiveSinks: [], active: false };
  if (section === 'sources') {
    const source: ConfigSource = { name, props: [], active: false, channels: [], selector: { props: [] }, interceptors: [] };
    return source;
  }
  return { name, props: [], active: false };
}

function activeOf<T extends Unit>(units: T[]): T[] {
  return units.filter((u) => u.active);
}

/** ComponentConfiguration.configure: a component without `type` throws and is removed. */
function checkType(c: AgentCheck, u: ConfigComponent, section: Exclude<Section, 'sinkgroups'>): boolean {
  if (u.type !== undefined) return checkConfigStub(c, u, section);
  c.drop(u, 'it has no `type`');
  const stray = c.built.strayKeys.get(u) ?? [];
  c.report('error', 'FLOW122', `${sectionWord[section]} \`${u.name}\` has no \`type\`, so Flume drops it`, c.where(u, section), {
    label: 'no type',
    help: [`add ${c.line(section, u.name, 'type', '<alias or class name>')}`, ...stray.map((k) => `\`${k}\` is not a key Flume reads (see the warning on that line)`)],
  });
  return false;
}

/**
 * A type FlumeConfiguration does not know makes it read the component's `config` key as the
 * name of a configuration stub; a name that is neither a stub nor a class fails validation.
 */
function checkConfigStub(c: AgentCheck, u: ConfigComponent, section: Exclude<Section, 'sinkgroups'>): boolean {
  const category = sectionCategory[section];
  const config = u.props.find((p) => p.key === 'config');
  if (!config || findKind(category, u.type!)) return true;
  const stubs = configStubNames[category] ?? [];
  if (stubs.includes(config.value.toUpperCase())) return true;
  c.drop(u, `its \`config\` value \`${config.value}\` names no configuration stub`);
  c.report('error', 'FLOW132', `Flume reads \`config\` of custom ${sectionWord[section]} \`${u.name}\` as the name of a configuration class, and \`${config.value}\` is none of its own, so it drops the ${sectionWord[section]}`, c.state.loc.entry(config.line), {
    label: 'not a configuration class',
    help: ['rename the property if the component reads it itself; `config` is reserved by Flume for custom components'],
    notes: config.value.includes('.') ? ['only a ComponentConfiguration subclass on the classpath would be accepted here'] : [],
  });
  return false;
}

function checkConfigFilters(c: AgentCheck): void {
  for (const f of activeOf(c.agent.configfilters)) checkType(c, f, 'configfilters');
}

function validateChannels(c: AgentCheck): Set<string> {
  for (const ch of activeOf(c.agent.channels)) checkType(c, ch, 'channels');
  return new Set(activeOf(c.agent.channels).map((ch) => ch.name));
}

function whyInactive(c: AgentCheck, name: string): string {
  const ch = named(c.agent.channels, name);
  if (!ch) return `there is no channel \`${name}\``;
  return `channel \`${name}\` is not active (${ch.dropReason ?? 'dropped'})`;
}

/** How to make channel `name` usable: list it, fix it, or name an existing one. */
function channelHelp(c: AgentCheck, name: string, channelSet: Set<string>): string[] {
  const ch = named(c.agent.channels, name);
  if (ch && ch.dropReason?.startsWith('not in ')) return [`add \`${name}\` to \`${c.agent.name}.channels\``];
  if (ch) return [`fix channel \`${name}\` (see its own diagnostic)`];
  const guess = suggesterFor(channelSet).suggest(name);
  return guess ? didYouMean(guess) : [`list \`${name}\` in \`${c.agent.name}.channels\` and configure it, or remove it here`];
}

function validateSources(c: AgentCheck, channelSet: Set<string>): Set<string> {
  const { loc } = c.state;
  for (const s of activeOf(c.agent.sources as ConfigSource[])) {
    if (!checkType(c, s, 'sources')) continue;
    if (!s.channelsLine) {
      c.drop(s, 'it has no `channels`');
      const typo = (c.built.strayKeys.get(s) ?? []).includes('channel');
      c.report('error', 'FLOW123', `source \`${s.name}\` has no \`channels\`, so Flume drops it`, c.where(s, 'sources'), {
        label: 'no channels',
        help: [
          typo
            ? `a source reads the plural \`channels\`: rename ${c.key('sources', s.name, 'channel')}`
            : `add ${c.line('sources', s.name, 'channels', '<channel names>')}`,
        ],
      });
      continue;
    }
    const selectorType = s.selector.type ?? 'replicating';
    const upper = selectorType.toUpperCase();
    if (upper === 'LOAD_BALANCING' || upper === 'ORG.APACHE.FLUME.CHANNEL.LOADBALANCINGCHANNELSELECTOR') {
      c.drop(s, 'Flume 1.11 cannot configure a `load_balancing` selector from a properties file');
      c.report('error', 'FLOW131', `Flume 1.11 drops source \`${s.name}\`: its \`load_balancing\` selector cannot be configured from a properties file`, loc.entry(s.selector.typeLine!), {
        label: 'FlumeConfiguration has no configuration stub for this selector',
        help: ['use `replicating` or `multiplexing`, or spread the load with a sink group (`processor.type = load_balance`)'],
        notes: ['SourceConfiguration maps the selector to a configuration type that does not exist for load_balancing, so validation throws'],
      });
      continue;
    }
    const missing = s.channels.filter((n) => !channelSet.has(n));
    const help = (n: string) => channelHelp(c, n, channelSet);
    if (missing.length === s.channels.length) {
      c.drop(s, 'none of its channels is active');
      c.report('error', 'FLOW124', `source \`${s.name}\` has no active channel, so Flume drops it`, loc.value(s.channelsLine), {
        label: missing.map((n) => whyInactive(c, n)).join('; '),
        help: [...new Set(missing.flatMap(help))].slice(0, 3),
      });
      continue;
    }
    for (const n of new Set(missing)) {
      c.report('error', 'FLOW125', `Flume leaves \`${n}\` out of the channels of source \`${s.name}\`: ${whyInactive(c, n)}`, loc.listItem(s.channelsLine, n), {
        label: 'events meant for this channel are lost',
        help: help(n),
      });
    }
  }
  return new Set(activeOf(c.agent.sources).map((s) => s.name));
}

function validateSinks(c: AgentCheck, channelSet: Set<string>): Set<string> {
  const { loc } = c.state;
  for (const k of activeOf(c.agent.sinks as ConfigSink[])) {
    if (!checkType(c, k, 'sinks')) continue;
    if (k.channel === undefined) {
      c.drop(k, 'it has no `channel`');
      const typo = (c.built.strayKeys.get(k) ?? []).includes('channels');
      c.report('error', 'FLOW126', `sink \`${k.name}\` has no \`channel\`, so Flume drops it`, c.where(k, 'sinks'), {
        label: 'no channel',
        help: [typo ? `a sink reads the singular \`channel\`: rename ${c.key('sinks', k.name, 'channels')}` : `add ${c.line('sinks', k.name, 'channel', '<channel name>')}`],
      });
      continue;
    }
    if (channelSet.has(k.channel)) continue;
    c.drop(k, `its channel \`${k.channel}\` is not active`);
    const several = splitJavaWhitespace(k.channel);
    c.report('error', 'FLOW127', `sink \`${k.name}\` reads from \`${k.channel}\`, but ${several.length > 1 ? 'a sink takes exactly one channel' : whyInactive(c, k.channel)}, so Flume drops the sink`, loc.value(k.channelLine!), {
      label: several.length > 1 ? 'one channel only' : 'not an active channel',
      help: several.length > 1 ? ['give each sink one channel; to read several channels, use one sink per channel'] : channelHelp(c, k.channel, channelSet),
    });
  }
  return new Set(activeOf(c.agent.sinks).map((k) => k.name));
}

/** validateGroups: groups in HashSet order; a sink goes to the first group that claims it. */
function validateGroups(c: AgentCheck, sinkSet: Set<string>): void {
  const { loc } = c.state;
  const owner = new Map<string, string>();
  for (const name of javaHashSetOrder(c.list('sinkgroups'))) {
    const g = named(c.agent.sinkgroups, name);
    if (!g || !g.active) continue;
    if (!g.sinksLine) {
      c.drop(g, 'it has no `sinks`');
      c.state.fileFailure ??= `sink group \`${g.name}\` of agent \`${c.agent.name}\` has no \`sinks\``;
      c.report('error', 'FLOW162', `sink group \`${g.name}\` has no \`sinks\`: Flume 1.11 fails with a NullPointerException and loads nothing from this file`, c.where(g, 'sinkgroups'), {
        label: 'no sinks',
        help: [`add ${c.line('sinkgroups', g.name, 'sinks', '<sink names>')}, or remove the group`],
        notes: ['SinkGroupConfiguration splits the `sinks` value without checking that it exists'],
      });
      return;
    }
    const kept: string[] = [];
    for (const s of javaHashSetOrder(g.sinks, true)) {
      const taken = owner.get(s);
      if (taken) {
        c.report('error', 'FLOW164', `sink \`${s}\` is already in sink group \`${taken}\`, so Flume leaves it out of \`${g.name}\``, loc.listItem(g.sinksLine, s), {
          label: `taken by \`${taken}\``,
          help: ['a sink belongs to at most one group: remove it from one of them'],
          notes: ['Flume checks groups in hash order, not file order; that is why `' + taken + '` keeps it'],
        });
      } else if (!sinkSet.has(s)) {
        const sink = named(c.agent.sinks, s);
        const guess = suggesterFor(sinkSet).suggest(s);
        c.report('error', 'FLOW163', `sink group \`${g.name}\` names \`${s}\`, ${sink ? `but that sink is not active (${sink.dropReason ?? 'dropped'})` : 'but there is no such sink'}, so Flume leaves it out`, loc.listItem(g.sinksLine, s), {
          label: 'not an active sink',
          help: sink
            ? [sink.dropReason?.startsWith('not in ') ? `add \`${s}\` to \`${c.agent.name}.sinks\`` : `fix sink \`${s}\` (see its own diagnostic)`]
            : guess
              ? didYouMean(guess)
              : [`list \`${s}\` in \`${c.agent.name}.sinks\` and configure it, or remove it here`],
        });
      } else {
        owner.set(s, g.name);
        kept.push(s);
      }
    }
    g.effectiveSinks = kept;
    if (kept.length === 0) {
      c.drop(g, 'none of its sinks is available');
      c.report('error', 'FLOW165', `sink group \`${g.name}\` has no available sink left, so Flume drops it`, loc.value(g.sinksLine), {
        label: 'no sink left',
        help: ['fix the sinks reported above, or remove the group'],
      });
    }
  }
}

// What AbstractConfigurationProvider drops when it builds an agent that passed validation.
// The class of a source, channel or sink is loaded outside any try block there: a class
// that cannot be loaded throws out of getConfiguration(), so the agent does not start at
// all. Failures inside the try blocks (interceptors, selectors, batch sizes, processors)
// remove only the component.
import type { Span } from '../../grammar/ast.js';
import type { ComponentSpec } from '../catalog/types.js';
import type { ConfigComponent, ConfigProp, ConfigSink, ConfigSinkGroup, ConfigSource } from './config.js';
import { categoryWord, keysProviding } from '../catalog/index.js';
import { resolveFlumeType } from './read-config-kinds.js';
import { javaHashSetOrder, javaTrim, named, splitJavaWhitespace, type DiagnosticInit } from './read-config-support.js';
import type { AgentCheck } from './read-config-validate.js';


/**
 * A source or sink without a property its configure() requires throws inside the try block
 * of AbstractConfigurationProvider: Flume logs it and starts without the component.
 */
function configures(c: AgentCheck, u: ConfigComponent, spec: ComponentSpec, what: 'source' | 'sink'): boolean {
  const missing = spec.properties
    .filter((p) => p.required && !p.name.includes('<') && !p.name.endsWith('*'))
    .filter((p) => !keysProviding(spec, p.name).some((key) => u.props.some((q) => q.key === key)))
    .map((p) => `\`${p.name}\``);
  if (missing.length === 0) return true;
  c.drop(u, `it lacks the required ${missing.join(', ')}, so its configure() fails`);
  c.report('error', 'FLOW133', `${what} \`${u.name}\` (${spec.kind}) lacks the required ${missing.join(', ')}, so Flume drops it at start`, c.state.loc.value(u.typeLine!), {
    label: `needs ${missing.join(', ')}`,
    help: [`set ${missing.join(", ")} on \`${u.name}\``],
  });
  return false;
}

export function materialise(c: AgentCheck, channelSet: Set<string>): void {
  const channels = c.agent.channels.filter((ch) => ch.active);
  const specs = new Map<ConfigComponent, ComponentSpec>();
  let failure: string | undefined;
  const load = (u: ConfigComponent, what: 'source' | 'channel' | 'sink') => {
    const r = resolveFlumeType(what, u.type!);
    if (r.status === 'known') {
      specs.set(u, r.spec);
      if (what !== 'channel' && !configures(c, u, r.spec, what)) return false;
    }
    if (r.status !== 'unloadable') return true;
    c.drop(u, `Flume cannot load its type \`${u.type}\``);
    failure ??= `Flume cannot load the class of ${what} \`${u.name}\` (\`${u.type}\`)`;
    c.report('error', 'FLOW130', `Flume cannot load ${what} \`${u.name}\` of type \`${u.type}\`, so agent \`${c.agent.name}\` does not start`, c.state.loc.value(u.typeLine!), {
      label: r.why,
      help: r.help,
      notes: ['the class is loaded outside the error handling of AbstractConfigurationProvider, so the whole agent fails'],
    });
    return false;
  };
  for (const ch of channels) load(ch, 'channel');

  const sinkLoaded = new Set<string>();
  const connected = new Set<string>();
  for (const s of c.agent.sources.filter((x) => x.active) as ConfigSource[]) {
    if (!load(s, 'source')) continue;
    const own = [...new Set(s.channels.filter((n) => channelSet.has(n)))];
    checkBatch(c, s, specs.get(s), own, specs);
    checkSelector(c, s, own);
    checkInterceptors(c, s);
    if (s.active) own.forEach((n) => connected.add(n));
  }
  for (const k of c.agent.sinks.filter((x) => x.active) as ConfigSink[]) {
    if (!load(k, 'sink')) continue;
    checkBatch(c, k, specs.get(k), [k.channel!], specs);
    if (!k.active) continue;
    sinkLoaded.add(k.name);
    connected.add(k.channel!);
  }
  for (const name of javaHashSetOrder(c.list('sinkgroups'))) {
    const g = named(c.agent.sinkgroups, name);
    if (!g?.active) continue;
    const lost = g.effectiveSinks.find((s) => !sinkLoaded.has(s));
    // After a class that cannot be loaded, Flume has already given up on the agent.
    if (lost !== undefined && failure) continue;
    if (lost !== undefined) {
      failure ??= `sink \`${lost}\` of group \`${g.name}\` failed at start`;
      c.report('error', 'FLOW172', `sink \`${lost}\` of group \`${g.name}\` is removed at start, and then Flume stops building agent \`${c.agent.name}\`: nothing of it runs`, c.where(g, 'sinkgroups'), {
        label: `\`${lost}\` is missing at start`,
        help: [`fix sink \`${lost}\` (see above), or take it out of the group`],
        notes: ['AbstractConfigurationProvider throws when a group sink is missing, and keeps none of the agent'],
      });
      continue;
    }
    checkProcessor(c, g);
  }
  keptWithNothingOn(c, channels, connected);
  for (const ch of channels) {
    if (!ch.active || connected.has(ch.name)) continue;
    c.drop(ch, 'no source or sink is connected to it');
    c.report('warning', 'FLOW171', `channel \`${ch.name}\` has no source or sink connected, so Flume removes it at start`, c.where(ch, 'channels'), {
      label: 'not connected',
      help: [`connect it (\`${c.agent.name}.sources.<s>.channels\` or \`${c.agent.name}.sinks.<k>.channel\`), or remove it`],
    });
  }
  if (failure) c.dropAgent(`it does not start: ${failure}`);
  // Flume still starts an agent whose components all failed, but it runs nothing; for every
  // comparison that is the same as no agent.
  const runs = [c.agent.sources, c.agent.channels, c.agent.sinks].some((list) => list.some((u) => u.active));
  if (!runs) c.dropAgent('none of its components survives start-up');
}

/**
 * A channel whose sinks were all built and then removed with a group that failed (its
 * processor): AbstractConfigurationProvider counted them as connected when it built them, so it
 * keeps the channel open, with nothing putting into it or taking from it. A file channel keeps
 * its directories locked and the events in them. Nothing in a .flow can say that (Flume removes
 * a channel with nothing connected), so an import loses it: said at the channel's line.
 */
function isFileChannel(ch: ConfigComponent): boolean {
  const r = ch.type === undefined ? undefined : resolveFlumeType('channel', ch.type);
  return r?.status === 'known' && r.spec.kind === 'file';
}

function keptWithNothingOn(c: AgentCheck, channels: ConfigComponent[], connected: Set<string>): void {
  for (const ch of channels) {
    if (!ch.active || !connected.has(ch.name)) continue;
    if (c.agent.sources.some((s) => s.active && (s as ConfigSource).channels.includes(ch.name))) continue;
    if (c.agent.sinks.some((k) => k.active && (k as ConfigSink).channel === ch.name)) continue;
    const sinks = c.agent.sinks.filter((k) => (k as ConfigSink).channel === ch.name).map((k) => k.name);
    const groups = c.agent.sinkgroups.filter((g) => !g.active && g.effectiveSinks.some((n) => sinks.includes(n)));
    const sinkList = sinks.map((n) => `\`${n}\``).join(', ');
    const groupList = groups.map((g) => `\`${g.name}\``).join(', ');
    c.report('warning', 'FLOW173', `channel \`${ch.name}\` runs with nothing on it: its sinks (${sinkList}) went with group ${groupList}, which fails at start, but Flume keeps the channel they were connected to`, c.where(ch, 'channels'), {
      label: 'kept open, never drained',
      help: [`give group ${groupList} a \`processor.type\` (see the error on the group), so that its sinks drain \`${ch.name}\``],
      notes: [
        'a .flow cannot declare a channel with nothing connected (Flume removes it), so `flowc import` writes it, and after a build Flume removes it',
        ...(isFileChannel(ch) ? ['Flume keeps such a file channel open: its directories stay locked, and the events in them stay there (on disk, also once it is removed)'] : []),
      ],
    });
  }
}

function javaInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d{1,19}$/.test(value)) return undefined;
  return Number(value);
}

function lastProp(u: ConfigComponent, key: string): ConfigProp | undefined {
  for (let i = u.props.length - 1; i >= 0; i--) if (u.props[i]!.key === key) return u.props[i];
  return undefined;
}

function defaultOf(spec: ComponentSpec, key: string): number | undefined {
  const d = spec.properties.find((p) => p.name === key)?.default;
  return typeof d === 'number' ? d : undefined;
}

/** Written value, else the catalog default; Flume reads both with Integer/Long.parseLong. */
function numberOf(u: ConfigComponent, spec: ComponentSpec, key: string): number | undefined {
  const written = lastProp(u, key);
  return written ? javaInt(written.value) : defaultOf(spec, key);
}

/** checkSourceChannelCompatibility / checkSinkChannelCompatibility. */
function checkBatch(
  c: AgentCheck,
  u: ConfigComponent,
  spec: ComponentSpec | undefined,
  channelNames: string[],
  specs: Map<ConfigComponent, ComponentSpec>,
): void {
  if (!spec || !spec.batchCheckedAtStart || !spec.batchSizeProperty) return;
  // A deprecated key (the Kafka sink's `batchSize`) counts when the current one is not set.
  const key = keysProviding(spec, spec.batchSizeProperty).find((k) => lastProp(u, k)) ?? spec.batchSizeProperty;
  const batch = numberOf(u, spec, key);
  if (batch === undefined) return;
  for (const name of channelNames) {
    const ch = named(c.agent.channels, name);
    const chSpec = ch && specs.get(ch);
    if (!ch || !chSpec || !chSpec.batchCheckedAtStart) continue;
    // MemoryChannel falls back to its default for an unreadable or non-positive value.
    let tx = numberOf(ch, chSpec, 'transactionCapacity');
    if (chSpec.kind === 'memory' && (tx === undefined || tx <= 0)) tx = defaultOf(chSpec, 'transactionCapacity');
    if (tx === undefined || batch <= tx) continue;
    const role = categoryWord[spec.category];
    c.drop(u, `its batch size ${batch} is above the transactionCapacity ${tx} of channel \`${name}\``);
    const written = lastProp(u, key);
    c.report('error', 'FLOW170', `${role} \`${u.name}\` has a batch size of ${batch}, above the transactionCapacity ${tx} of channel \`${name}\`, so Flume removes the ${role} at start`, written ? c.state.loc.entry(written.line) : c.where(u, role === 'source' ? 'sources' : 'sinks'), {
      label: written ? `batch of ${batch}` : `default ${key} is ${batch}`,
      help: [`lower \`${key}\` to at most ${tx}, or raise \`transactionCapacity\` of \`${name}\` to at least ${batch}`],
      notes: ['AbstractConfigurationProvider refuses such a pair when it builds the agent'],
    });
    return;
  }
}

function dropSource(c: AgentCheck, s: ConfigSource, code: string, message: string, span: Span, init: DiagnosticInit): void {
  c.drop(s, message);
  c.report('error', code, `${message}, so Flume drops source \`${s.name}\``, span, init);
}

function checkSelector(c: AgentCheck, s: ConfigSource, channels: string[]): void {
  const type = s.selector.type ?? 'replicating';
  const r = resolveFlumeType('selector', type);
  if (r.status === 'unloadable') {
    const at = s.selector.typeLine ? c.state.loc.value(s.selector.typeLine) : c.where(s, 'sources');
    return dropSource(c, s, 'FLOW130', `Flume cannot load the channel selector \`${type}\` of source \`${s.name}\``, at, { label: r.why, help: r.help });
  }
  if (r.status !== 'known') return;
  if (r.spec.kind === 'multiplexing') {
    for (const p of s.selector.props) {
      if (!/^(mapping\..+|default|optional\..+)$/.test(p.key)) continue;
      // AbstractChannelSelector splits these on single spaces: two spaces make an empty name.
      for (const name of p.value.split(' ')) {
        if (channels.includes(name)) continue;
        const what = name === '' ? 'an empty channel name (two spaces in a row)' : `\`${name}\`, which is not an active channel of the source`;
        return dropSource(c, s, 'FLOW152', `\`selector.${p.key}\` of source \`${s.name}\` names ${what}`, c.state.loc.entry(p.line), {
          label: 'selector channel not found',
          help: name === '' ? ['separate channel names with exactly one space'] : [`use one of: ${channels.join(', ')}`],
        });
      }
    }
  }
  if (r.spec.kind === 'replicating') {
    const optional = s.selector.props.find((p) => p.key === 'optional');
    for (const name of optional ? splitJavaWhitespace(optional.value) : []) {
      if (channels.includes(name)) continue;
      c.report('warning', 'FLOW153', `\`selector.optional\` of source \`${s.name}\` names \`${name}\`, which is not an active channel of the source`, c.state.loc.listItem(optional!.line, name), {
        label: 'not a channel of this source',
        help: [`remove \`${name}\`, or add it to the source's \`channels\``],
        notes: ['Flume keeps a null optional channel and logs an error for every batch'],
      });
    }
  }
}

/** ChannelProcessor.configureInterceptors: every listed interceptor needs a loadable type. */
function checkInterceptors(c: AgentCheck, s: ConfigSource): void {
  const names = s.interceptorsLine ? splitJavaWhitespace(javaTrim(s.interceptorsLine.value)) : [];
  for (const name of new Set(names)) {
    const i = s.interceptors.find((x) => x.name === name)!;
    if (i.type === undefined) {
      c.drop(i, 'it has no `type`');
      const configured = i.props.length > 0;
      const guess = s.interceptors.find((x) => !names.includes(x.name));
      dropSource(c, s, 'FLOW151', `interceptor \`${name}\` of source \`${s.name}\` ${configured ? 'has no `type`' : 'is listed but not configured'}`, c.state.loc.listItem(s.interceptorsLine!, name), {
        label: 'interceptor without type',
        help: guess && !configured ? [`interceptor \`${guess.name}\` is configured: did you mean \`${guess.name}\`?`] : [`add ${c.line('sources', s.name, `interceptors.${name}.type`, '<alias or Builder class>')}`],
      });
      continue;
    }
    const r = resolveFlumeType('interceptor', i.type);
    if (r.status !== 'unloadable') continue;
    c.drop(i, `Flume cannot load its type \`${i.type}\``);
    dropSource(c, s, 'FLOW130', `Flume cannot load interceptor \`${name}\` of type \`${i.type}\``, c.state.loc.value(i.typeLine!), { label: r.why, help: r.help });
  }
}

/** SinkProcessorFactory: a missing or unloadable processor type removes the group and its sinks. */
function checkProcessor(c: AgentCheck, g: ConfigSinkGroup): void {
  const type = g.processor.type;
  const r = type === undefined ? undefined : resolveFlumeType('sinkProcessor', type);
  if (r && r.status !== 'unloadable') return;
  const lost = `its sink group \`${g.name}\` fails to start`;
  c.drop(g, type === undefined ? 'it has no `processor.type`' : `Flume cannot load its processor \`${type}\``);
  for (const name of g.effectiveSinks) {
    const k = named(c.agent.sinks, name);
    if (k) c.drop(k, lost);
  }
  const sinks = g.effectiveSinks.map((n) => `\`${n}\``).join(', ');
  if (r) {
    c.report('error', 'FLOW130', `Flume cannot load the sink processor \`${type}\` of group \`${g.name}\`, so neither the group nor its sinks (${sinks}) run`, c.state.loc.value(g.processor.typeLine!), {
      label: r.why,
      help: r.help,
    });
    return;
  }
  c.report('error', 'FLOW166', `sink group \`${g.name}\` has no \`processor.type\`, so Flume fails to create it and none of its sinks (${sinks}) run`, c.where(g, 'sinkgroups'), {
    label: 'no processor type',
    help: [`add ${c.line('sinkgroups', g.name, 'processor.type', 'failover')} (or load_balance, or default)`],
    notes: ['the user guide gives `default` as the default, but SinkProcessorFactory fails on a missing type'],
  });
}

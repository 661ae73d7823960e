// Reads a flume.properties file the way Apache Flume 1.11 does: java.util.Properties first
// (`parseProperties`), then FlumeConfiguration's rules (which keys belong to which agent and
// component, what it validates and drops), then what AbstractConfigurationProvider drops when
// it builds the components. Every line Flume ignores and every component it drops gets a
// diagnostic that points at the file.
//
// Diagnostic codes: FLOW1xx, listed with their meaning in compiler/diagnostics/codes.ts.
//
// `${...}` references (Flume substitutes them while loading) are kept verbatim.
import { parseProperties, type PropertyLine } from '../properties/reader.js';
import { suggest } from '../util/suggest.js';
import type {
  ConfigAgent,
  ConfigComponent,
  ConfigInterceptor,
  ConfigProp,
  ConfigSink,
  ConfigSinkGroup,
  ConfigSource,
  FlumeConfigFile,
} from './config.js';
import { checkAgentProperties } from './read-config-props.js';
import { Locator, decodeConfigText, javaTrim, makeDiagnostic, splitJavaWhitespace } from './read-config-support.js';
import { SECTIONS, sectionWord, validateAgent, type BuiltAgent, type FileState, type Section } from './read-config-validate.js';

export { decodeConfigText } from './read-config-support.js';

interface Entry {
  /** The key relative to its component (or to the agent for lists and stray keys). */
  key: string;
  /** Trimmed, as Flume reads it. */
  value: string;
  line: PropertyLine;
}

interface RawAgent {
  name: string;
  first: PropertyLine;
  lists: Partial<Record<Section, PropertyLine>>;
  /** Per section, component name → its keys, both in file order. */
  contexts: Record<Section, Map<string, Entry[]>>;
  stray: { line: PropertyLine; message: string; help: string[] }[];
}

export function readFlumeConfig(text: string | Buffer, path: string): FlumeConfigFile {
  const decoded = decodeConfigText(text);
  const parsed = parseProperties(text);
  const loc = new Locator(decoded, path);
  const file: FlumeConfigFile = { path, agents: [], rejected: [], trailingComments: parsed.trailingComments, diagnostics: [] };
  const state: FileState = { loc, out: file.diagnostics };

  for (const p of parsed.problems) {
    const at = loc.position(p.line, p.col);
    file.diagnostics.push(
      makeDiagnostic('error', 'FLOW100', `Java cannot read this file: ${p.message}`, { file: path, start: at, end: { ...at, col: at.col + 2, offset: at.offset + 2 } }, {
        label: 'not a valid \\u escape',
        help: ['write exactly four hex digits after `\\u`, or `\\\\u` for a literal backslash and u'],
        notes: ['Properties.load throws on this, so Flume loads nothing from the file'],
      }),
    );
    state.fileFailure ??= `Java cannot read the file (${p.message}, line ${p.line})`;
  }
  for (const d of parsed.duplicates) {
    file.diagnostics.push(
      makeDiagnostic('warning', 'FLOW103', `\`${d.key}\` is set again on line ${d.later.line}; Flume uses the last value`, loc.key(d.first), {
        label: 'ignored',
        help: [d.first.value === d.later.value ? 'both lines say the same: remove one' : 'remove the line that should not apply'],
        related: [{ span: loc.entry(d.later), message: 'this value wins' }],
      }),
    );
  }

  checkEncoding(text, decoded, parsed.entries, state);

  const agents = new Map<string, RawAgent>();
  for (const entry of flumeEntries(parsed.entries, parsed.map, state)) addProperty(entry, agents, file, state);

  for (const raw of agents.values()) {
    const built = buildAgent(raw, state);
    validateAgent(built, state);
    checkAgentProperties(built, state);
    file.agents.push(built.agent);
  }
  if (state.fileFailure) {
    for (const agent of file.agents) {
      if (!agent.active) continue;
      agent.active = false;
      agent.dropReason = `Flume fails to load the file: ${state.fileFailure}`;
    }
  }
  file.diagnostics.sort((a, b) => (a.span?.start.offset ?? -1) - (b.span?.start.offset ?? -1));
  return file;
}

/**
 * The entries Flume sees, in file order: the last of each key (Properties is a Hashtable),
 * then keyed by the trimmed key, which Flume uses. Two raw keys that trim to the same one
 * (`a1.x` and `a1.x\ `) are a duplicate whose winner depends on hash order; we keep the later.
 */
function flumeEntries(entries: readonly PropertyLine[], map: ReadonlyMap<string, PropertyLine>, state: FileState): PropertyLine[] {
  const byTrimmed = new Map<string, PropertyLine>();
  for (const e of entries) {
    if (map.get(e.key) !== e) continue;
    const key = javaTrim(e.key);
    const earlier = byTrimmed.get(key);
    if (earlier) {
      state.out.push(
        makeDiagnostic('warning', 'FLOW103', `\`${key}\` is set again on line ${e.line} (the keys differ only in surrounding whitespace)`, state.loc.key(earlier), {
          label: 'one of the two is ignored',
          help: ['remove one of the two lines; Flume trims keys, and which one wins depends on hash order'],
          related: [{ span: state.loc.entry(e), message: 'also sets it' }],
        }),
      );
      byTrimmed.delete(key);
    }
    byTrimmed.set(key, e);
  }
  return [...byTrimmed.values()].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** FlumeConfiguration.addRawProperty and AgentConfiguration.addProperty. */
function addProperty(line: PropertyLine, agents: Map<string, RawAgent>, file: FlumeConfigFile, state: FileState): void {
  const { loc } = state;
  const name = javaTrim(line.key);
  const value = javaTrim(line.value);
  const reject = (code: string, reason: string, help: string) => {
    file.rejected.push({ line, reason });
    const span = code === 'FLOW102' ? loc.entry(line) : loc.key(line);
    state.out.push(makeDiagnostic('warning', code, `Flume ignores \`${name}\`: ${reason}`, span, { label: 'ignored', help: [help] }));
  };
  if (value.length === 0) return reject('FLOW102', 'its value is empty', 'give it a value, or remove the line to use the default');
  const dot = name.indexOf('.');
  if (dot <= 0) {
    return reject('FLOW101', 'the key does not start with an agent name and a `.`', 'keys have the form `<agent>.sources`, `<agent>.sources.<name>.<property>` ...; a key kept only for `${...}` substitution can stay');
  }
  const agentName = name.slice(0, dot);
  const configKey = name.slice(dot + 1);
  if (configKey.length === 0) return reject('FLOW101', 'nothing follows the agent name', `write \`${agentName}.sources = ...\`, \`${agentName}.channels = ...\` ...`);

  let agent = agents.get(agentName);
  if (!agent) {
    agent = { name: agentName, first: line, lists: {}, contexts: { sources: new Map(), channels: new Map(), sinks: new Map(), sinkgroups: new Map(), configfilters: new Map() }, stray: [] };
    agents.set(agentName, agent);
  }
  if ((SECTIONS as readonly string[]).includes(configKey)) {
    agent.lists[configKey as Section] = line;
    return;
  }
  for (const section of SECTIONS) {
    const prefix = `${section}.`;
    if (!configKey.startsWith(prefix)) continue;
    // The name runs to the next `.`; Flume searches from one char past the prefix, so a
    // name is never empty, and `sources.r1` or `sources.r1.` (no property) matches nothing.
    const end = configKey.indexOf('.', prefix.length + 1);
    if (end === -1 || end === configKey.length - 1) break;
    const component = javaTrim(configKey.slice(prefix.length, end));
    let entries = agent.contexts[section].get(component);
    if (!entries) agent.contexts[section].set(component, (entries = []));
    entries.push({ key: configKey.slice(end + 1), value, line });
    return;
  }
  agent.stray.push(strayKey(agentName, configKey, line));
}

/** Why an agent-level key means nothing to Flume, and the key it probably meant. */
function strayKey(agent: string, configKey: string, line: PropertyLine): RawAgent['stray'][number] {
  const [head, ...rest] = configKey.split('.');
  const section = SECTIONS.find((s) => s === head);
  if (section) {
    return {
      line,
      message: `\`${agent}.${configKey}\` names a ${sectionWord[section]} but no property of it`,
      help: [`component keys have the form \`${agent}.${section}.<name>.<property>\`, e.g. \`${agent}.${section}.${rest[0] || 'x'}.type\``],
    };
  }
  const guess = suggest(head!, SECTIONS);
  return {
    line,
    message: `Flume does not read \`${agent}.${configKey}\`: \`${head}\` is not one of ${SECTIONS.map((s) => `\`${s}\``).join(', ')}`,
    help: guess ? [`did you mean \`${[agent, guess, ...rest].join('.')}\`?`] : ['remove the line, or put the property under a component'],
  };
}

// ---- components ----------------------------------------------------------------------------

function buildAgent(raw: RawAgent, state: FileState): BuiltAgent {
  const agent: ConfigAgent = {
    name: raw.name,
    active: true,
    lists: raw.lists,
    sources: [],
    channels: [],
    sinks: [],
    sinkgroups: [],
    configfilters: [],
    stray: raw.stray.map((s) => s.line),
  };
  const built: BuiltAgent = { agent, first: raw.first, anchor: new Map(), strayKeys: new Map() };
  for (const s of raw.stray) {
    state.out.push(makeDiagnostic('warning', 'FLOW104', s.message, state.loc.key(s.line), { label: 'Flume ignores this line', help: s.help }));
  }
  const stray = (owner: object, e: Entry, message: string, help: string[]) => {
    agent.stray.push(e.line);
    const keys = built.strayKeys.get(owner) ?? [];
    keys.push(e.key);
    built.strayKeys.set(owner, keys);
    state.out.push(makeDiagnostic('warning', 'FLOW104', message, state.loc.key(e.line), { label: 'Flume ignores this line', help }));
  };
  const full = (section: Section, name: string, key: string) => `${raw.name}.${section}.${name}.${key}`;

  for (const [name, entries] of raw.contexts.sources) {
    const source: ConfigSource = { ...component(name), channels: [], selector: { props: [] }, interceptors: [] };
    const interceptorEntries: Entry[] = [];
    for (const e of entries) {
      if (e.key === 'type') setType(source, e);
      else if (e.key === 'channels') {
        source.channels = splitJavaWhitespace(e.value);
        source.channelsLine = e.line;
      } else if (e.key === 'selector.type') {
        source.selector.type = e.value;
        source.selector.typeLine = e.line;
      } else if (e.key.startsWith('selector.')) source.selector.props.push(prop(e, e.key.slice('selector.'.length)));
      else if (e.key === 'interceptors') source.interceptorsLine = e.line;
      else if (e.key.startsWith('interceptors.')) interceptorEntries.push({ ...e, key: e.key.slice('interceptors.'.length) });
      else {
        const fix = sourceTypo(e.key);
        if (fix) stray(source, e, `source \`${name}\` has no key \`${e.key}\`; Flume ignores \`${full('sources', name, e.key)}\``, [`did you mean \`${full('sources', name, fix)}\`?`]);
        else source.props.push(prop(e, e.key));
      }
    }
    source.interceptors = buildInterceptors(source, interceptorEntries, (e, why) => stray(source, e, why, [`interceptor keys have the form \`${full('sources', name, 'interceptors.<name>.<property>')}\``]));
    built.anchor.set(source, entries[0]!.line);
    agent.sources.push(source);
  }
  for (const [name, entries] of raw.contexts.channels) {
    const channel = component(name);
    for (const e of entries) {
      if (e.key === 'type') setType(channel, e);
      else channel.props.push(prop(e, e.key));
    }
    built.anchor.set(channel, entries[0]!.line);
    agent.channels.push(channel);
  }
  for (const [name, entries] of raw.contexts.sinks) {
    const sink: ConfigSink = component(name);
    for (const e of entries) {
      if (e.key === 'type') setType(sink, e);
      else if (e.key === 'channel') {
        sink.channel = e.value;
        sink.channelLine = e.line;
      } else if (e.key === 'channels') {
        stray(sink, e, `a sink reads one \`channel\`, not \`channels\`; Flume ignores \`${full('sinks', name, e.key)}\``, [`write \`${full('sinks', name, 'channel')} = ${splitJavaWhitespace(e.value)[0] ?? ''}\``]);
      } else sink.props.push(prop(e, e.key));
    }
    built.anchor.set(sink, entries[0]!.line);
    agent.sinks.push(sink);
  }
  for (const [name, entries] of raw.contexts.sinkgroups) {
    const group: ConfigSinkGroup = { name, sinks: [], processor: { props: [] }, active: true, effectiveSinks: [] };
    for (const e of entries) {
      if (e.key === 'sinks') {
        group.sinks = splitJavaWhitespace(e.value);
        group.sinksLine = e.line;
      } else if (e.key === 'processor.type') {
        group.processor.type = e.value;
        group.processor.typeLine = e.line;
      } else if (e.key.startsWith('processor.')) group.processor.props.push(prop(e, e.key.slice('processor.'.length)));
      else {
        const guess = e.key === 'type' ? 'processor.type' : suggest(e.key.split('.')[0]!, ['sinks', 'processor']);
        const fixed = guess === 'processor' ? `processor.${e.key.split('.').slice(1).join('.') || 'type'}` : guess;
        stray(group, e, `sink group \`${name}\` reads only \`sinks\` and \`processor.*\`; Flume ignores \`${full('sinkgroups', name, e.key)}\``, fixed ? [`did you mean \`${full('sinkgroups', name, fixed)}\`?`] : ['remove the line']);
      }
    }
    built.anchor.set(group, entries[0]!.line);
    agent.sinkgroups.push(group);
  }
  for (const [name, entries] of raw.contexts.configfilters) {
    const filter = component(name);
    for (const e of entries) {
      if (e.key === 'type') setType(filter, e);
      else filter.props.push(prop(e, e.key));
    }
    built.anchor.set(filter, entries[0]!.line);
    agent.configfilters.push(filter);
  }
  return built;
}

function component(name: string): ConfigComponent {
  return { name, props: [], active: true };
}

function prop(e: Entry, key: string): ConfigProp {
  return { key, value: e.value, line: e.line };
}

function setType(c: ConfigComponent, e: Entry): void {
  c.type = e.value;
  c.typeLine = e.line;
}

/** Keys of a source that are near misses of the keys Flume reads itself. */
function sourceTypo(key: string): string | undefined {
  if (key === 'channel') return 'channels';
  if (key === 'selector') return 'selector.type';
  if (key.startsWith('selectors.')) return `selector.${key.slice('selectors.'.length)}`;
  if (key === 'interceptor') return 'interceptors';
  if (key.startsWith('interceptor.')) return `interceptors.${key.slice('interceptor.'.length)}`;
  return undefined;
}

/**
 * ChannelProcessor reads `interceptors` as a whitespace list, then gives each listed name the
 * keys under `interceptors.<name>.`. Listed ones come first, in list order; configured but
 * unlisted ones follow, inactive.
 */
function buildInterceptors(source: ConfigSource, entries: Entry[], stray: (e: Entry, why: string) => void): ConfigInterceptor[] {
  const listed = source.interceptorsLine ? splitJavaWhitespace(javaTrim(source.interceptorsLine.value)) : [];
  const out: ConfigInterceptor[] = [];
  const used = new Set<Entry>();
  const fill = (i: ConfigInterceptor, own: Entry[]) => {
    for (const e of own) {
      used.add(e);
      const key = e.key.slice(i.name.length + 1);
      if (key === 'type') setType(i, { ...e, key });
      else i.props.push(prop(e, key));
    }
  };
  for (const name of new Set(listed)) {
    const i: ConfigInterceptor = component(name);
    fill(i, entries.filter((e) => e.key.startsWith(`${name}.`) && e.key.length > name.length + 1));
    out.push(i);
  }
  const unlisted = new Map<string, Entry[]>();
  for (const e of entries) {
    if (used.has(e)) continue;
    const dot = e.key.indexOf('.');
    if (dot <= 0 || dot === e.key.length - 1) {
      stray(e, `\`interceptors.${e.key}\` of source \`${source.name}\` names no interceptor property; Flume ignores it`);
      continue;
    }
    const name = e.key.slice(0, dot);
    const list = unlisted.get(name) ?? [];
    list.push(e);
    unlisted.set(name, list);
  }
  for (const [name, own] of unlisted) {
    const i: ConfigInterceptor = { ...component(name), active: false, dropReason: `not in the \`interceptors\` list of source \`${source.name}\`` };
    fill(i, own);
    out.push(i);
  }
  return out;
}

/**
 * Properties.load(InputStream), which Flume uses, decodes ISO-8859-1. flowc reads a file that is
 * valid UTF-8 as UTF-8 (what its author meant), and writes non-ASCII characters as \u escapes,
 * which Flume reads as meant: say so where the two readings differ.
 */
function checkEncoding(input: string | Buffer, decoded: string, entries: PropertyLine[], state: FileState): void {
  if (typeof input === 'string' || !input.some((b) => b >= 0x80)) return;
  if (Buffer.from(decoded, 'latin1').equals(input)) return; // read as Latin-1 already
  const lines = decoded.split(/\r\n|\n|\r/);
  for (const e of entries) {
    const raw = lines.slice(e.line - 1, e.endLine).join('\n');
    if (!/[^\x00-\x7f]/.test(raw)) continue;
    const asFlume = (t: string) => Buffer.from(t, 'utf8').toString('latin1');
    const written = `${e.key} = ${e.value}`;
    state.out.push(
      makeDiagnostic('warning', 'FLOW107', `Flume reads this file as ISO-8859-1, so it sees \`${asFlume(e.key)} = ${asFlume(e.value)}\`, not \`${written}\``, state.loc.entry(e), {
        label: 'UTF-8 text',
        help: ['flowc reads the UTF-8 text, and what it builds (\\u escapes) makes Flume read it that way too; to keep this file for Flume, write the characters as \\uXXXX escapes'],
      }),
    );
  }
}

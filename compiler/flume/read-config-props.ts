// Checks of single keys that change nothing in Flume's validation but that Flume silently
// ignores or misreads: unknown properties of known kinds, interceptors that are configured
// but not listed, and `${filter['key']}` placeholders that no config filter replaces.
import type { ConfigComponent, ConfigProp, ConfigSource } from './config.js';
import { categoryWord } from '../catalog/index.js';
import { checkKnownProps, resolveFlumeType } from './read-config-kinds.js';
import { javaTrim, splitJavaWhitespace } from './read-config-support.js';
import { sectionCategory, type BuiltAgent, type FileState } from './read-config-validate.js';

/** FlumeConfiguration's placeholder: `${name[key]}`, the key optionally in matching quotes. */
const PLACEHOLDER = /\$\{([^${}[\]\s]+)\[(|'|")([-_a-zA-Z0-9]+)\2\]\}/g;

export function checkAgentProperties(built: BuiltAgent, state: FileState): void {
  const { agent } = built;
  const { loc, out } = state;
  for (const section of ['sources', 'channels', 'sinks', 'configfilters'] as const) {
    const category = sectionCategory[section];
    for (const c of agent[section] as ConfigComponent[]) {
      if (c.type === undefined) continue;
      const r = resolveFlumeType(category, c.type);
      if (r.status === 'known') checkKnownProps(r.spec, c.props, `${categoryWord[category]} \`${c.name}\``, '', loc, out);
    }
  }
  for (const s of agent.sources as ConfigSource[]) {
    const selector = resolveFlumeType('selector', s.selector.type ?? 'replicating');
    if (selector.status === 'known') checkKnownProps(selector.spec, s.selector.props, `the channel selector of source \`${s.name}\``, 'selector.', loc, out);
    const listed = new Set(s.interceptorsLine ? splitJavaWhitespace(javaTrim(s.interceptorsLine.value)) : []);
    for (const i of s.interceptors) {
      if (i.type !== undefined) {
        const r = resolveFlumeType('interceptor', i.type);
        if (r.status === 'known') checkKnownProps(r.spec, i.props, `interceptor \`${i.name}\``, `interceptors.${i.name}.`, loc, out);
      }
      if (listed.has(i.name)) continue;
      const first = i.typeLine ?? i.props[0]?.line;
      if (!first) continue;
      out.push({
        severity: 'warning',
        code: 'FLOW150',
        message: `interceptor \`${i.name}\` of source \`${s.name}\` is configured but not listed in its \`interceptors\`, so Flume ignores it`,
        span: loc.key(first),
        label: 'not listed',
        help: [
          s.interceptorsLine
            ? `add \`${i.name}\` to \`${agent.name}.sources.${s.name}.interceptors\` (the list gives the order), or remove its lines`
            : `add \`${agent.name}.sources.${s.name}.interceptors = ${i.name}\``,
        ],
      });
    }
  }
  for (const g of agent.sinkgroups) {
    if (g.processor.type === undefined) continue;
    const r = resolveFlumeType('sinkProcessor', g.processor.type);
    if (r.status === 'known') checkKnownProps(r.spec, g.processor.props, `the processor of sink group \`${g.name}\``, 'processor.', loc, out);
  }
  checkPlaceholders(built, state);
}

/** Filters run over the values of sources, channels, sinks and sink groups (not over filters). */
function checkPlaceholders(built: BuiltAgent, state: FileState): void {
  const { agent } = built;
  // Judged on the filter alone: a filter still runs when the agent is dropped later.
  const listed = agent.lists.configfilters ? splitJavaWhitespace(javaTrim(agent.lists.configfilters.value)) : [];
  const filters = new Set(
    agent.configfilters
      .filter((f) => listed.includes(f.name) && f.type !== undefined && resolveFlumeType('configFilter', f.type).status !== 'unloadable')
      .map((f) => f.name),
  );
  const props: ConfigProp[] = [];
  const addComponent = (c: ConfigComponent) => {
    if (c.typeLine) props.push({ key: 'type', value: c.type!, line: c.typeLine });
    props.push(...c.props);
  };
  for (const s of agent.sources as ConfigSource[]) {
    addComponent(s);
    props.push(...s.selector.props);
    s.interceptors.forEach(addComponent);
  }
  agent.channels.forEach(addComponent);
  agent.sinks.forEach(addComponent);
  for (const g of agent.sinkgroups) props.push(...g.processor.props);
  for (const p of props) {
    checkInlineComment(p, state);
    checkKeptSpace(p, state);
    for (const m of p.value.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (filters.has(name)) continue;
      state.out.push({
        severity: 'warning',
        code: 'FLOW180',
        message: `\`${m[0]}\` stays as written: agent \`${agent.name}\` has no active config filter \`${name}\``,
        span: state.loc.value(p.line),
        label: 'not replaced',
        help: [
          `add \`${agent.name}.configfilters = ${name}\` and \`${agent.name}.configfilters.${name}.type = env\` (or external, hadoop, or a class name)`,
        ],
      });
    }
  }
}

/**
 * Flume trims values with String.trim(), which removes only characters up to U+0020: a
 * no-break space or another Unicode space at either end stays part of the value.
 */
const KEPT_SPACE = /^[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]|[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$/;

function checkKeptSpace(p: ConfigProp, state: FileState): void {
  const m = KEPT_SPACE.exec(p.value);
  if (!m) return;
  const code = `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  state.out.push({
    severity: 'warning',
    code: 'FLOW106',
    message: `the value of \`${p.key}\` ${m.index === 0 ? 'starts' : 'ends'} with ${code}, a space Flume does not trim: it is part of the value`,
    span: state.loc.value(p.line),
    label: `${code} kept`,
    help: [`remove the ${code} character if it is not meant to be part of the value`],
  });
}

/** Java properties have no end-of-line comments: ` # ...` after a value is part of it. */
function checkInlineComment(p: ConfigProp, state: FileState): void {
  const at = /\s#/.exec(p.value);
  if (!at) return;
  state.out.push({
    severity: 'warning',
    code: 'FLOW105',
    message: `the value of \`${p.key}\` includes \`${p.value.slice(at.index + 1)}\`: a \`#\` after a value does not start a comment`,
    span: state.loc.value(p.line),
    label: 'part of the value',
    help: ['move the comment to a line of its own, starting with `#`'],
  });
}

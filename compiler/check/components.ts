// Rules on each component by itself: its kind, its properties' names, types, units, ranges
// and allowed values, and the properties it requires.
import { categoryWord, keysProviding, kindsOf } from '../catalog/index.js';
import type { ComponentSpec, PropertySpec } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Agent, Component, Prop } from '../model.js';
import { propOf } from '../model.js';
import { suggest } from '../util/suggest.js';
import { toFlumeText } from '../values.js';

/** Keys that the language writes with its own syntax; they are not properties. */
const structuralKeys: Record<string, string> = {
  type: 'the kind is written after the colon: `source r1 : netcat`',
  channels: 'connect a source with an arrow: `r1 -> c1, c2`',
  channel: 'connect a sink with an arrow: `c1 -> k1`',
  interceptors: 'attach interceptors with a pipe: `r1 | timestamp -> c1`',
  'selector.type': 'route with `r1 -> route header "h" { ... }`, or give selector options after the channels: `r1 -> c1, c2 with { type = load_balancing }`',
};

export function allComponents(agent: Agent): Component[] {
  const out: Component[] = [];
  for (const s of agent.sources) {
    out.push(s);
    if (s.selector) out.push(s.selector);
    // Declared interceptors are checked once, at their declaration.
    for (const i of s.interceptors) if (!isDeclaredCopy(agent, i)) out.push(i);
  }
  out.push(...agent.channels, ...agent.sinks, ...agent.interceptorDecls.values(), ...agent.filters);
  for (const g of agent.groups) out.push(g.processor);
  return out;
}

function isDeclaredCopy(agent: Agent, c: Component): boolean {
  for (const d of agent.interceptorDecls.values()) if (d.props === c.props) return true;
  return false;
}

export function checkComponents(agent: Agent, diagnostics: Diagnostic[]): void {
  for (const c of allComponents(agent)) checkComponent(c, diagnostics, !agent.hasSyntaxErrors);
}

function checkComponent(c: Component, diagnostics: Diagnostic[], complete: boolean): void {
  if (!c.spec) {
    if (!c.isClassName) diagnostics.push(unknownKind(c));
    // A custom class: its properties are its own business, but they must still be written.
    for (const p of c.props) {
      if (!p.broken) checkUnknownValue(p, `\`${c.name}\` is a custom component, so flowc does not know its properties' units`, diagnostics);
    }
    return;
  }
  const spec = c.spec;
  for (const p of c.props) {
    if (p.broken || (p.key === 'to' && spec.connects)) continue;
    if (!p.spec) {
      const unknown = unknownProperty(c, spec, p.key, p.keySpan);
      diagnostics.push(unknown);
      const guess = unknown.help?.find((h) => h.startsWith('did you mean'));
      checkUnknownValue(p, `flowc does not know \`${p.key}\`, so not its unit${guess ? `; ${guess}` : ''}`, diagnostics);
      continue;
    }
    if (p.spec.deprecated) {
      diagnostics.push({
        severity: 'warning',
        code: 'FLOW028',
        message: `\`${p.key}\` of ${categoryWord[c.category]} \`${c.name}\` is deprecated`,
        span: p.keySpan,
        label: 'deprecated',
        help: [p.spec.deprecated],
      });
    }
    const conv = toFlumeText(p.value, p.spec, { kind: 'reference' });
    if (!conv.ok) diagnostics.push({ severity: 'error', ...conv.error, span: p.value.span });
  }
  // After a syntax error a property may be missing only because it did not parse.
  if (complete) checkRequired(c, spec, diagnostics);
  if (c.role === 'selector' && spec.kind === 'load_balancing') {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW031',
      message: `source \`${c.name}\` uses a load_balancing channel selector, which Flume 1.11 cannot configure from a properties file`,
      span: c.typeSpan,
      label: 'Flume drops the source',
      help: ['send every event to all channels (replicating, the default), or route by a header with `route header "h" { ... }`'],
      notes: ["FlumeConfiguration has no configuration type for this selector, so it rejects the source"],
    });
  }
}

/**
 * A property the catalog does not describe is written as it stands, the way every emitter
 * writes it; a value that cannot be (a duration or size, with no unit to convert to) is an
 * error here, so that no target meets it unchecked.
 */
function checkUnknownValue(p: Prop, why: string, diagnostics: Diagnostic[]): void {
  const conv = toFlumeText(p.value, undefined, { kind: 'reference' });
  if (conv.ok) return;
  diagnostics.push({ severity: 'error', ...conv.error, span: p.value.span, help: [why, ...(conv.error.help ?? [])] });
}

/** Did-you-mean for a kind, by category and word: a file repeats its wrong kinds. */
const kindGuesses = new Map<string, string | undefined>();

function guessKind(c: Component): string | undefined {
  const key = `${c.category} ${c.type}`;
  if (!kindGuesses.has(key)) {
    if (kindGuesses.size > 10_000) kindGuesses.clear();
    kindGuesses.set(key, suggest(c.type, kindsOf(c.category).flatMap((k) => [k.kind, ...k.aliases])));
  }
  return kindGuesses.get(key);
}

function unknownKind(c: Component): Diagnostic {
  const word = categoryWord[c.category];
  const guess = guessKind(c);
  const help = guess
    ? [`did you mean \`${guess}\`?`]
    : [`known ${word} kinds: ${kindsOf(c.category).map((k) => k.kind).join(', ')}`];
  help.push(`for a custom ${word}, give its class name as a string: \`"com.example.My${capitalize(c.category)}"\``);
  return {
    severity: 'error',
    code: 'FLOW020',
    message: `unknown ${word} kind \`${c.type}\``,
    span: c.typeSpan,
    label: `not a ${word} kind`,
    help,
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function unknownProperty(c: Component, spec: ComponentSpec, key: string, span: Diagnostic['span']): Diagnostic {
  const word = categoryWord[c.category];
  const structural = structuralKeys[key] ?? (key.startsWith('selector.') ? structuralKeys['selector.type'] : key.startsWith('interceptors.') ? structuralKeys.interceptors : undefined);
  if (structural && (c.role === 'source' || c.role === 'sink')) {
    return {
      severity: 'error',
      code: 'FLOW030',
      message: `\`${key}\` is not written as a property in .flow`,
      span,
      label: 'written with flow syntax instead',
      help: [structural],
    };
  }
  const byGuideName = spec.properties.find((p) => p.guideName === key);
  if (byGuideName) {
    return {
      severity: 'warning',
      code: 'FLOW021',
      message: `${word} \`${c.name}\` (${spec.kind}) reads \`${byGuideName.name}\`, not \`${key}\``,
      span,
      label: 'Flume ignores this key',
      help: [`Flume's user guide says \`${key}\`, but its code reads \`${byGuideName.name}\`; rename it`],
    };
  }
  const guess = guessProperty(spec, key);
  const d: Diagnostic = {
    severity: 'warning',
    code: 'FLOW021',
    message: `unknown property \`${key}\` for ${word} \`${c.name}\` (${spec.kind})`,
    span,
    label: 'unknown property',
    notes: ['Flume ignores properties it does not know'],
  };
  if (guess) d.help = [`did you mean \`${guess}\`?`];
  return d;
}

/**
 * The did-you-mean for an unknown key of a kind, remembered: while a file is edited, the same
 * mistakes are checked again at every keystroke, and each search compares against every property.
 */
const guesses = new WeakMap<ComponentSpec, Map<string, string | undefined>>();

function guessProperty(spec: ComponentSpec, key: string): string | undefined {
  let known = guesses.get(spec);
  if (!known) guesses.set(spec, (known = new Map()));
  if (known.has(key)) return known.get(key);
  const names = spec.properties.map((p) => p.name).filter((n) => !n.includes('<') && !n.endsWith('*'));
  const guess = suggest(key, names) ?? suggestPattern(key, spec.properties);
  // Bounded, so that a file of generated keys cannot grow it without end.
  if (known.size < 10_000) known.set(key, guess);
  return guess;
}

/** For keys like `hdfs.rolInterval`, suggest within the same prefix. */
function suggestPattern(key: string, properties: readonly PropertySpec[]): string | undefined {
  const dot = key.lastIndexOf('.');
  if (dot < 0) return undefined;
  const prefix = key.slice(0, dot + 1);
  const rest = key.slice(dot + 1);
  const same = properties.filter((p) => p.name.startsWith(prefix)).map((p) => p.name.slice(prefix.length)).filter((n) => !n.includes('.'));
  const g = suggest(rest, same);
  return g ? prefix + g : undefined;
}

function checkRequired(c: Component, spec: ComponentSpec, diagnostics: Diagnostic[]): void {
  const linked = spec.connects && propOf(c, 'to');
  for (const ps of spec.properties) {
    if (!ps.required || ps.name.includes('<') || ps.name.endsWith('*')) continue;
    if (keysProviding(spec, ps.name).some((key) => propOf(c, key))) continue;
    if (linked && (ps.name === spec.connects!.hostProperty || ps.name === spec.connects!.portProperty)) continue;
    const help = [`add \`${ps.name} = ${exampleValue(ps)}\``];
    if (spec.connects && (ps.name === spec.connects.hostProperty || ps.name === spec.connects.portProperty)) {
      help.push('or link it to a source of another agent: `to = agent.source`');
    }
    diagnostics.push({
      severity: 'error',
      code: 'FLOW022',
      message: `${categoryWord[c.category]} \`${c.name}\` (${spec.kind}) is missing the required property \`${ps.name}\``,
      span: c.nameSpan,
      label: `needs \`${ps.name}\``,
      help,
      notes: [ps.doc],
    });
  }
}

function exampleValue(ps: PropertySpec): string {
  if (ps.values && ps.values.length > 0) return ps.values[0]!;
  switch (ps.type) {
    case 'int':
    case 'long':
      return ps.unit === 'seconds' ? '30s' : ps.unit === 'milliseconds' ? '500ms' : ps.unit === 'bytes' ? '64MB' : '...';
    case 'boolean':
      return 'true';
    case 'list':
      return '[...]';
    default:
      return '"..."';
  }
}

// Header flow: a sink path that uses `%{h}` or a time escape, or a route on header `h`, needs
// something upstream to set that header. Flume only finds out when an event fails.
import type { HeaderEffect } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { literalString } from '../evaluate.js';
import type { Agent, Component, Sink, Source } from '../model.js';
import { propOf } from '../model.js';
import { indexOf } from './agent-index.js';
import { effectiveBoolean, effectiveText } from './effective.js';

/** The headers a source's events can carry after its interceptors; `unknown` when we can't tell. */
export type HeaderSet = { unknown: true } | { unknown: false; names: Set<string> };

export function headersAfterSource(source: Source): HeaderSet {
  if (!source.spec || source.spec.passesHeadersThrough) return { unknown: true };
  const names = new Set<string>();
  addEffects(source, source.spec.headers ?? [], names);
  // taildir adds fixed headers per file group: `headers.<group>.<name> = value`.
  if (source.spec.kind === 'taildir') {
    for (const p of source.props) {
      const m = /^headers\.[^.]+\.(.+)$/.exec(p.key);
      if (m) names.add(m[1]!);
    }
  }
  for (const i of source.interceptors) {
    if (!i.spec) return { unknown: true };
    addEffects(i, i.spec.headers ?? [], names);
    if (i.spec.kind === 'regex_extractor') {
      for (const p of i.props) {
        if (!/^serializers\.[^.]+\.name$/.test(p.key)) continue;
        const name = literalString(p.value);
        if (name === undefined) return { unknown: true };
        names.add(name);
      }
    }
    if (i.spec.kind === 'morphline') return { unknown: true };
  }
  return { unknown: false, names };
}

function addEffects(c: Component, effects: readonly HeaderEffect[], into: Set<string>): void {
  for (const e of effects) {
    if (e.when) {
      const actual = typeof e.when.equals === 'boolean' ? effectiveBoolean(c, e.when.property) : effectiveText(c, e.when.property);
      if (actual !== e.when.equals) continue;
    }
    const name = e.header ?? (e.headerProperty ? effectiveText(c, e.headerProperty) : undefined);
    if (name !== undefined) into.add(name);
  }
}

function upstreamHeaders(agent: Agent, sink: Sink): HeaderSet | undefined {
  if (!sink.channel) return undefined;
  const sources = indexOf(agent).writers(sink.channel.name);
  if (sources.length === 0) return undefined;
  const names = new Set<string>();
  for (const s of sources) {
    const h = headersAfterSource(s);
    if (h.unknown) return h;
    for (const n of h.names) names.add(n);
  }
  return { unknown: false, names };
}

const HEADER_ESCAPE = /%\{([\w.-]+)\}/g;
const TIME_ESCAPE = /%([a-zA-Z%])/g;

export function checkHeaderFlow(agent: Agent, diagnostics: Diagnostic[]): void {
  for (const sink of agent.sinks) {
    const escaped = sink.spec?.escapedProperties;
    if (!escaped || escaped.length === 0) continue;
    const upstream = upstreamHeaders(agent, sink);
    if (!upstream || upstream.unknown) continue;
    const localClock = sink.spec?.localTimestampProperty ? effectiveBoolean(sink, sink.spec.localTimestampProperty) === true : false;
    for (const key of escaped) {
      const prop = propOf(sink, key);
      const text = prop ? literalString(prop.value) : undefined;
      if (!prop || text === undefined) continue;
      for (const m of text.matchAll(HEADER_ESCAPE)) {
        const header = m[1]!;
        if (upstream.names.has(header)) continue;
        diagnostics.push({
          severity: 'warning',
          code: 'FLOW070',
          message: `\`${key}\` of sink \`${sink.name}\` uses header \`${header}\`, but nothing upstream sets it`,
          span: prop.value.span,
          label: `\`%{${header}}\` is always empty`,
          help: [`set it upstream, e.g. \`source | static { key = "${header}", value = "..." } -> ${sink.channel!.name}\``],
        });
      }
      const withoutHeaders = text.replace(HEADER_ESCAPE, '').replace(/%\[[^\]]*\]/g, '');
      const time = [...withoutHeaders.matchAll(TIME_ESCAPE)];
      if (time.length > 0 && !localClock && !upstream.names.has('timestamp')) {
        const help = [`add a timestamp interceptor upstream: \`source | timestamp -> ${sink.channel!.name}\``];
        if (sink.spec?.localTimestampProperty) help.push(`or set \`${sink.spec.localTimestampProperty} = true\` to use the sink's clock`);
        diagnostics.push({
          severity: 'warning',
          code: 'FLOW071',
          message: `\`${key}\` of sink \`${sink.name}\` uses the time escape \`%${time[0]![1]}\`, but no event carries a \`timestamp\` header`,
          span: prop.value.span,
          label: 'needs a `timestamp` header',
          help,
          notes: ['Flume fails every event whose path needs a timestamp it does not have'],
        });
      }
    }
  }
  for (const source of agent.sources) {
    const selector = source.selector;
    if (!selector || selector.spec?.kind !== 'multiplexing') continue;
    const headerProp = propOf(selector, 'header');
    const header = headerProp ? literalString(headerProp.value) : effectiveText(selector, 'header');
    if (header === undefined) continue;
    const h = headersAfterSource(source);
    if (h.unknown || h.names.has(header)) continue;
    diagnostics.push({
      severity: 'warning',
      code: 'FLOW072',
      message: `source \`${source.name}\` routes on header \`${header}\`, but neither it nor its interceptors set that header`,
      span: headerProp?.value.span ?? selector.nameSpan,
      label: 'never set',
      help: [`set it with an interceptor, e.g. \`${source.name} | static { key = "${header}", value = "..." } -> route header "${header}" { ... }\``],
      notes: ['every event takes the default route'],
    });
  }
}

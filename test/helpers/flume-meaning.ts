// What an agent means to Flume, from real Flume's loader (ConfigCheck), in a form two files can
// be compared by: the components Flume creates, their classes, wiring and properties. Names of
// interceptors and the order of whitespace lists do not count; everything Flume acts on does.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { emitProperties } from '../../compiler/emit/properties.js';
import { readFlumeConfig } from '../../compiler/flume/read-config.js';
import { formatFlow } from '../../compiler/format/printer.js';
import { importConfig } from '../../compiler/import/import.js';
import { compileText } from '../../compiler/program.js';
import { flumeLoadConfigs, type FlumeConfigReport } from './flume.js';

type Props = Record<string, string>;

export interface AgentMeaning {
  sources: Record<string, { class: string; channels: string[]; selector: { class: string; props: Props }; interceptors: { class: string; props: Props }[]; props: Props }>;
  channels: Record<string, { class: string; props: Props }>;
  sinks: Record<string, { class: string; channel: string | null | undefined; props: Props }>;
  groups: Record<string, { class: string; sinks: string[]; props: Props }>;
}

const sortedList = (v: string) => v.trim().split(/\s+/).sort().join(' ');

function pick(props: Props, prefix: string, drop: string[] = []): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (!k.startsWith(prefix)) continue;
    const key = k.slice(prefix.length);
    if (!drop.includes(key)) out[key] = v;
  }
  return out;
}

/** null when Flume runs nothing of the agent (not found, does not start, or everything dropped). */
export function flumeMeaning(r: FlumeConfigReport): AgentMeaning | null {
  const m = r.materialised;
  if (!r.found || r.fatal || !r.kept || !m.classes) return null;
  if (m.sources.length + m.channels.length + m.sinks.length === 0) return null;
  const out: AgentMeaning = { sources: {}, channels: {}, sinks: {}, groups: {} };
  for (const name of m.sources) {
    const p = r.kept.sources[name]!.properties;
    const chain = (p.interceptors ?? '').trim().split(/\s+/).filter(Boolean);
    const selector = pick(p, 'selector.', ['type']);
    for (const k of Object.keys(selector)) if (/^(mapping|optional)\.|^default$|^optional$/.test(k)) selector[k] = sortedList(selector[k]!);
    out.sources[name] = {
      class: m.classes.sources[name]!,
      channels: [...(m.sourceChannels?.[name] ?? [])].sort(),
      selector: { class: m.classes.selectors[name]!, props: selector },
      interceptors: (m.classes.interceptors[name] ?? []).map((cls, i) => ({ class: cls, props: pick(p, `interceptors.${chain[i]}.`, ['type']) })),
      props: Object.fromEntries(Object.entries(p).filter(([k]) => !/^(type|channels|interceptors|selector\.|interceptors\.)/.test(k))),
    };
  }
  for (const name of m.channels) out.channels[name] = { class: m.classes.channels[name]!, props: pick(r.kept.channels[name]!.properties, '', ['type']) };
  for (const name of m.sinks) {
    const k = r.kept.sinks[name]!;
    out.sinks[name] = { class: m.classes.sinks[name]!, channel: k.channel, props: pick(k.properties, '', ['type', 'channel']) };
  }
  for (const name of m.sinkgroups) {
    const g = r.kept.sinkgroups[name]!;
    out.groups[name] = { class: m.classes.processors[name]!, sinks: [...(g.sinks ?? [])].sort(), props: pick(g.properties, 'processor.', ['type']) };
  }
  return out;
}

export interface RoundTrip {
  /** The imported .flow text. */
  flow: string;
  /** Errors of the import (the reader's) and of compiling the imported .flow. */
  importErrors: string[];
  /** Warnings of the import (the reader's), as `CODE line:col message`. */
  importWarnings: string[];
  compileErrors: string[];
  /** Per agent of the original: what Flume runs from the original, and from import → build. */
  agents: { agent: string; before: AgentMeaning | null; after: AgentMeaning | null; beforeReport: FlumeConfigReport; afterReport?: FlumeConfigReport }[];
}

const ofSeverity = (ds: Diagnostic[], severity: Diagnostic['severity']) => ds.filter((d) => d.severity === severity).map((d) => `${d.code} ${d.span ? `${d.span.start.line}:${d.span.start.col} ` : ''}${d.message}`);
const errorsOf = (ds: Diagnostic[]) => ofSeverity(ds, 'error');

/**
 * Imports each properties file (as `flowc import` does), builds the .flow back to properties
 * (as `flowc build` does), and loads both with real Flume (one JVM for all of them).
 */
export function importRoundTrips(files: string[]): RoundTrip[] {
  const work = mkdtempSync(join(tmpdir(), 'flowc-roundtrip-'));
  const prepared = files.map((file, i) => {
    const config = readFlumeConfig(readFileSync(file), file);
    const flowPath = join(work, `${i}.flow`);
    const flow = formatFlow(importConfig(config, flowPath));
    const compiled = compileText(flow, flowPath);
    const compileErrors = errorsOf(compiled.diagnostics);
    const dir = join(work, String(i));
    mkdirSync(dir);
    const built = new Set<string>();
    if (compileErrors.length === 0) {
      for (const e of emitProperties(compiled.program)) {
        writeFileSync(join(dir, e.name), e.text);
        built.add(basename(e.name, '.properties'));
      }
    }
    return { file, dir, flow, importErrors: errorsOf(config.diagnostics), importWarnings: ofSeverity(config.diagnostics, 'warning'), compileErrors, agents: config.agents.map((a) => a.name), built };
  });
  const pairs: { file: string; agent: string }[] = [];
  for (const p of prepared) {
    for (const a of p.agents) {
      pairs.push({ file: p.file, agent: a });
      if (p.built.has(a)) pairs.push({ file: join(p.dir, `${a}.properties`), agent: a });
    }
  }
  const reports = flumeLoadConfigs(pairs);
  let at = 0;
  return prepared.map((p) => ({
    flow: p.flow,
    importErrors: p.importErrors,
    importWarnings: p.importWarnings,
    compileErrors: p.compileErrors,
    agents: p.agents.map((agent) => {
      const beforeReport = reports[at++]!;
      const afterReport = p.built.has(agent) ? reports[at++]! : undefined;
      return { agent, before: flumeMeaning(beforeReport), after: afterReport ? flumeMeaning(afterReport) : null, beforeReport, afterReport };
    }),
  }));
}

/** Import → build of one properties text, judged by real Flume. */
export function importRoundTrip(lines: string[]): RoundTrip {
  const dir = mkdtempSync(join(tmpdir(), 'flowc-rule-'));
  const file = join(dir, 'in.properties');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return importRoundTrips([file])[0]!;
}

// Links between agents: `to = agent.source` in an avro or thrift sink, resolved to the
// target's host and port, or a sink whose hostname and port name an agent of the file and a
// source listening there. Shared by the checker, the emitters, the graph and `flowc run`.
import { effectiveText } from './check/effective.js';
import { literalString } from './evaluate.js';
import type { Agent, Component, Program, Prop, Sink, Source, Value } from './model.js';
import { propOf } from './model.js';

export interface LinkTarget {
  agent: Agent;
  source: Source;
  /** The `on` host of the target agent, if it has one. */
  host?: Value;
  port?: Prop;
}

export function linkTarget(program: Program, value: Value): LinkTarget | undefined {
  if (value.t !== 'ref') return undefined;
  const agent = program.agents.find((a) => a.name === value.agent);
  const source = agent?.sources.find((s) => s.name === value.component);
  if (!agent || !source) return undefined;
  const target: LinkTarget = { agent, source };
  if (agent.host) target.host = agent.host;
  const portKey = source.spec?.listens?.portProperty;
  const port = portKey ? propOf(source, portKey) : undefined;
  if (port) target.port = port;
  return target;
}

export function linkProp(sink: Component): Prop | undefined {
  return sink.spec?.connects ? propOf(sink, 'to') : undefined;
}

/**
 * The source of an agent of this program that a sink sends to: by `to`, or by a hostname
 * equal to an agent's `on` host and the port one of its sources listens on.
 */
export function sinkLink(program: Program, k: Sink): { agent: Agent; source: Source } | undefined {
  const connects = k.spec?.connects;
  if (!connects) return undefined;
  const to = linkProp(k);
  if (to) return linkTarget(program, to.value);
  const host = propOf(k, connects.hostProperty);
  const hostText = host ? literalString(host.value) : undefined;
  const port = effectiveText(k, connects.portProperty);
  if (hostText === undefined || port === undefined) return undefined;
  for (const a of program.agents) {
    if (!a.host || literalString(a.host) !== hostText) continue;
    for (const s of a.sources) {
      const portKey = s.spec?.listens?.portProperty;
      if (portKey && effectiveText(s, portKey) === port) return { agent: a, source: s };
    }
  }
  return undefined;
}

export interface AgentLink {
  /** The sending agent and its sink. */
  agent: string;
  sink: string;
  /** The receiving agent and its source. */
  to: { agent: string; source: string };
}

/** Every link between two agents of the program (a sink sending to a source of its own agent is not one). */
export function agentLinks(program: Program): AgentLink[] {
  const out: AgentLink[] = [];
  for (const a of program.agents) {
    for (const k of a.sinks) {
      const t = sinkLink(program, k);
      if (t && t.agent !== a) out.push({ agent: a.name, sink: k.name, to: { agent: t.agent.name, source: t.source.name } });
    }
  }
  return out;
}

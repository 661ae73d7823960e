// Links between agents: `to = agent.source` in an avro or thrift sink, resolved to the
// target's host and port. Shared by the checker and the emitters.
import type { Agent, Component, Program, Prop, Source, Value } from './model.js';
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

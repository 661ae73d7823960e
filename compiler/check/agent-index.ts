// Look-ups the rules share, built once per agent: a component by name, and which sources
// write to and which sinks drain each channel. A linear search per look-up made checking an
// agent of n components take n² steps.
import type { Agent, Component, Sink, Source } from '../model.js';

export interface AgentIndex {
  component(name: string): Component | undefined;
  sink(name: string): Sink | undefined;
  /** The sources that write to a channel, in declaration order. */
  writers(channel: string): readonly Source[];
  /** The sinks that drain a channel, in declaration order. */
  readers(channel: string): readonly Sink[];
}

const built = new WeakMap<Agent, AgentIndex>();

/** The index of a resolved agent (the checker does not change the model it checks). */
export function indexOf(agent: Agent): AgentIndex {
  let index = built.get(agent);
  if (!index) built.set(agent, (index = buildIndex(agent)));
  return index;
}

function buildIndex(agent: Agent): AgentIndex {
  const byName = new Map<string, Component>();
  // Names are unique within an agent; the first declaration wins, as in `findComponent`.
  const add = (c: Component) => {
    if (!byName.has(c.name)) byName.set(c.name, c);
  };
  agent.sources.forEach(add);
  agent.channels.forEach(add);
  agent.sinks.forEach(add);
  agent.interceptorDecls.forEach(add);
  agent.filters.forEach(add);
  const sinks = new Map<string, Sink>();
  for (const k of agent.sinks) if (!sinks.has(k.name)) sinks.set(k.name, k);
  const writers = new Map<string, Source[]>();
  for (const s of agent.sources) {
    for (const name of new Set(s.channels.map((r) => r.name))) pushTo(writers, name, s);
  }
  const readers = new Map<string, Sink[]>();
  for (const k of agent.sinks) if (k.channel) pushTo(readers, k.channel.name, k);
  return {
    component: (name) => byName.get(name),
    sink: (name) => sinks.get(name),
    writers: (channel) => writers.get(channel) ?? [],
    readers: (channel) => readers.get(channel) ?? [],
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// `flowc graph --agent NAME`: one agent's part of the graph. Links to and from other agents
// are dropped with them, since their other end is not drawn.
import type { FlowGraph } from './model.js';

export function selectAgent(graph: FlowGraph, name: string): FlowGraph | undefined {
  const agent = graph.agents.find((a) => a.name === name);
  if (!agent) return undefined;
  const nodes = graph.nodes.filter((n) => n.agent === agent.id);
  const ids = new Set(nodes.map((n) => n.id));
  return { version: graph.version, agents: [agent], nodes, edges: graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to)) };
}

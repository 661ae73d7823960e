// The graph the live page draws: `buildGraph`'s model (the same nodes and edges as `flowc
// graph`), limited to the agents this process runs, with one more label line on every edge
// where the rate goes. The line is there before the layout so that elkjs makes room for it;
// the page only ever rewrites its text.
import { buildGraph, type FlowGraph } from '../../compiler/graph/index.js';
import type { Program } from '../../compiler/model.js';

/** The text of the rate line until the first update arrives. */
export const RATE_PLACEHOLDER = '— ev/s';

export function liveGraph(program: Program, agents: readonly string[]): FlowGraph {
  return withRateLines(onlyAgents(buildGraph(program), agents));
}

/** The agents named (and the edges between them), as `selectAgent` does for one. */
export function onlyAgents(graph: FlowGraph, names: readonly string[]): FlowGraph {
  const agents = graph.agents.filter((a) => names.includes(a.name));
  const ids = new Set(agents.map((a) => a.id));
  const nodes = graph.nodes.filter((n) => ids.has(n.agent));
  const nodeIds = new Set(nodes.map((n) => n.id));
  return { version: graph.version, agents, nodes, edges: graph.edges.filter((e) => nodeIds.has(e.from) && nodeIds.has(e.to)) };
}

export function withRateLines(graph: FlowGraph): FlowGraph {
  return { ...graph, edges: graph.edges.map((e) => ({ ...e, label: e.label === undefined ? RATE_PLACEHOLDER : `${e.label}\n${RATE_PLACEHOLDER}` })) };
}

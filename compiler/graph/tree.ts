// The nesting the renderers draw: agents contain nodes, sink groups contain their sinks.
// The model keeps nodes flat (with `agent` and `parent`) so that it stays easy to query;
// this turns it into the tree once, in model order.
import type { FlowGraph, GraphAgent, GraphNode } from './model.js';

export interface TreeItem {
  node: GraphNode;
  /** The sinks of a sink group; empty for every other node. */
  children: GraphNode[];
}

export interface AgentTree {
  agent: GraphAgent;
  items: TreeItem[];
}

export function agentTrees(graph: FlowGraph): AgentTree[] {
  const children = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    if (n.parent === undefined) continue;
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  const ids = new Set(graph.nodes.map((n) => n.id));
  return graph.agents.map((agent) => ({
    agent,
    items: graph.nodes
      // A sink whose group is missing (a filtered graph) is drawn on its own.
      .filter((n) => n.agent === agent.id && (n.parent === undefined || !ids.has(n.parent)))
      .map((node) => ({ node, children: children.get(node.id) ?? [] })),
  }));
}

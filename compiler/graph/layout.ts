// Places the graph: agents that are linked to each other form a block laid out by elkjs
// (`elk-part.ts`), and the blocks are packed in rows (`pack.ts`), so that a hundred
// unrelated agents make a sheet rather than one endless column. The result is absolute
// coordinates only; drawing is the renderers' job. Deterministic: blocks are in model order
// and elkjs uses a fixed seed.
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { buildBlock } from './elk-part.js';
import type { NodeText } from './labels.js';
import type { FlowGraph, GraphAgent, GraphEdge, GraphNode } from './model.js';
import { metrics } from './measure.js';
import { packParts } from './pack.js';
import { agentTrees } from './tree.js';

export interface Point {
  x: number;
  y: number;
}

export interface Box extends Point {
  width: number;
  height: number;
}

export interface PlacedNode {
  node: GraphNode;
  box: Box;
  text: NodeText;
}

export interface PlacedCluster {
  box: Box;
  title: string;
  subtitle?: string;
  /** The agent, for agent clusters; the group node, for sink groups. */
  agent?: GraphAgent;
  group?: GraphNode;
}

export interface PlacedEdge {
  edge: GraphEdge;
  points: Point[];
  label?: { box: Box; lines: string[] };
}

export interface Layout {
  width: number;
  height: number;
  /** Agents before the groups inside them, so that drawing in order nests correctly. */
  clusters: PlacedCluster[];
  nodes: PlacedNode[];
  /** In model order. */
  edges: PlacedEdge[];
}

// elkjs is large and only drawing needs it: load it on first use, so that every other
// command (and a running agent) does not pay for it.
type ElkConstructor = (typeof import('elkjs/lib/elk.bundled.js'))['default'];
let elk: Promise<ElkConstructor> | undefined;
function loadElk(): Promise<ElkConstructor> {
  // A CommonJS module: Node hands its exports over as `default`, with the constructor either
  // there or one `default` further down.
  elk ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const exported = m.default as ElkConstructor & { default?: ElkConstructor };
    return exported.default ?? exported;
  });
  return elk;
}

/** The blocks stay where they are put (at the origin); `pack.ts` arranges them afterwards. */
const rootOptions = {
  'elk.algorithm': 'fixed',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

export async function layoutGraph(graph: FlowGraph): Promise<Layout> {
  const agentOf = new Map(graph.nodes.map((n) => [n.id, n.agent]));
  const sets = linkedAgents(graph, agentOf);
  const blockOf = new Map(sets.flatMap((agents, i) => [...agents].map((a) => [a, i] as const)));
  const edges = sets.map(() => [] as { edge: GraphEdge; index: number }[]);
  graph.edges.forEach((edge, index) => {
    const block = blockOf.get(agentOf.get(edge.from)!);
    if (block !== undefined && block === blockOf.get(agentOf.get(edge.to)!)) edges[block]!.push({ edge, index });
  });
  const trees = agentTrees(graph);
  const blocks = sets.map((agents, i) => buildBlock(graph, `b:${i}`, trees.filter((t) => agents.has(t.agent.id)), edges[i]!));
  // One call for all blocks: elkjs answers each call through a timer, which adds up.
  const root: ElkNode = { id: 'root', layoutOptions: rootOptions, children: blocks.map((b) => b.elk) };
  const ELK = await loadElk();
  const laid = await new ELK().layout(root);
  const packed = packParts(blocks.map((b, i) => b.read(laid.children![i]!)), metrics.margin, metrics.gap);
  const order = new Map(graph.edges.map((e, i) => [e.id, i]));
  packed.edges.sort((a, b) => order.get(a.edge.id)! - order.get(b.edge.id)!);
  return packed;
}

/** Agents joined by links, as sets in model order (of their first agent): one block each. */
function linkedAgents(graph: FlowGraph, agentOf: Map<string, string>): Set<string>[] {
  const parent = new Map(graph.agents.map((a) => [a.id, a.id]));
  const find = (id: string): string => {
    while (parent.get(id) !== id) id = parent.get(id)!;
    return id;
  };
  for (const e of graph.edges) {
    const a = agentOf.get(e.from);
    const b = agentOf.get(e.to);
    if (a !== undefined && b !== undefined) parent.set(find(b), find(a));
  }
  const sets = new Map<string, Set<string>>();
  for (const a of graph.agents) {
    const root = find(a.id);
    sets.set(root, (sets.get(root) ?? new Set<string>()).add(a.id));
  }
  return [...sets.values()];
}

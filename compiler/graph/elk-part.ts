// One block of linked agents for elkjs (layered, left to right): agents and sink groups are
// nested boxes, each edge gets ports of its own so that parallel edges never share an
// endpoint, and links between agents are routed across the boxes.
import type { ElkExtendedEdge, ElkNode, ElkPort, LayoutOptions } from 'elkjs/lib/elk-api.js';
import { agentTitle, nodeText, type NodeText } from './labels.js';
import type { Box, Layout, PlacedCluster, PlacedEdge, PlacedNode } from './layout.js';
import { metrics, textWidth } from './measure.js';
import { isDurable } from './palette.js';
import type { FlowGraph, GraphEdge, GraphNode } from './model.js';
import type { AgentTree } from './tree.js';

/** Spacing is read from each box's own options, so every box gets the same set. */
const spacing: LayoutOptions = {
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.layered.spacing.edgeNodeBetweenLayers': '16',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.componentComponent': '36',
};

/** Laid out across boxes (INCLUDE_CHILDREN), which is what lets edges cross them. */
const blockOptions: LayoutOptions = {
  ...spacing,
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

export interface Block {
  elk: ElkNode;
  /** Reads the block back once elkjs has placed it at the origin. */
  read(laid: ElkNode): Layout;
}

// ELK ids live in one namespace; prefixes keep nodes, agents, edges and ports apart whatever
// the names in the flow are.
const nodeKey = (id: string) => `n:${id}`;
const agentKey = (id: string) => `a:${id}`;

/** `edges` carry their index in the model, which keeps ELK's ids unique across blocks. */
export function buildBlock(graph: FlowGraph, id: string, trees: AgentTree[], edges: { edge: GraphEdge; index: number }[]): Block {
  const texts = new Map<string, NodeText>();
  const leaves = new Map<string, ElkNode>();
  const root: ElkNode = { id, layoutOptions: blockOptions, children: [], edges: [] };
  const containers = new Map<string, ElkNode>([[id, root]]);
  const containerOf = new Map<string, string>();
  const clusterInfo = new Map<string, PlacedCluster>();
  const nodesByKey = new Map<string, GraphNode>();

  const leaf = (node: GraphNode, container: string): ElkNode => {
    const text = nodeText(node);
    const size = nodeSize(node, text);
    const n: ElkNode = { id: nodeKey(node.id), width: size.width, height: size.height, ports: [], layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' } };
    texts.set(n.id, text);
    leaves.set(node.id, n);
    nodesByKey.set(n.id, node);
    containerOf.set(n.id, container);
    return n;
  };

  for (const { agent, items } of trees) {
    const title = agentTitle(agent);
    const cluster: ElkNode = {
      id: agentKey(agent.id),
      children: [],
      layoutOptions: clusterOptions(metrics.agentPad, Math.max(textWidth(title, metrics.agentTitle.size, true), agent.host ? textWidth(agent.host, metrics.text.size) : 0)),
    };
    root.children!.push(cluster);
    containers.set(cluster.id, cluster);
    containerOf.set(cluster.id, id);
    clusterInfo.set(cluster.id, agent.host !== undefined ? { box: zero(), title, subtitle: agent.host, agent } : { box: zero(), title, agent });
    for (const { node, children } of items) {
      if (node.role !== 'group') {
        cluster.children!.push(leaf(node, cluster.id));
        continue;
      }
      const text = nodeText(node);
      const subtitle = [text.subtitle, ...text.details].join(' · ');
      const group: ElkNode = {
        id: nodeKey(node.id),
        children: [],
        layoutOptions: clusterOptions(metrics.groupPad, Math.max(textWidth(text.title, metrics.title.size, true), textWidth(subtitle, metrics.text.size))),
      };
      group.children = children.map((c) => leaf(c, group.id));
      cluster.children!.push(group);
      containers.set(group.id, group);
      containerOf.set(group.id, cluster.id);
      clusterInfo.set(group.id, { box: zero(), title: text.title, subtitle, group: node });
    }
  }

  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let c = containerOf.get(id); c !== undefined; c = containerOf.get(c)) out.push(c);
    return out;
  };
  const order = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const ranked = new Map<ElkNode, { east: { port: ElkPort; rank: number }[]; west: { port: ElkPort; rank: number }[] }>();
  const sides = (n: ElkNode) => {
    let s = ranked.get(n);
    if (!s) ranked.set(n, (s = { east: [], west: [] }));
    return s;
  };
  const edgeByKey = new Map<string, GraphEdge>();
  for (const { edge: e, index: i } of edges) {
    const from = leaves.get(e.from);
    const to = leaves.get(e.to);
    if (!from || !to) continue;
    const out: ElkPort = { id: `p:${i}:out`, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } };
    const into: ElkPort = { id: `p:${i}:in`, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } };
    from.ports!.push(out);
    to.ports!.push(into);
    sides(from).east.push({ port: out, rank: order.get(e.to)! });
    sides(to).west.push({ port: into, rank: order.get(e.from)! });
    const edge: ElkExtendedEdge = { id: `e:${i}`, sources: [out.id], targets: [into.id] };
    edgeByKey.set(edge.id, e);
    if (e.label !== undefined) {
      const lines = e.label.split('\n');
      edge.labels = [{ text: e.label, width: Math.ceil(Math.max(...lines.map((l) => textWidth(l, metrics.label.size))) + 8), height: lines.length * metrics.label.line + 4 }];
    }
    // ELK wants an edge in the innermost box that holds both of its ends.
    const fromUp = ancestors(from.id);
    const common = containers.get(ancestors(to.id).find((a) => fromUp.includes(a)) ?? id)!;
    (common.edges ??= []).push(edge);
  }
  // Ports in the order of the nodes at their other end, so that neighbours come out top to
  // bottom in the order of the file. ELK numbers ports clockwise: down the east side, up the west.
  for (const { east, west } of ranked.values()) {
    east.sort((a, b) => a.rank - b.rank).forEach((p, k) => (p.port.layoutOptions!['elk.port.index'] = String(k)));
    west.sort((a, b) => a.rank - b.rank).forEach((p, k) => (p.port.layoutOptions!['elk.port.index'] = String(west.length - 1 - k)));
  }

  return { elk: root, read: (laid) => {
  const clusters: PlacedCluster[] = [];
  const nodes: PlacedNode[] = [];
  const placedEdges: PlacedEdge[] = [];
  const walk = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      const edge = edgeByKey.get(e.id);
      const section = e.sections?.[0];
      if (!edge || !section) continue;
      const placed: PlacedEdge = { edge, points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: p.x, y: p.y })) };
      const label = e.labels?.[0];
      if (label && edge.label !== undefined) placed.label = { box: boxOf(label), lines: edge.label.split('\n') };
      placedEdges.push(placed);
    }
    for (const c of n.children ?? []) {
      const info = clusterInfo.get(c.id);
      const node = nodesByKey.get(c.id);
      if (info) clusters.push({ ...info, box: boxOf(c) });
      else if (node) nodes.push({ node, box: boxOf(c), text: texts.get(c.id)! });
      walk(c);
    }
  };
  walk(laid);
  return { width: laid.width ?? 0, height: laid.height ?? 0, clusters, nodes, edges: placedEdges };
  } };
}

function nodeSize(node: GraphNode, text: NodeText): { width: number; height: number } {
  const widest = Math.max(textWidth(text.title, metrics.title.size, true), ...[text.subtitle, ...text.details, ...text.steps].map((l) => textWidth(l, metrics.text.size)));
  let width = widest + 2 * metrics.padX;
  let height = 2 * metrics.padY + metrics.title.line + (1 + text.details.length) * metrics.text.line;
  if (text.steps.length > 0) height += metrics.stepsGap + text.steps.length * metrics.text.line;
  if (node.role === 'selector') width += metrics.chamfer;
  if (node.role === 'source') width += 8;
  if (node.role === 'channel' && isDurable(node.storage)) height += 2 * metrics.cylinder;
  return { width: Math.ceil(Math.max(width, metrics.minWidth)), height: Math.ceil(height) };
}

function clusterOptions(pad: { top: number; side: number }, titleWidth: number): LayoutOptions {
  return {
    ...spacing,
    'elk.padding': `[top=${pad.top},left=${pad.side},bottom=${pad.side},right=${pad.side}]`,
    'elk.nodeSize.constraints': 'MINIMUM_SIZE',
    'elk.nodeSize.minimum': `(${Math.ceil(titleWidth + 2 * pad.side)}, ${pad.top + pad.side})`,
  };
}

function boxOf(s: { x?: number; y?: number; width?: number; height?: number }): Box {
  return { x: s.x ?? 0, y: s.y ?? 0, width: s.width ?? 0, height: s.height ?? 0 };
}

function zero(): Box {
  return { x: 0, y: 0, width: 0, height: 0 };
}

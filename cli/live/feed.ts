// The live view's data: every tick, a sample of the agents becomes one frame, the whole state
// of the picture (rates per edge and node, fill per channel, health per node, and the raw
// counters the rates come from). Frames are complete rather than deltas, so that a client that
// missed some (a slow one, or one that just connected) is right again with the next.
import type { FlowGraph, GroupNode } from '../../compiler/graph/model.js';
import type { AgentRuntime } from '../../runtime/core/agent.js';
import { HealthTracker, type LiveHealth } from './health.js';
import { ACCEPTED, DRAINED, edgeBases, pickBasis, PUT, rateOf, TAKEN, type Basis } from './rates.js';
import { takeSample, type Sample } from './sample.js';

export interface EdgeFrame {
  /** Events per second along the edge; `null` when no counter counts it alone. */
  rate: number | null;
  /** The counter the rate is the growth of, and its value now. */
  basis: Basis | null;
  count: number | null;
}

export interface NodeFrame extends Partial<LiveHealth> {
  counters: Record<string, number>;
  /** Events per second: received and accepted (sources), put and taken (channels), drained (sinks). */
  rates: Record<string, number | null>;
  /** ChannelFillPercentage, for channels. */
  fill?: number;
}

export interface Frame {
  seq: number;
  /** When the sample was read (ms since the epoch). */
  at: number;
  /** Seconds since the previous sample: what the rates are averaged over. */
  interval: number | null;
  edges: Record<string, EdgeFrame>;
  nodes: Record<string, NodeFrame>;
}

const rateCounters: Record<string, string[]> = {
  source: ['EventReceivedCount', ACCEPTED],
  channel: [PUT, TAKEN],
  sink: [DRAINED],
};

export class LiveFeed {
  private prev: Sample | undefined;
  private seq = 0;
  private readonly health = new HealthTracker();
  private readonly bases: Map<string, Basis[]>;
  private readonly roles: Map<string, string>;
  private readonly groups: GroupNode[];

  constructor(
    graph: FlowGraph,
    private readonly agents: () => readonly AgentRuntime[],
  ) {
    this.bases = edgeBases(graph);
    this.roles = new Map(graph.nodes.map((n) => [n.id, n.role]));
    this.groups = graph.nodes.filter((n): n is GroupNode => n.role === 'group');
    // The first frame has a sample to compare with, so it already carries rates.
    this.prev = takeSample(this.agents());
  }

  tick(at = Date.now()): Frame {
    const prev = this.prev;
    const cur = takeSample(this.agents(), at);
    this.prev = cur;
    const health = this.health.update(prev, cur);
    const frame: Frame = { seq: ++this.seq, at: cur.at, interval: prev ? (cur.at - prev.at) / 1000 : null, edges: {}, nodes: {} };
    for (const [id, bases] of this.bases) {
      const basis = pickBasis(bases, cur);
      frame.edges[id] = {
        rate: basis ? rateOf(prev, cur, basis.node, basis.counter) : null,
        basis,
        count: basis ? (cur.nodes.get(basis.node)?.counters[basis.counter] ?? null) : null,
      };
    }
    for (const [id, n] of cur.nodes) {
      const role = this.roles.get(id);
      if (role === undefined) continue; // an agent not drawn
      const node: NodeFrame = { ...health.get(id), counters: n.counters, rates: {} };
      for (const c of rateCounters[role] ?? []) node.rates[c] = rateOf(prev, cur, id, c);
      if (role === 'channel' && n.counters.ChannelFillPercentage !== undefined) node.fill = n.counters.ChannelFillPercentage;
      frame.nodes[id] = node;
    }
    for (const g of this.groups) frame.nodes[g.id] = groupFrame(g, frame.nodes);
    return frame;
  }
}

/** A sink group fails when none of its sinks can deliver: then the processor throws too. */
function groupFrame(g: GroupNode, nodes: Record<string, NodeFrame>): NodeFrame {
  const members = g.members.map((m) => nodes[m.sink]).filter((m): m is NodeFrame => m !== undefined);
  const every = (s: string) => members.length > 0 && members.every((m) => m.state === s);
  const drained = members.reduce<number | null>((sum, m) => (m.rates[DRAINED] == null ? sum : (sum ?? 0) + m.rates[DRAINED]!), null);
  const out: NodeFrame = { state: every('stopped') ? 'stopped' : every('failing') ? 'failing' : 'running', restarts: 0, failures: 0, counters: {}, rates: { [DRAINED]: drained } };
  if (out.state === 'failing') out.reason = 'every sink of the group is failing';
  return out;
}

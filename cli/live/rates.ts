// Events per second, from the change of Flume's counters between two samples. Computed on the
// server so that every open page shows the same figures. Each edge is given the counters that
// count exactly the events along it, best first (not every component keeps Flume's counters:
// the netcat source and the logger sink have none), and no figure at all when none does (a
// multiplexing selector routing to a channel that other sources also write to) rather than
// a wrong one.
import type { FlowGraph, GraphEdge } from '../../compiler/graph/model.js';
import type { Sample } from './sample.js';

/** A counter whose growth is an edge's traffic. */
export interface Basis {
  node: string;
  counter: string;
}

export const ACCEPTED = 'EventAcceptedCount';
export const PUT = 'EventPutSuccessCount';
export const TAKEN = 'EventTakeSuccessCount';
export const DRAINED = 'EventDrainSuccessCount';

/** For each edge, the counters that count it, best first; empty when none does. */
export function edgeBases(graph: FlowGraph): Map<string, Basis[]> {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const count = (key: (e: GraphEdge) => string) => {
    const m = new Map<string, number>();
    for (const e of graph.edges) m.set(key(e), (m.get(key(e)) ?? 0) + 1);
    return m;
  };
  const incoming = count((e) => e.to);
  const outgoing = count((e) => e.from);
  const sourceOf = new Map(graph.edges.filter((e) => e.kind === 'selects').map((e) => [e.to, e.from]));
  const replicating = (selector: string) => nodes.get(selector)?.kind === 'replicating';
  // Puts into a channel that nothing else feeds are exactly the events along the edge into it.
  const putsInto = (e: GraphEdge): Basis[] => (incoming.get(e.to) === 1 ? [{ node: e.to, counter: PUT }] : []);
  const out = new Map<string, Basis[]>();
  for (const e of graph.edges) {
    let bases: Basis[] = [];
    switch (e.kind) {
      case 'feeds':
        // Every event the source accepts was put into its one channel, unless that was optional.
        bases = e.optional ? putsInto(e) : [{ node: e.from, counter: ACCEPTED }, ...putsInto(e)];
        break;
      case 'selects': {
        // A replicating selector puts every accepted event into each required channel.
        const required = replicating(e.to) ? graph.edges.filter((r) => r.from === e.to && !r.optional).flatMap(putsInto) : [];
        bases = [{ node: e.from, counter: ACCEPTED }, ...required];
        break;
      }
      case 'routes': {
        const source = sourceOf.get(e.from);
        bases = [...putsInto(e), ...(source !== undefined && replicating(e.from) && !e.optional ? [{ node: source, counter: ACCEPTED }] : [])];
        break;
      }
      case 'drains':
        // Takes from a channel that only this sink drains are the sink's events.
        bases = [{ node: e.to, counter: DRAINED }, ...(outgoing.get(e.from) === 1 ? [{ node: e.from, counter: TAKEN }] : [])];
        break;
      case 'links':
        bases = [{ node: e.from, counter: DRAINED }];
        break;
    }
    out.set(e.id, bases);
  }
  return out;
}

/** The first of `bases` that the sample has. */
export function pickBasis(bases: readonly Basis[], sample: Sample): Basis | null {
  return bases.find((b) => sample.nodes.get(b.node)?.counters[b.counter] !== undefined) ?? null;
}

/**
 * Growth per second of a counter between two samples; `null` while either sample lacks it
 * (a component that has not started). A counter that went down was reset (the component was
 * rebuilt by --watch): its rate starts again from the next sample.
 */
export function rateOf(prev: Sample | undefined, cur: Sample, node: string, counter: string): number | null {
  const now = cur.nodes.get(node)?.counters[counter];
  const before = prev?.nodes.get(node)?.counters[counter];
  if (now === undefined || before === undefined || !prev) return null;
  const seconds = (cur.at - prev.at) / 1000;
  if (seconds <= 0 || now < before) return 0;
  return (now - before) / seconds;
}

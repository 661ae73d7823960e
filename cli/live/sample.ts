// One reading of the running agents, keyed by the graph's node ids: each source's, channel's
// and sink's Flume counters (as numbers) and its status from the supervisor. Reading is a few
// field loads per component, cheap enough to do every second without touching the hot paths.
import { nodeId } from '../../compiler/graph/model.js';
import type { AgentRuntime } from '../../runtime/core/agent.js';
import type { ComponentStatus } from '../../runtime/core/status.js';

export interface NodeSample {
  counters: Record<string, number>;
  status?: ComponentStatus;
}

export interface Sample {
  /** When it was read (ms since the epoch). */
  at: number;
  nodes: Map<string, NodeSample>;
}

const roleOf: Record<string, 'source' | 'channel' | 'sink' | undefined> = { SOURCE: 'source', CHANNEL: 'channel', SINK: 'sink' };

export function takeSample(agents: readonly AgentRuntime[], at = Date.now()): Sample {
  const nodes = new Map<string, NodeSample>();
  const node = (id: string) => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { counters: {} }));
    return n;
  };
  for (const a of agents) {
    for (const c of a.metrics.all()) {
      const role = roleOf[c.type];
      if (!role) continue;
      const { StartTime: _start, StopTime: _stop, ...values } = c.numbers();
      node(nodeId(a.name, role, c.name)).counters = values;
    }
    for (const s of a.status()) node(nodeId(a.name, s.role, s.name)).status = s;
  }
  return { at, nodes };
}

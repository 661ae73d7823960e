// Whether each component is running, failing or stopped, as the page colours it. The runtime's
// status says what the supervisor and the watched `process()` calls know; the counters add
// what only they show: a sink or source that counts failures without throwing (Flume's
// ConnectionFailedCount, EventWriteFail, ChannelWriteFail growing), or a component that the
// supervisor restarted a moment ago and that may well fail again. Such a sign holds for a
// while (the sink runner waits 5 s after a failure, so a failing sink's counters move only
// every few seconds) unless the component succeeds in the meantime.
import type { ComponentState } from '../../runtime/core/status.js';
import type { Sample } from './sample.js';

export interface LiveHealth {
  state: ComponentState;
  /** Why it is failing, in a few words. */
  reason?: string;
  lastError?: string;
  lastErrorAt?: number;
  restarts: number;
  failures: number;
}

/** How long a failure seen in the counters, or a restart, keeps a component red. */
export const HOLD_MS = 15_000;

const failureCounters: Record<string, string[]> = {
  source: ['EventReadFail', 'ChannelWriteFail', 'GenericProcessingFail'],
  sink: ['ConnectionFailedCount', 'EventWriteFail', 'ChannelReadFail'],
};
const successCounter: Record<string, string> = { source: 'EventAcceptedCount', sink: 'EventDrainSuccessCount' };

interface Marks {
  failAt: number;
  failWhat: string;
  okAt: number;
  restartAt: number;
}

export class HealthTracker {
  private readonly marks = new Map<string, Marks>();

  /** The health of every node that has a status in `cur`, from what changed since `prev`. */
  update(prev: Sample | undefined, cur: Sample): Map<string, LiveHealth> {
    const out = new Map<string, LiveHealth>();
    for (const [id, n] of cur.nodes) {
      const s = n.status;
      if (!s) continue;
      let m = this.marks.get(id);
      if (!m) this.marks.set(id, (m = { failAt: 0, failWhat: '', okAt: 0, restartAt: 0 }));
      const before = prev?.nodes.get(id);
      if (before) {
        const grew = (counter: string) => (n.counters[counter] ?? 0) - (before.counters[counter] ?? 0);
        const failed = (failureCounters[s.role] ?? []).map((c) => [c, grew(c)] as const).filter(([, d]) => d > 0);
        if (failed.length > 0) {
          m.failAt = cur.at;
          m.failWhat = failed.map(([c, d]) => `${c} +${d}`).join(', ');
        }
        const ok = successCounter[s.role];
        if (ok !== undefined && grew(ok) > 0) m.okAt = cur.at;
        if (s.restarts > (before.status?.restarts ?? 0)) m.restartAt = cur.at;
      }
      const h: LiveHealth = { state: s.state, restarts: s.restarts, failures: s.failures };
      if (s.lastError !== undefined) h.lastError = s.lastError;
      if (s.lastErrorAt !== undefined) h.lastErrorAt = s.lastErrorAt;
      const recent = (at: number) => at > 0 && cur.at - at < HOLD_MS;
      if (s.state === 'failing') {
        h.reason = s.failures > 0 ? `failed ${s.failures} time${s.failures === 1 ? '' : 's'} in a row` : 'restarting after a failure';
      } else if (s.state === 'running' && recent(m.failAt) && m.failAt >= m.okAt) {
        h.state = 'failing';
        h.reason = m.failWhat;
      } else if (s.state === 'running' && recent(m.restartAt)) {
        h.state = 'failing';
        h.reason = `restarted by the supervisor (${s.restarts} so far)`;
      }
      out.set(id, h);
    }
    return out;
  }
}

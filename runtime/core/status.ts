// Per-component status: is each source, channel and sink running, failing or stopped, and
// what went wrong last. The supervisor only hears of failures reported through `ctx.fail`;
// a sink whose `process()` throws (a refused connection, a full disk) is caught by its sink
// processor or runner and retried, so without watching those calls a sink that has not
// delivered anything for minutes would still look healthy. This watches them.
import type { PollableSource, Sink, Source, Status } from './component.js';
import type { AgentRuntimeConfig } from './config.js';
import { errorText } from './errors.js';

export type ComponentState = 'running' | 'failing' | 'stopped';

export interface ComponentStatus {
  role: 'source' | 'channel' | 'sink';
  name: string;
  state: ComponentState;
  /** Restarts by the supervisor (of the sink's group, for a grouped sink). */
  restarts: number;
  /** Calls of `process()` that threw in a row (0 once one succeeds). */
  failures: number;
  lastError?: string;
  /** When `lastError` happened (ms since the epoch). */
  lastErrorAt?: number;
}

/** What the supervisor knows of one unit (`AgentRuntime.health()`). */
export interface UnitHealth {
  role: 'source' | 'channel' | 'sink';
  name: string;
  state: 'idle' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  lastError?: string;
}

interface Calls {
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
}

/** The outcome of the latest `process()` calls of each watched sink and pollable source. */
export class StatusBoard {
  private readonly calls = new Map<string, Calls>();
  /** The supervisor's latest error per unit, and when this board first saw it. */
  private readonly unitErrors = new Map<string, { error: string; restarts: number; at: number }>();

  /**
   * Shares the records of the agent a reload replaces: components carried over keep their
   * watched calls, which go on recording into those same records.
   */
  inherit(from: StatusBoard): void {
    for (const [k, v] of from.calls) this.calls.set(k, v);
    for (const [k, v] of from.unitErrors) this.unitErrors.set(k, v);
  }

  private watch(key: string, process: () => Promise<Status>): () => Promise<Status> {
    // A new component starts with a clean record, even under the name of one it replaces.
    const c: Calls = { failures: 0 };
    this.calls.set(key, c);
    return async () => {
      try {
        const status = await process();
        c.failures = 0;
        return status;
      } catch (e) {
        c.failures++;
        c.lastError = errorText(e);
        c.lastErrorAt = Date.now();
        throw e;
      }
    };
  }

  /** The sink, with its `process()` outcomes recorded; everything else is passed through. */
  watchSink(name: string, sink: Sink): Sink {
    const w: Sink = { process: this.watch(`sink:${name}`, () => sink.process()) };
    if (sink.start) w.start = () => sink.start!();
    if (sink.stop) w.stop = () => sink.stop!();
    if (sink.endpoints) w.endpoints = () => sink.endpoints!();
    return w;
  }

  /** A pollable source, watched the same way; event-driven sources report through `ctx.fail`. */
  watchSource(name: string, source: Source): Source {
    if (source.driver !== 'poll') return source;
    const s: PollableSource = source;
    const w: PollableSource = {
      driver: 'poll',
      get backoffSleepIncrement() {
        return s.backoffSleepIncrement;
      },
      get maxBackoffSleep() {
        return s.maxBackoffSleep;
      },
      process: this.watch(`source:${name}`, () => s.process()),
    };
    if (s.start) w.start = () => s.start!();
    if (s.stop) w.stop = () => s.stop!();
    if (s.endpoints) w.endpoints = () => s.endpoints!();
    return w;
  }

  /** When the unit's error was first seen (health() has no time): a new text or a new restart is a new error. */
  private stamp(unit: UnitHealth | undefined): number | undefined {
    if (unit?.lastError === undefined) return undefined;
    const key = `${unit.role}:${unit.name}`;
    const seen = this.unitErrors.get(key);
    if (seen && seen.error === unit.lastError && seen.restarts === unit.restarts) return seen.at;
    const at = Date.now();
    this.unitErrors.set(key, { error: unit.lastError, restarts: unit.restarts, at });
    return at;
  }

  /**
   * Every source, channel and sink of the agent: failing while the supervisor is restarting
   * it or its latest `process()` threw; stopped when not started or stopped.
   */
  status(config: AgentRuntimeConfig, units: readonly UnitHealth[]): ComponentStatus[] {
    const unitOf = (role: UnitHealth['role'], name: string) => units.find((u) => u.role === role && u.name === name);
    const groupOf = new Map<string, string>();
    for (const g of config.sinkGroups) for (const s of g.sinks) if (!groupOf.has(s)) groupOf.set(s, g.name);
    const one = (role: ComponentStatus['role'], name: string, unit: UnitHealth | undefined): ComponentStatus => {
      const calls = this.calls.get(`${role}:${name}`);
      const state: ComponentState =
        !unit || unit.state === 'idle' || unit.state === 'stopped' ? 'stopped' : unit.state === 'restarting' || (calls?.failures ?? 0) > 0 ? 'failing' : 'running';
      const out: ComponentStatus = { role, name, state, restarts: unit?.restarts ?? 0, failures: calls?.failures ?? 0 };
      // The newer of the two errors: a sink's own, or the supervisor's.
      const unitAt = this.stamp(unit);
      if (calls?.lastError !== undefined && (unitAt === undefined || calls.lastErrorAt! >= unitAt)) {
        out.lastError = calls.lastError;
        out.lastErrorAt = calls.lastErrorAt!;
      } else if (unit?.lastError !== undefined) {
        out.lastError = unit.lastError;
        out.lastErrorAt = unitAt!;
      }
      return out;
    };
    return [
      ...config.sources.map((s) => one('source', s.name, unitOf('source', s.name))),
      ...config.channels.map((c) => one('channel', c.name, unitOf('channel', c.name))),
      ...config.sinks.map((k) => one('sink', k.name, unitOf('sink', groupOf.get(k.name) ?? k.name))),
    ];
  }
}

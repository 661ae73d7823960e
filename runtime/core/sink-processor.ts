// Flume's sink processors: which sink of a group processes the next batch.
//  - default: the one sink.
//  - failover: the live sink with the highest priority; a sink that throws is left out for
//    min(maxpenalty, 1000 · 2^n) ms (n = its consecutive failures) and tried again after that,
//    before the active one; it becomes active again when it processes successfully.
//  - load_balance: round robin (each call starts at the next sink) or random, falling through
//    to the next sink when one throws; with backoff, a failed sink is left out for
//    min(selector.maxTimeOut, 1000 · 2^n) ms.
import type { Sink, Status } from './component.js';
import type { Params } from './config.js';
import { ConfigError, paramBool, paramNumber, paramString, paramsUnder } from './config.js';
import { EventDeliveryException, errorText } from './errors.js';
import type { Logger } from './log.js';

export interface NamedSink {
  readonly name: string;
  readonly sink: Sink;
}

export interface SinkProcessor {
  readonly sinks: readonly NamedSink[];
  process(): Promise<Status>;
}

export class DefaultSinkProcessor implements SinkProcessor {
  readonly sinks: readonly NamedSink[];

  constructor(sink: NamedSink) {
    this.sinks = [sink];
  }

  process(): Promise<Status> {
    return this.sinks[0]!.sink.process();
  }
}

const FAILURE_PENALTY = 1000;

interface FailedSink {
  sink: NamedSink;
  priority: number;
  failures: number;
  refresh: number;
}

export class FailoverSinkProcessor implements SinkProcessor {
  /** Live sinks, highest priority first. */
  private live: { sink: NamedSink; priority: number }[];
  private failed: FailedSink[] = [];

  constructor(
    readonly sinks: readonly NamedSink[],
    priorities: Map<string, number>,
    private readonly maxPenalty: number,
    private readonly log: Logger,
  ) {
    const used = new Set<number>();
    let next = -1;
    const live: { sink: NamedSink; priority: number }[] = [];
    for (const s of sinks) {
      const p = priorities.get(s.name) ?? next--;
      if (used.has(p)) {
        log.warn(`sink \`${s.name}\` has the same priority ${p} as another sink of the group and is left out`);
        continue;
      }
      used.add(p);
      live.push({ sink: s, priority: p });
    }
    this.live = live.sort((a, b) => b.priority - a.priority);
  }

  /** The sink that takes the next batch, for tests and the health page. */
  get active(): string | undefined {
    return this.live[0]?.sink.name;
  }

  async process(): Promise<Status> {
    // Failed sinks whose penalty is over are tried first, in the order their penalties end.
    const now = Date.now();
    while (this.failed.length > 0 && this.failed[0]!.refresh < now) {
      const cur = this.failed.shift()!;
      try {
        const s = await cur.sink.sink.process();
        if (s === 'READY') {
          this.live.push({ sink: cur.sink, priority: cur.priority });
          this.live.sort((a, b) => b.priority - a.priority);
          this.log.info(`sink \`${cur.sink.name}\` is back`);
        } else {
          this.addFailed(cur); // a backoff is not a failure
        }
        return s;
      } catch (e) {
        cur.failures++;
        cur.refresh = Date.now() + Math.min(this.maxPenalty, (1 << Math.min(cur.failures, 30)) * FAILURE_PENALTY);
        this.addFailed(cur);
        this.log.warn(`sink \`${cur.sink.name}\` failed again: ${errorText(e)}`);
      }
    }
    while (this.live.length > 0) {
      const active = this.live[0]!;
      try {
        return await active.sink.sink.process();
      } catch (e) {
        this.live.shift();
        const f: FailedSink = { sink: active.sink, priority: active.priority, failures: 1, refresh: 0 };
        f.refresh = Date.now() + Math.min(this.maxPenalty, 2 * FAILURE_PENALTY);
        this.addFailed(f);
        const next = this.live[0]?.sink.name;
        this.log.warn(`sink \`${active.sink.name}\` failed (${errorText(e)}); ${next ? `failing over to \`${next}\`` : 'no sink left to fail over to'}`);
      }
    }
    throw new EventDeliveryException('all sinks of the failover group failed; none is left to fail over to');
  }

  private addFailed(f: FailedSink): void {
    this.failed.push(f);
    this.failed.sort((a, b) => a.refresh - b.refresh || b.priority - a.priority);
  }
}

const SEQUENTIAL_RANGE = 60 * 60 * 1000;
const EXP_LIMIT = 16;

interface BackoffState {
  fails: number;
  lastFail: number;
  restore: number;
}

export class LoadBalancingSinkProcessor implements SinkProcessor {
  private nextHead = 0;
  private readonly state: BackoffState[];

  constructor(
    readonly sinks: readonly NamedSink[],
    private readonly random: boolean,
    private readonly backoff: boolean,
    private readonly maxTimeout: number,
    private readonly log: Logger,
  ) {
    this.state = sinks.map(() => ({ fails: 0, lastFail: 0, restore: 0 }));
  }

  private order(): number[] {
    const now = Date.now();
    const active: number[] = [];
    for (let i = 0; i < this.sinks.length; i++) if (!this.backoff || this.state[i]!.restore < now) active.push(i);
    if (this.random) {
      for (let i = active.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [active[i], active[j]] = [active[j]!, active[i]!];
      }
      return active;
    }
    const size = active.length;
    if (this.nextHead >= size) this.nextHead = 0;
    const begin = this.nextHead++;
    if (this.nextHead === size) this.nextHead = 0;
    const out: number[] = new Array(size);
    for (let i = 0; i < size; i++) out[i] = active[(begin + i) % size]!;
    return out;
  }

  private failedAt(i: number): void {
    if (!this.backoff) return;
    const s = this.state[i]!;
    const now = Date.now();
    const last = Math.min(this.maxTimeout, 1000 * (1 << s.fails));
    if (last + SEQUENTIAL_RANGE > now - s.lastFail) {
      if (s.fails < EXP_LIMIT) s.fails++;
    } else {
      s.fails = 1;
    }
    s.lastFail = now;
    s.restore = now + Math.min(this.maxTimeout, 1000 * (1 << s.fails));
  }

  async process(): Promise<Status> {
    for (const i of this.order()) {
      const s = this.sinks[i]!;
      try {
        return await s.sink.process();
      } catch (e) {
        this.failedAt(i);
        this.log.warn(`sink \`${s.name}\` failed (${errorText(e)}); trying the next sink`);
      }
    }
    throw new EventDeliveryException('every sink of the load-balancing group failed');
  }
}

export function createSinkProcessor(kind: string, params: Params, sinks: NamedSink[], group: string, log: Logger): SinkProcessor {
  switch (kind) {
    case 'default':
      if (sinks.length !== 1) throw new ConfigError(`sink group \`${group}\`: the default processor takes exactly one sink`);
      return new DefaultSinkProcessor(sinks[0]!);
    case 'failover': {
      const priorities = new Map<string, number>();
      for (const [sink] of paramsUnder(params, 'priority.')) priorities.set(sink, paramNumber(params, `priority.${sink}`) ?? 0);
      return new FailoverSinkProcessor(sinks, priorities, paramNumber(params, 'maxpenalty') ?? 0, log);
    }
    case 'load_balance': {
      const selector = (paramString(params, 'selector') ?? '').toLowerCase();
      if (selector !== 'round_robin' && selector !== 'random') {
        throw new ConfigError(`sink group \`${group}\`: the runtime has no sink selector \`${selector}\`; use round_robin or random`);
      }
      return new LoadBalancingSinkProcessor(sinks, selector === 'random', paramBool(params, 'backoff') ?? false, paramNumber(params, 'selector.maxTimeOut') ?? 0, log);
    }
    default:
      throw new ConfigError(`sink group \`${group}\`: the runtime has no sink processor \`${kind}\``);
  }
}

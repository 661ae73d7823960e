// One running agent: builds its components from an AgentRuntimeConfig (through a registry of
// factories), starts them in Flume's order (channels, then sinks, then sources), supervises
// them (a component that reports a failure after starting is stopped and started again with
// backoff, and the restart is logged; so is a source that fails to start, as Flume keeps the
// agent up and retries it: other sources may already have delivered events), and stops in reverse order, draining the channels into
// the sinks until a deadline.
import type { Channel } from './channel.js';
import { ChannelProcessor } from './channel-processor.js';
import type { ComponentContext, ComponentDir, ComponentRegistry, FactoryTypes, Sink, Source } from './component.js';
import type { AgentRuntimeConfig, ComponentConfig } from './config.js';
import { ConfigError } from './config.js';
import { errorText } from './errors.js';
import type { Interceptor } from './interceptor.js';
import { Logger } from './log.js';
import { MetricsRegistry } from './metrics.js';
import { createSelector } from './selector.js';
import { createSinkProcessor, DefaultSinkProcessor, type NamedSink, type SinkProcessor } from './sink-processor.js';
import { SinkRunner, type SinkRunnerOptions } from './sink-runner.js';
import { StatusBoard, type ComponentStatus } from './status.js';
import { createSourceRunner, type SourceRunner } from './source-runner.js';
import { delay } from './timers.js';

export interface AgentOptions {
  registry: ComponentRegistry;
  log?: Logger;
  sinkRunner?: SinkRunnerOptions;
  /** Backoff between restarts of a failed component: initial and longest wait, in ms. */
  restartBackoff?: { initial: number; max: number };
}

/** A failure to start, with a message meant for the user (no stack trace). */
export class StartError extends Error {
  override name = 'StartError';
  constructor(
    readonly component: string,
    message: string,
  ) {
    super(message);
  }
}

type Role = 'channel' | 'sink' | 'source';
type State = 'idle' | 'running' | 'restarting' | 'stopped';

/** A unit the supervisor starts, stops and restarts. */
interface Unit {
  role: Role;
  name: string;
  state: State;
  restarts: number;
  lastError?: string;
  startedAt: number;
  /** Taken over, still running, by the agent that replaces this one (`--watch`). */
  handedOver?: boolean;
  /** Taken over from the agent this one replaces: already running, so start() skips it. */
  adopted?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ComponentHealth {
  role: Role;
  name: string;
  state: State;
  restarts: number;
  lastError?: string;
}

/** Events still in a channel when the agent stopped: not delivered by its sinks. */
export interface Undelivered {
  agent: string;
  channel: string;
  /** The channel's kind: a memory channel's events are lost with the process. */
  kind: string;
  events: number;
}

export interface Endpoint {
  role: 'source' | 'sink';
  name: string;
  kind: string;
  endpoints: string[];
}

export class AgentRuntime {
  readonly metrics: MetricsRegistry;
  readonly log: Logger;
  readonly channels = new Map<string, Channel>();
  readonly sources = new Map<string, Source>();
  readonly sinks = new Map<string, Sink>();
  readonly runners: SinkRunner[] = [];
  private readonly units: Unit[] = [];
  /** Watches the sinks' and pollable sources' `process()` calls, for `status()`. */
  private readonly board = new StatusBoard();
  private readonly sourceRunners = new Map<string, SourceRunner>();
  private stopping = false;
  /** What the channels still held when the sinks were stopped (set by stopSinksAndChannels). */
  undelivered: Undelivered[] = [];
  private readonly restartInitial: number;
  private readonly restartMax: number;

  private constructor(
    readonly config: AgentRuntimeConfig,
    private readonly options: AgentOptions,
  ) {
    this.log = options.log ?? new Logger(config.agent);
    this.metrics = new MetricsRegistry(config.agent);
    this.restartInitial = options.restartBackoff?.initial ?? 1000;
    this.restartMax = options.restartBackoff?.max ?? 30_000;
  }

  get name(): string {
    return this.config.agent;
  }

  /** Loads the factories and constructs every component; nothing runs yet. */
  static async create(config: AgentRuntimeConfig, options: AgentOptions, previous?: AgentRuntime): Promise<AgentRuntime> {
    const agent = new AgentRuntime(config, options);
    await agent.build(previous);
    return agent;
  }

  /** Channels carried over, running and with their events, from the agent this one replaces. */
  readonly adopted: string[] = [];
  /** Sources and sink runners carried over unchanged, without a restart (`source:r1`, `sink:k1`). */
  readonly adoptedUnits: string[] = [];
  /** The agent that took over this one's running components; their failures go to it. */
  private successor?: AgentRuntime;

  /**
   * Takes a running source or sink runner over from `previous` when its configuration and every
   * channel it touches are unchanged, so that an edit elsewhere does not restart it.
   */
  private adopt(previous: AgentRuntime | undefined, role: 'source' | 'sink', name: string, unchanged: boolean): boolean {
    if (!previous || !unchanged) return false;
    const old = previous.units.find((u) => u.role === role && u.name === name && u.state === 'running');
    if (!old) return false;
    old.handedOver = true;
    previous.successor = this;
    this.units.push({ ...old, adopted: true, handedOver: false });
    this.adoptedUnits.push(`${role}:${name}`);
    for (const counter of previous.metrics.all()) if (counter.type === role.toUpperCase() && counter.name === name) this.metrics.register(counter);
    return true;
  }

  private async factory<D extends ComponentDir>(dir: D, c: { name: string; kind: string; custom?: boolean }, what: string): Promise<FactoryTypes[D]> {
    const f = c.custom || !/^[a-z0-9_]+$/.test(c.kind) ? undefined : await this.options.registry.load(dir, c.kind);
    if (!f) {
      throw new ConfigError(
        `${what} \`${c.name}\` is of kind \`${c.kind}\`, which the flowc runtime does not implement; ` +
          'run it on Apache Flume instead (`flowc build --target properties`)',
      );
    }
    return f;
  }

  private context(name: string, role: Role): ComponentContext {
    const log = this.log.child(name);
    return {
      agent: this.config.agent,
      name,
      log,
      metrics: this.metrics,
      fail: (e: unknown) => this.failed(role, name, e),
    };
  }

  private async build(previous?: AgentRuntime): Promise<void> {
    if (previous) this.board.inherit(previous.board);
    const cfg = this.config;
    for (const c of cfg.channels) {
      const before = previous?.config.channels.find((x) => x.name === c.name);
      const running = previous?.channels.get(c.name);
      if (before && running && JSON.stringify(before) === JSON.stringify(c)) {
        this.channels.set(c.name, running);
        this.adopted.push(c.name);
        for (const counter of previous!.metrics.all()) if (counter.type === 'CHANNEL' && counter.name === c.name) this.metrics.register(counter);
        const u = this.unit('channel', c.name, async () => undefined, async () => running.stop?.());
        this.units.push(u);
        continue;
      }
      const f = await this.factory('channels', c, 'channel');
      const ch = f(c, this.context(c.name, 'channel'));
      this.channels.set(c.name, ch);
      this.units.push(this.unit('channel', c.name, async () => ch.start?.(), async () => ch.stop?.()));
    }
    const channelOf = (name: string, who: string): Channel => {
      const ch = this.channels.get(name);
      if (!ch) throw new ConfigError(`${who} uses channel \`${name}\`, which the agent does not declare`);
      return ch;
    };

    // Sinks, grouped into processors. A processor whose sinks, group and channels are all
    // unchanged keeps running as it is.
    const same = <T>(a: T | undefined, b: T) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
    const adoptedChannel = (name: string) => this.adopted.includes(name);
    const groupOf = (sink: string) => cfg.sinkGroups.find((g) => g.sinks.includes(sink));
    const sinkUnchanged = (name: string) => {
      const k = cfg.sinks.find((x) => x.name === name)!;
      return same(previous?.config.sinks.find((x) => x.name === name), k) && adoptedChannel(k.channel);
    };
    const processorUnchanged = (unit: string, sinks: string[]) => {
      const g = cfg.sinkGroups.find((x) => x.name === unit);
      const before = previous?.config.sinkGroups.find((x) => x.name === unit);
      const groupSame = g ? same(before, g) : before === undefined && !previous?.config.sinkGroups.some((x) => x.sinks.includes(unit));
      return groupSame && sinks.every(sinkUnchanged);
    };
    const adoptedProcessors = new Set<string>();
    for (const unitName of [...cfg.sinkGroups.map((g) => g.name), ...cfg.sinks.filter((k) => !groupOf(k.name)).map((k) => k.name)]) {
      const members = cfg.sinkGroups.find((g) => g.name === unitName)?.sinks ?? [unitName];
      if (!this.adopt(previous, 'sink', unitName, processorUnchanged(unitName, members))) continue;
      adoptedProcessors.add(unitName);
      const runner = previous!.runners.find((r) => r.processor.sinks.some((x) => members.includes(x.name)));
      if (runner) this.runners.push(runner);
      for (const m of members) this.sinks.set(m, previous!.sinks.get(m)!);
    }
    const named = new Map<string, NamedSink>();
    const sinkChannel = new Map<string, Channel>();
    for (const k of cfg.sinks) {
      if (adoptedProcessors.has(groupOf(k.name)?.name ?? k.name)) continue;
      const f = await this.factory('sinks', k, 'sink');
      const channel = channelOf(k.channel, `sink \`${k.name}\``);
      const sink = f(k, { ...this.context(k.name, 'sink'), channel });
      this.sinks.set(k.name, sink);
      named.set(k.name, { name: k.name, sink: this.board.watchSink(k.name, sink) });
      sinkChannel.set(k.name, channel);
    }
    const grouped = new Set<string>();
    const processors: { name: string; processor: SinkProcessor }[] = [];
    for (const g of cfg.sinkGroups) {
      if (adoptedProcessors.has(g.name)) continue;
      const members = g.sinks.map((s) => {
        const n = named.get(s);
        if (!n) throw new ConfigError(`sink group \`${g.name}\` names sink \`${s}\`, which the agent does not declare`);
        grouped.add(s);
        return n;
      });
      if (g.processor.custom) throw new ConfigError(`sink group \`${g.name}\`: the runtime has no sink processor \`${g.processor.kind}\``);
      processors.push({ name: g.name, processor: createSinkProcessor(g.processor.kind, g.processor.params, members, g.name, this.log.child(g.name)) });
    }
    for (const [name, n] of named) if (!grouped.has(name)) processors.push({ name, processor: new DefaultSinkProcessor(n) });
    for (const { name, processor } of processors) {
      const channels = [...new Set(processor.sinks.map((s) => sinkChannel.get(s.name)!))];
      const runner = new SinkRunner(processor, channels, this.log.child(name), this.options.sinkRunner);
      this.runners.push(runner);
      this.units.push(
        this.unit(
          'sink',
          name,
          async () => {
            for (const s of processor.sinks) await s.sink.start?.();
            runner.start();
          },
          async () => {
            await runner.stop();
            for (const s of processor.sinks) await s.sink.stop?.();
          },
        ),
      );
    }

    // Sources, with their interceptors and selector; an unchanged one keeps running (and keeps
    // its clients connected) when all its channels were carried over.
    for (const s of cfg.sources) {
      const unchanged = same(previous?.config.sources.find((x) => x.name === s.name), s) && s.channels.every(adoptedChannel);
      if (this.adopt(previous, 'source', s.name, unchanged)) {
        this.sources.set(s.name, previous!.sources.get(s.name)!);
        this.sourceRunners.set(s.name, previous!.sourceRunners.get(s.name)!);
        continue;
      }
      const interceptors: Interceptor[] = [];
      for (const i of s.interceptors) {
        const f = await this.factory('interceptors', i, `interceptor of source \`${s.name}\`:`);
        interceptors.push(f(i, this.context(`${s.name}.${i.name}`, 'source')));
      }
      const channels = s.channels.map((n) => channelOf(n, `source \`${s.name}\``));
      if (s.selector.custom) throw new ConfigError(`source \`${s.name}\`: the runtime has no channel selector \`${s.selector.kind}\``);
      const selector = createSelector(s.selector, channels, s.name);
      const processor = new ChannelProcessor(selector, interceptors, this.log.child(s.name));
      const f = await this.factory('sources', s, 'source');
      const ctx = { ...this.context(s.name, 'source'), processor };
      const source = this.board.watchSource(s.name, f(s, ctx));
      this.sources.set(s.name, source);
      const runner = createSourceRunner(source, ctx.log);
      this.sourceRunners.set(s.name, runner);
      this.units.push(
        this.unit(
          'source',
          s.name,
          async () => {
            for (const i of interceptors) await i.initialize?.();
            await runner.start();
          },
          async () => {
            await runner.stop();
            for (const i of interceptors) i.close?.();
          },
        ),
      );
    }
  }

  private unit(role: Role, name: string, start: () => Promise<void>, stop: () => Promise<void>): Unit {
    return { role, name, state: 'idle', restarts: 0, startedAt: 0, start, stop };
  }

  /**
   * Starts channels, then sinks, then sources. A channel or sink that fails to start stops what
   * started and throws StartError (no source has run yet, nothing was accepted). A source that
   * fails to start is left to the supervisor, which retries it with backoff while the rest of
   * the agent runs; its failure shows in `status()` and the log.
   */
  async start(): Promise<void> {
    const order: Role[] = ['channel', 'sink', 'source'];
    const started: Unit[] = [];
    for (const role of order) {
      for (const u of this.units.filter((x) => x.role === role)) {
        if (u.adopted) continue;
        try {
          await u.start();
          u.state = 'running';
          u.startedAt = Date.now();
          started.push(u);
        } catch (e) {
          if (role === 'source') {
            this.supervise(u, `cannot start: ${errorText(e)}`);
            continue;
          }
          for (const s of started.reverse()) {
            try {
              await s.stop();
            } catch {
              // already failing
            }
            s.state = 'stopped';
          }
          throw new StartError(u.name, `cannot start ${role} \`${u.name}\`: ${errorText(e)}`);
        }
      }
    }
  }

  /**
   * Stops sources, lets the sinks drain the channels for up to `drainTimeoutMs`, then stops
   * sinks and channels (except `keepChannels`, handed on to a reloaded agent). Returns whether
   * every channel was empty at the end.
   */
  async stop(drainTimeoutMs = 0, keepChannels: ReadonlySet<string> = new Set()): Promise<{ drained: boolean; left: number }> {
    await this.stopSources();
    const drained = await this.drain(drainTimeoutMs);
    const left = await this.stopSinksAndChannels(keepChannels);
    return { drained: drained && left === 0, left };
  }

  async stopSources(): Promise<void> {
    this.stopping = true;
    for (const u of this.units.filter((x) => x.role === 'source').reverse()) await this.stopUnit(u);
  }

  /** Lets the sink runners empty the channels, for at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0) return true;
    const results = await Promise.all(this.runners.map((r) => r.drain(timeoutMs)));
    return results.every(Boolean);
  }

  /** Stops sinks, then channels; returns the events left in the channels. */
  async stopSinksAndChannels(keepChannels: ReadonlySet<string> = new Set()): Promise<number> {
    this.stopping = true;
    for (const u of this.units.filter((x) => x.role === 'sink').reverse()) await this.stopUnit(u);
    let left = 0;
    this.undelivered = [];
    for (const [name, c] of this.channels) {
      const events = c.size();
      if (events === 0 || keepChannels.has(name)) continue;
      left += events;
      const kind = this.config.channels.find((x) => x.name === name)?.kind ?? 'unknown';
      this.undelivered.push({ agent: this.name, channel: name, kind, events });
    }
    for (const u of this.units.filter((x) => x.role === 'channel').reverse()) {
      if (keepChannels.has(u.name)) u.state = 'stopped';
      else await this.stopUnit(u);
    }
    return left;
  }

  private async stopUnit(u: Unit): Promise<void> {
    if (u.state === 'idle' || u.state === 'stopped') return;
    if (u.handedOver) {
      u.state = 'stopped';
      return;
    }
    try {
      await u.stop();
    } catch (e) {
      this.log.warn(`error while stopping ${u.role} \`${u.name}\`: ${errorText(e)}`);
    }
    u.state = 'stopped';
  }

  /** A component reported a failure: stop it and start it again, with growing waits. */
  private failed(role: Role, name: string, e: unknown): void {
    if (this.successor) return this.successor.failed(role, name, e);
    const u = this.units.find((x) => x.name === name && x.role === role) ?? this.units.find((x) => x.name === name.split('.')[0]);
    const msg = errorText(e);
    if (!u || this.stopping || u.state !== 'running') {
      this.log.error(`${role} \`${name}\` failed: ${msg}`);
      return;
    }
    this.supervise(u, msg);
  }

  /** Hands a failed unit to the supervisor: stopped, then started again with growing waits. */
  private supervise(u: Unit, msg: string): void {
    u.state = 'restarting';
    u.lastError = msg;
    void this.restart(u, msg);
  }

  private async restart(u: Unit, msg: string): Promise<void> {
    // A component that ran for a while starts over from the shortest wait.
    if (Date.now() - u.startedAt > 60_000) u.restarts = 0;
    for (;;) {
      const wait = Math.min(this.restartMax, this.restartInitial * 2 ** Math.min(u.restarts, 20));
      u.restarts++;
      this.log.error(`${u.role} \`${u.name}\` failed: ${msg}; restarting it in ${wait} ms`);
      try {
        await u.stop();
      } catch {
        // it is being replaced anyway
      }
      await delay(wait);
      if (this.stopping) return;
      try {
        await u.start();
        u.state = 'running';
        u.startedAt = Date.now();
        this.log.info(`${u.role} \`${u.name}\` restarted`);
        return;
      } catch (e) {
        msg = errorText(e);
        u.lastError = msg;
      }
    }
  }

  health(): ComponentHealth[] {
    return this.units.map((u) => {
      const h: ComponentHealth = { role: u.role, name: u.name, state: u.state, restarts: u.restarts };
      if (u.lastError) h.lastError = u.lastError;
      return h;
    });
  }

  /** Each source, channel and sink: running, failing (restarting, or its last call threw) or stopped. */
  status(): ComponentStatus[] {
    return this.board.status(this.config, this.health());
  }

  endpoints(): Endpoint[] {
    const out: Endpoint[] = [];
    for (const s of this.config.sources) {
      const src = this.sources.get(s.name);
      out.push({ role: 'source', name: s.name, kind: s.kind, endpoints: src?.endpoints?.() ?? [] });
    }
    for (const k of this.config.sinks) {
      const sink = this.sinks.get(k.name);
      out.push({ role: 'sink', name: k.name, kind: k.kind, endpoints: sink?.endpoints?.() ?? [] });
    }
    return out;
  }
}

export type { ComponentConfig };

// What a component module provides and what it is given. A component is one file,
// `runtime/<channels|sources|sinks|interceptors>/<kind>.ts`, whose default export is a factory
// taking its runtime configuration (params already typed, defaults already filled from the
// catalog) and a context.
import type { Channel, Lifecycle } from './channel.js';
import type { ChannelProcessor } from './channel-processor.js';
import type { ComponentConfig, SinkConfig, SourceConfig } from './config.js';
import type { Interceptor } from './interceptor.js';
import type { Logger } from './log.js';
import type { MetricsRegistry } from './metrics.js';

export type Status = 'READY' | 'BACKOFF';

export interface ComponentContext {
  readonly agent: string;
  readonly name: string;
  readonly log: Logger;
  readonly metrics: MetricsRegistry;
  /**
   * Reports a failure after a successful start (a server socket error, a crashed reader): the
   * supervisor logs it, stops the component and starts it again with backoff.
   */
  fail(error: unknown): void;
}

export interface SourceContext extends ComponentContext {
  readonly processor: ChannelProcessor;
}

export interface SinkContext extends ComponentContext {
  readonly channel: Channel;
}

/** A source that produces events on its own (servers, child processes, timers). */
export interface EventDrivenSource extends Lifecycle {
  readonly driver: 'event';
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** What to show in the start-up banner: `tcp://127.0.0.1:44444`. */
  endpoints?(): string[];
}

/** A source the runner polls: `process` reads one batch and hands it to the processor. */
export interface PollableSource extends Lifecycle {
  readonly driver: 'poll';
  process(): Promise<Status>;
  readonly backoffSleepIncrement: number;
  readonly maxBackoffSleep: number;
  endpoints?(): string[];
}

export type Source = EventDrivenSource | PollableSource;

/** A sink: `process` takes one batch from its channel in one transaction and delivers it. */
export interface Sink extends Lifecycle {
  process(): Promise<Status>;
  endpoints?(): string[];
}

export type ChannelFactory = (config: ComponentConfig, ctx: ComponentContext) => Channel;
export type SourceFactory = (config: SourceConfig, ctx: SourceContext) => Source;
export type SinkFactory = (config: SinkConfig, ctx: SinkContext) => Sink;
export type InterceptorFactory = (config: ComponentConfig, ctx: ComponentContext) => Interceptor;

export type ComponentDir = 'channels' | 'sources' | 'sinks' | 'interceptors';

export interface FactoryTypes {
  channels: ChannelFactory;
  sources: SourceFactory;
  sinks: SinkFactory;
  interceptors: InterceptorFactory;
}

/** Finds the factory of a kind: by dynamic import for `flowc run`, from static imports in a bundle. */
export interface ComponentRegistry {
  load<D extends ComponentDir>(dir: D, kind: string): Promise<FactoryTypes[D] | undefined>;
}

/** A registry over factories imported statically (what a generated bundle uses). */
export function staticRegistry(factories: { [D in ComponentDir]?: Record<string, FactoryTypes[D]> }): ComponentRegistry {
  return {
    async load(dir, kind) {
      return factories[dir]?.[kind] as never;
    },
  };
}

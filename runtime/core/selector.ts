// Flume's channel selectors: which channels of a source receive an event. Required channels
// must take it (a failure fails the batch); optional ones get it best-effort.
import type { Channel } from './channel.js';
import type { SelectorConfig } from './config.js';
import { ConfigError, paramList, paramString, paramsUnder } from './config.js';
import type { Event } from './event.js';

export interface ChannelSelector {
  readonly channels: readonly Channel[];
  /** True when every event gets the same channels (replicating): the processor skips grouping. */
  readonly uniform: boolean;
  getRequiredChannels(event: Event): readonly Channel[];
  getOptionalChannels(event: Event): readonly Channel[];
}

const none: readonly Channel[] = [];

export class ReplicatingSelector implements ChannelSelector {
  readonly uniform = true;
  private readonly required: Channel[];
  private readonly optional: Channel[];

  constructor(
    readonly channels: readonly Channel[],
    optionalNames: readonly string[] = [],
  ) {
    const opt = new Set(optionalNames);
    this.required = channels.filter((c) => !opt.has(c.name));
    this.optional = channels.filter((c) => opt.has(c.name));
  }

  getRequiredChannels(): readonly Channel[] {
    return this.required;
  }
  getOptionalChannels(): readonly Channel[] {
    return this.optional;
  }
}

export class MultiplexingSelector implements ChannelSelector {
  readonly uniform = false;

  constructor(
    readonly channels: readonly Channel[],
    private readonly header: string,
    private readonly mapping: Map<string, readonly Channel[]>,
    private readonly optional: Map<string, readonly Channel[]>,
    private readonly defaults: readonly Channel[],
  ) {}

  getRequiredChannels(event: Event): readonly Channel[] {
    const v = event.headers[this.header];
    if (v === undefined || v.trim().length === 0) return this.defaults;
    return this.mapping.get(v) ?? this.defaults;
  }

  getOptionalChannels(event: Event): readonly Channel[] {
    const v = event.headers[this.header];
    if (v === undefined) return none;
    return this.optional.get(v) ?? none;
  }
}

export class LoadBalancingSelector implements ChannelSelector {
  readonly uniform = false;
  private next = 0;
  private readonly one: Channel[][];

  constructor(
    readonly channels: readonly Channel[],
    private readonly random: boolean,
  ) {
    this.one = channels.map((c) => [c]);
  }

  getRequiredChannels(): readonly Channel[] {
    if (this.one.length === 0) return none;
    const i = this.random ? Math.floor(Math.random() * this.one.length) : this.next++ % this.one.length;
    return this.one[i]!;
  }
  getOptionalChannels(): readonly Channel[] {
    return none;
  }
}

/** Builds the selector of a source from its runtime configuration. */
export function createSelector(config: SelectorConfig, channels: readonly Channel[], source: string): ChannelSelector {
  const byName = new Map(channels.map((c) => [c.name, c]));
  const pick = (names: readonly string[] | undefined, key: string): Channel[] =>
    (names ?? []).map((n) => {
      const c = byName.get(n);
      if (!c) throw new ConfigError(`selector of source \`${source}\`: \`${key}\` names \`${n}\`, which is not one of its channels`);
      return c;
    });
  switch (config.kind) {
    case 'replicating':
      return new ReplicatingSelector(channels, pick(paramList(config.params, 'optional'), 'optional').map((c) => c.name));
    case 'multiplexing': {
      const mapping = new Map<string, readonly Channel[]>();
      for (const [value] of paramsUnder(config.params, 'mapping.')) {
        mapping.set(value, pick(paramList(config.params, `mapping.${value}`), `mapping.${value}`));
      }
      const optional = new Map<string, readonly Channel[]>();
      for (const [value] of paramsUnder(config.params, 'optional.')) {
        const required = new Set(mapping.get(value) ?? []);
        optional.set(value, pick(paramList(config.params, `optional.${value}`), `optional.${value}`).filter((c) => !required.has(c)));
      }
      const header = paramString(config.params, 'header') ?? 'flume.selector.header';
      return new MultiplexingSelector(channels, header, mapping, optional, pick(paramList(config.params, 'default'), 'default'));
    }
    case 'load_balancing':
      return new LoadBalancingSelector(channels, (paramString(config.params, 'policy') ?? '').toLowerCase() === 'random');
    default:
      throw new ConfigError(`source \`${source}\`: the runtime has no channel selector \`${config.kind}\``);
  }
}

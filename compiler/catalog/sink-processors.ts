// Flume 1.11 sink processors. Their properties are relative to `processor.` of the sink
// group (`processor.maxpenalty` is `maxpenalty` here); `sinks` and `processor.type` are
// .flow syntax.
import type { ComponentSpec } from './types.js';

export const sinkProcessors: readonly ComponentSpec[] = [
  {
    category: 'sinkProcessor',
    kind: 'default',
    aliases: ['default'],
    flumeAlias: 'default',
    className: 'org.apache.flume.sink.DefaultSinkProcessor',
    doc: 'Runs a single sink; what every sink outside a group gets.',
    properties: [],
  },
  {
    category: 'sinkProcessor',
    kind: 'failover',
    aliases: ['failover'],
    flumeAlias: 'failover',
    className: 'org.apache.flume.sink.FailoverSinkProcessor',
    doc: 'Sends through the live sink with the highest priority and switches when it fails.',
    properties: [
      {
        name: 'priority.<sink>',
        type: 'int',
        doc: 'Priority of that sink, higher first; unlisted sinks get -1, -2 and so on; two sinks may not share one.',
      },
      {
        name: 'maxpenalty',
        type: 'int',
        unit: 'milliseconds',
        default: 30000,
        min: 0,
        doc: 'Longest time a failed sink is left out before it is tried again.',
      },
    ],
  },
  {
    category: 'sinkProcessor',
    kind: 'load_balance',
    aliases: ['load_balance'],
    flumeAlias: 'load_balance',
    className: 'org.apache.flume.sink.LoadBalancingSinkProcessor',
    doc: 'Spreads batches over several sinks, moving on to the next sink when one fails.',
    properties: [
      {
        name: 'backoff',
        type: 'boolean',
        default: false,
        doc: 'Leave a failed sink out for a growing time before trying it again.',
      },
      {
        name: 'selector',
        type: 'enum',
        values: ['round_robin', 'random'],
        allowsClassName: true,
        default: 'round_robin',
        doc: 'How the next sink is chosen: in turn, at random, or by a sink selector class.',
      },
      {
        name: 'selector.maxTimeOut',
        type: 'long',
        unit: 'milliseconds',
        default: 30000,
        min: 0,
        doc: 'Longest time a failed sink is left out when backoff is on.',
      },
      { name: 'selector.*', type: 'string', doc: 'Options handed to a custom sink selector.' },
    ],
  },
];

// Flume 1.11 channel selectors. Their properties are relative to `selector.` of the source
// (`selector.header` is `header` here); `selector.type` itself is .flow syntax.
import type { ComponentSpec } from './types.js';

export const selectors: readonly ComponentSpec[] = [
  {
    category: 'selector',
    kind: 'replicating',
    aliases: ['replicating'],
    flumeAlias: 'replicating',
    className: 'org.apache.flume.channel.ReplicatingChannelSelector',
    doc: 'Sends every event to all channels of the source; the default selector.',
    properties: [
      {
        name: 'optional',
        type: 'list',
        listSeparator: 'space',
        doc: 'Channels whose write failures are ignored instead of failing the batch.',
      },
    ],
  },
  {
    category: 'selector',
    kind: 'multiplexing',
    aliases: ['multiplexing'],
    flumeAlias: 'multiplexing',
    className: 'org.apache.flume.channel.MultiplexingChannelSelector',
    doc: 'Chooses the channels of each event from the value of one header.',
    properties: [
      {
        name: 'header',
        type: 'string',
        default: 'flume.selector.header',
        doc: 'Header whose value picks the channels.',
      },
      {
        name: 'mapping.<value>',
        type: 'list',
        listSeparator: 'space',
        doc: 'Channels that must receive events whose header has this value.',
      },
      {
        name: 'optional.<value>',
        type: 'list',
        listSeparator: 'space',
        doc: 'Extra channels for this header value whose write failures are ignored.',
      },
      {
        name: 'default',
        type: 'list',
        listSeparator: 'space',
        doc: 'Channels for events whose header is missing or has no mapping.',
      },
    ],
  },
  {
    category: 'selector',
    kind: 'load_balancing',
    aliases: ['load_balancing'],
    flumeAlias: 'load_balancing',
    className: 'org.apache.flume.channel.LoadBalancingChannelSelector',
    doc: 'Sends each event to exactly one of the source channels, spreading the load.',
    properties: [
      {
        name: 'policy',
        type: 'enum',
        values: ['round_robin', 'random'],
        default: 'round_robin',
        doc: 'How the next channel is chosen: in turn or at random.',
      },
    ],
  },
];

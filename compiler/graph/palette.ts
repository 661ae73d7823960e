// One colour per kind of thing, shared by the dot, mermaid and svg renderers so that a file
// channel is the same amber everywhere. Memory and file channels differ in colour as well as
// in shape: whether events survive a crash is the first question asked of a flow.
import type { ChannelStorage, GraphNode } from './model.js';

export interface Colours {
  fill: string;
  stroke: string;
}

const role = {
  source: { fill: '#e8f5e9', stroke: '#2e7d32' },
  selector: { fill: '#ede7f6', stroke: '#5e35b1' },
  sink: { fill: '#fce4ec', stroke: '#ad1457' },
  group: { fill: '#fff7fa', stroke: '#ad1457' },
  filter: { fill: '#f5f5f5', stroke: '#616161' },
} as const;

const storage: Record<ChannelStorage, Colours> = {
  memory: { fill: '#e3f2fd', stroke: '#1565c0' },
  file: { fill: '#fff3e0', stroke: '#e65100' },
  spillable: { fill: '#fffde7', stroke: '#f57f17' },
  kafka: { fill: '#eceff1', stroke: '#455a64' },
  jdbc: { fill: '#eceff1', stroke: '#455a64' },
  custom: { fill: '#eceff1', stroke: '#455a64' },
};

export const agentColours: Colours = { fill: '#f7f9fb', stroke: '#90a4ae' };
export const textColour = '#1f2933';
export const mutedText = '#52606d';
export const edgeColour = '#607d8b';
export const linkColour = '#0d47a1';

export function coloursOf(node: GraphNode): Colours {
  return node.role === 'channel' ? storage[node.storage] : role[node.role];
}

/** A class name per look, used by the svg/html styles and mermaid's classDef. */
export function styleClass(node: GraphNode): string {
  return node.role === 'channel' ? `channel-${node.storage}` : node.role;
}

export function allStyleClasses(): { name: string; colours: Colours }[] {
  return [
    ...(['source', 'selector', 'sink', 'group', 'filter'] as const).map((r) => ({ name: r, colours: role[r] })),
    ...(Object.keys(storage) as ChannelStorage[]).map((s) => ({ name: `channel-${s}`, colours: storage[s] })),
  ];
}

/** Channels that keep events on disk (or in Kafka, or a database) are drawn as cylinders. */
export function isDurable(storage: ChannelStorage): boolean {
  return storage === 'file' || storage === 'spillable' || storage === 'kafka' || storage === 'jdbc';
}

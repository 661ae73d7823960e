// The graph model itself, for tools: what the other renderers draw, as data.
import type { FlowGraph } from './model.js';

export function renderJson(graph: FlowGraph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}

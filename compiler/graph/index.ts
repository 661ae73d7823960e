// The graph's entry points: build the model, render it in one of the formats.
import type { FlowGraph } from './model.js';
import { renderDot } from './render-dot.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMermaid } from './render-mermaid.js';
import { renderSvg } from './render-svg.js';

export { buildGraph } from './model.js';
export type { FlowGraph, GraphAgent, GraphEdge, GraphNode } from './model.js';
export { selectAgent } from './select.js';

export const graphFormats = ['svg', 'html', 'dot', 'mermaid', 'json'] as const;
export type GraphFormat = (typeof graphFormats)[number];

export function renderGraph(graph: FlowGraph, format: GraphFormat): Promise<string> {
  switch (format) {
    case 'svg':
      return renderSvg(graph);
    case 'html':
      return renderHtml(graph);
    case 'dot':
      return Promise.resolve(renderDot(graph));
    case 'mermaid':
      return Promise.resolve(renderMermaid(graph));
    case 'json':
      return Promise.resolve(renderJson(graph));
  }
}

/** The format a file name asks for (`app.svg`, `app.mmd`), if any. */
export function formatForPath(path: string): GraphFormat | undefined {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const byExt: Record<string, GraphFormat> = { svg: 'svg', html: 'html', htm: 'html', dot: 'dot', gv: 'dot', mmd: 'mermaid', mermaid: 'mermaid', json: 'json' };
  return path.includes('.') ? byExt[ext] : undefined;
}

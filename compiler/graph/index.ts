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

export const graphFormats = ['svg', 'png', 'html', 'dot', 'mermaid', 'json'] as const;
export type GraphFormat = (typeof graphFormats)[number];
/** The formats that are text (everything but png). */
export type TextGraphFormat = Exclude<GraphFormat, 'png'>;

export { PngUnavailable } from './render-png.js';

export function renderGraph(graph: FlowGraph, format: TextGraphFormat): Promise<string>;
export function renderGraph(graph: FlowGraph, format: 'png'): Promise<Buffer>;
export function renderGraph(graph: FlowGraph, format: GraphFormat): Promise<string | Buffer>;
export async function renderGraph(graph: FlowGraph, format: GraphFormat): Promise<string | Buffer> {
  switch (format) {
    case 'svg':
      return renderSvg(graph);
    case 'png':
      return (await import('./render-png.js')).renderPng(graph);
    case 'html':
      return renderHtml(graph);
    case 'dot':
      return renderDot(graph);
    case 'mermaid':
      return renderMermaid(graph);
    case 'json':
      return renderJson(graph);
  }
}

const formatByExtension: Record<string, GraphFormat> = {
  svg: 'svg',
  png: 'png',
  html: 'html',
  htm: 'html',
  dot: 'dot',
  gv: 'dot',
  mmd: 'mermaid',
  mermaid: 'mermaid',
  json: 'json',
};

/** The extensions `-o` understands, for messages: `.svg`, `.png`, ... */
export const graphExtensions = Object.keys(formatByExtension).map((e) => `.${e}`);

/**
 * The format a file name asks for: `app.svg` gives svg, `app` none (the caller's default), and
 * an extension that is no format (`app.jpg`) gives `unknown`.
 */
export function formatForPath(path: string): GraphFormat | 'unknown' | undefined {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return formatByExtension[name.slice(dot + 1).toLowerCase()] ?? 'unknown';
}

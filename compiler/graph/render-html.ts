// One self-contained html file: the svg inline, the model as JSON for the hover panel, and
// a small viewer script. Nothing is loaded from anywhere else, and the page's content
// security policy forbids it, so the file can be opened offline or attached to a ticket.
import { viewerCss, viewerScript } from './html-viewer.js';
import type { FlowGraph } from './model.js';
import { renderSvg } from './render-svg.js';

/** What a page built on this one adds (the live view of `flowc run --ui`). */
export interface HtmlExtras {
  title?: string;
  css?: string;
  /** Runs after the viewer script. */
  script?: string;
  /** Lets the page fetch from its own origin (server-sent events); nothing else is allowed. */
  connectSelf?: boolean;
}

export async function renderHtml(graph: FlowGraph, extras: HtmlExtras = {}): Promise<string> {
  const svg = await renderSvg(graph);
  const title = extras.title ?? `flowc graph: ${graph.agents.map((a) => a.name).join(', ')}`;
  const connect = extras.connectSelf ? " connect-src 'self';" : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none';${connect} style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${viewerCss}${extras.css ?? ''}</style>`,
    '</head>',
    '<body>',
    `<div id="stage">\n${svg.trimEnd()}\n</div>`,
    '<aside id="panel" hidden></aside>',
    '<div id="bar"><button id="fit" type="button">fit</button><span>wheel: zoom · drag: pan · hover: details · click: pin</span></div>',
    `<script type="application/json" id="flowc-graph">${scriptJson(graph)}</script>`,
    `<script>${viewerScript}</script>`,
    ...(extras.script ? [`<script>${extras.script}</script>`] : []),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** JSON that cannot end its `<script>` element early, whatever the names and values say. */
function scriptJson(graph: FlowGraph): string {
  return JSON.stringify(graph).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

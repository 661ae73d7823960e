// A standalone svg of the graph, laid out by `layout.ts`. Byte-for-byte deterministic: no
// generated ids, numbers rounded to one decimal, elements in model order. Each node carries
// `data-id` (the model id) and a `<title>` with its kind and properties (secrets masked),
// which browsers show on hover and the html viewer uses for its panel.
import { propertiesText } from './labels.js';
import { layoutGraph, type Box, type Layout, type PlacedCluster, type PlacedEdge, type PlacedNode, type Point } from './layout.js';
import { metrics, textWidth } from './measure.js';
import type { FlowGraph, GraphNode } from './model.js';
import { agentColours, allStyleClasses, edgeColour, isDurable, linkColour, mutedText, styleClass, textColour } from './palette.js';

const LEGEND_HEIGHT = 34;

export async function renderSvg(graph: FlowGraph): Promise<string> {
  return svgOf(graph, await layoutGraph(graph));
}

function svgOf(graph: FlowGraph, layout: Layout): string {
  const legend = legendItems(graph);
  const legendWidth = legend.reduce((w, item) => w + item.width, 0) + 40;
  const width = Math.ceil(Math.max(layout.width, legendWidth));
  const height = Math.ceil(layout.height + LEGEND_HEIGHT);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${attr(metrics.font)}" role="img" aria-label="${attr(ariaLabel(graph))}">`,
    `<title>${text(ariaLabel(graph))}</title>`,
    defs(),
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    '<g class="clusters">',
    ...layout.clusters.map(cluster),
    '</g>',
    '<g class="edges">',
    ...layout.edges.map(edge),
    '</g>',
    '<g class="nodes">',
    ...layout.nodes.map(node),
    '</g>',
    '<g class="edge-labels">',
    ...layout.edges.filter((e) => e.label).map(edgeLabel),
    '</g>',
    legendGroup(legend, layout.height),
    '</svg>',
    '',
  ];
  return out.join('\n');
}

function ariaLabel(graph: FlowGraph): string {
  const agents = graph.agents.map((a) => a.name).join(', ');
  return `Flume flow: ${graph.agents.length === 1 ? 'agent' : 'agents'} ${agents}`;
}

function defs(): string {
  const css = [
    `text { fill: ${textColour}; }`,
    `.muted { fill: ${mutedText}; }`,
    '.title { font-weight: 700; }',
    `.step { fill: ${textColour}; }`,
    '.rule { fill: none; stroke: #2e7d32; stroke-opacity: 0.35; stroke-width: 1; }',
    `.edge path { fill: none; stroke: ${edgeColour}; stroke-width: 1.4; }`,
    '.edge.optional path { stroke-dasharray: 5 4; }',
    `.edge.links path { stroke: ${linkColour}; stroke-width: 2.2; }`,
    `.edge-label text { fill: ${mutedText}; }`,
    `.edge-label.links text { fill: ${linkColour}; font-weight: 700; }`,
    `.cluster.agent > rect { fill: ${agentColours.fill}; stroke: ${agentColours.stroke}; stroke-width: 1.2; }`,
    '.cluster.group > rect { stroke-dasharray: 6 4; stroke-width: 1.2; }',
    '.node > .shape { stroke-width: 1.5; }',
    ...allStyleClasses().map(({ name, colours }) => `.${name} > .shape, .cluster.${name} > rect { fill: ${colours.fill}; stroke: ${colours.stroke}; }`),
  ];
  // Sized in stroke widths, so the thicker link edges get a smaller factor for the same arrow.
  const marker = (id: string, colour: string, size: number) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="${size}" markerHeight="${size}" markerUnits="strokeWidth" orient="auto"><path d="M0,1 L9,5 L0,9 z" fill="${colour}"/></marker>`;
  return [
    '<defs>',
    `<style>\n${css.join('\n')}\n</style>`,
    marker('flowc-arrow', edgeColour, 7),
    marker('flowc-arrow-link', linkColour, 5),
    '</defs>',
  ].join('\n');
}

function cluster(c: PlacedCluster): string {
  const { x, y, width, height } = c.box;
  const isAgent = c.agent !== undefined;
  const cls = isAgent ? 'cluster agent' : 'cluster group';
  const id = isAgent ? ` data-agent="${attr(c.agent!.id)}"` : ` data-id="${attr(c.group!.id)}"`;
  const pad = isAgent ? metrics.agentPad.side : metrics.groupPad.side;
  const titleSize = isAgent ? metrics.agentTitle.size : metrics.title.size;
  const lines = [
    `<g class="${cls}"${id}>`,
    ...(c.group ? [`<title>${text(propertiesText(c.group))}</title>`] : []),
    `<rect x="${n(x)}" y="${n(y)}" width="${n(width)}" height="${n(height)}" rx="${isAgent ? 10 : 8}"/>`,
    `<text class="title" x="${n(x + pad)}" y="${n(y + (isAgent ? 24 : 20))}" font-size="${titleSize}">${text(c.title)}</text>`,
  ];
  if (c.subtitle !== undefined) {
    lines.push(`<text class="muted" x="${n(x + pad)}" y="${n(y + (isAgent ? 40 : 35))}" font-size="${metrics.text.size}">${text(c.subtitle)}</text>`);
  }
  lines.push('</g>');
  return lines.join('\n');
}

function node(p: PlacedNode): string {
  const { node: gn, box, text: t } = p;
  const top = box.y + metrics.padY + (gn.role === 'channel' && isDurable(gn.storage) ? metrics.cylinder : 0);
  const cx = box.x + box.width / 2;
  const lines: string[] = [];
  let y = top;
  lines.push(textLine(cx, y, metrics.title, t.title, 'title'));
  y += metrics.title.line;
  lines.push(textLine(cx, y, metrics.text, t.subtitle, 'muted'));
  y += metrics.text.line;
  for (const d of t.details) {
    lines.push(textLine(cx, y, metrics.text, d));
    y += metrics.text.line;
  }
  if (t.steps.length > 0) {
    // The interceptor chain reads as a list, left-aligned under a rule, like the pipe in the file.
    const ruleY = y + metrics.stepsGap / 2;
    lines.push(`<path class="rule" d="M${n(box.x + 8)},${n(ruleY)} H${n(box.x + box.width - 8)}"/>`);
    y += metrics.stepsGap;
    for (const step of t.steps) {
      lines.push(textLine(box.x + metrics.padX + 4, y, metrics.text, step, 'step', 'start'));
      y += metrics.text.line;
    }
  }
  return [
    `<g class="node ${styleClass(gn)}" data-id="${attr(gn.id)}" data-role="${gn.role}">`,
    `<title>${text(propertiesText(gn))}</title>`,
    shape(gn, box),
    ...lines,
    '</g>',
  ].join('\n');
}

function textLine(x: number, lineTop: number, m: { size: number; line: number }, content: string, cls?: string, anchor = 'middle'): string {
  // Centred vertically in its line box: the baseline sits about a third of the size below the middle.
  const baseline = lineTop + m.line / 2 + m.size * 0.35;
  return `<text${cls ? ` class="${cls}"` : ''} x="${n(x)}" y="${n(baseline)}" font-size="${m.size}" text-anchor="${anchor}">${text(content)}</text>`;
}

function shape(gn: GraphNode, b: Box): string {
  const { x, y, width: w, height: h } = b;
  switch (gn.role) {
    case 'source':
      return `<rect class="shape" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="14"/>`;
    case 'selector': {
      // Chamfered rather than pointed: edges leave from the flat sides, where their ports are.
      const d = metrics.chamfer;
      const pts: Point[] = [
        { x: x + d, y },
        { x: x + w - d, y },
        { x: x + w, y: y + d },
        { x: x + w, y: y + h - d },
        { x: x + w - d, y: y + h },
        { x: x + d, y: y + h },
        { x, y: y + h - d },
        { x, y: y + d },
      ];
      return `<polygon class="shape" points="${pts.map((p) => `${n(p.x)},${n(p.y)}`).join(' ')}"/>`;
    }
    case 'channel': {
      if (!isDurable(gn.storage)) return `<rect class="shape" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="6"/>`;
      const e = metrics.cylinder;
      const rx = w / 2;
      const body = `M${n(x)},${n(y + e)} A${n(rx)},${n(e)} 0 0 1 ${n(x + w)},${n(y + e)} V${n(y + h - e)} A${n(rx)},${n(e)} 0 0 1 ${n(x)},${n(y + h - e)} Z`;
      const rim = `M${n(x)},${n(y + e)} A${n(rx)},${n(e)} 0 0 0 ${n(x + w)},${n(y + e)}`;
      return `<path class="shape" d="${body}"/>\n<path class="shape" d="${rim}" fill="none"/>`;
    }
    case 'filter': {
      const f = 10;
      return `<path class="shape" d="M${n(x)},${n(y)} H${n(x + w - f)} L${n(x + w)},${n(y + f)} V${n(y + h)} H${n(x)} Z"/>`;
    }
    default:
      return `<rect class="shape" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="3"/>`;
  }
}

function edge(p: PlacedEdge): string {
  const e = p.edge;
  const cls = ['edge', e.kind, ...(e.optional ? ['optional'] : [])].join(' ');
  const marker = e.kind === 'links' ? 'flowc-arrow-link' : 'flowc-arrow';
  return `<g class="${cls}" data-id="${attr(e.id)}"><path d="${roundedPath(p.points)}" marker-end="url(#${marker})"/></g>`;
}

/** Orthogonal routes with softened corners: easier to follow than sharp elbows. */
function roundedPath(points: Point[]): string {
  const radius = 6;
  const parts = [`M${n(points[0]!.x)},${n(points[0]!.y)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!;
    const at = points[i]!;
    const next = points[i + 1]!;
    const r = Math.min(radius, dist(prev, at) / 2, dist(at, next) / 2);
    const a = toward(at, prev, r);
    const b = toward(at, next, r);
    parts.push(`L${n(a.x)},${n(a.y)}`, `Q${n(at.x)},${n(at.y)} ${n(b.x)},${n(b.y)}`);
  }
  const last = points[points.length - 1]!;
  parts.push(`L${n(last.x)},${n(last.y)}`);
  return parts.join(' ');
}

function dist(a: Point, b: Point): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

function toward(from: Point, to: Point, r: number): Point {
  const d = dist(from, to);
  return d === 0 ? from : { x: from.x + ((to.x - from.x) / d) * r, y: from.y + ((to.y - from.y) / d) * r };
}

function edgeLabel(p: PlacedEdge): string {
  const { box, lines } = p.label!;
  const m = metrics.label;
  const cx = box.x + box.width / 2;
  return [
    `<g class="edge-label ${p.edge.kind}" data-id="${attr(p.edge.id)}">`,
    `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.width)}" height="${n(box.height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
    ...lines.map((l, i) => `<text x="${n(cx)}" y="${n(box.y + 2 + i * m.line + m.line / 2 + m.size * 0.35)}" font-size="${m.size}" text-anchor="middle">${text(l)}</text>`),
    '</g>',
  ].join('\n');
}

interface LegendItem {
  cls: string;
  label: string;
  width: number;
  draw: (x: number, y: number) => string;
}

/** A key to the shapes and colours, listing only the kinds that appear in this graph. */
function legendItems(graph: FlowGraph): LegendItem[] {
  const present = new Set(graph.nodes.map(styleClass));
  const items: LegendItem[] = [];
  const box = (cls: string, label: string, rx: number) =>
    items.push({ cls, label, width: legendWidth(label), draw: (x, y) => `<rect class="shape" x="${n(x)}" y="${n(y)}" width="16" height="12" rx="${rx}"/>` });
  if (present.has('source')) box('source', 'source', 5);
  if (present.has('selector')) {
    items.push({ cls: 'selector', label: 'selector', width: legendWidth('selector'), draw: (x, y) => `<polygon class="shape" points="${n(x + 4)},${n(y)} ${n(x + 12)},${n(y)} ${n(x + 16)},${n(y + 4)} ${n(x + 16)},${n(y + 8)} ${n(x + 12)},${n(y + 12)} ${n(x + 4)},${n(y + 12)} ${n(x)},${n(y + 8)} ${n(x)},${n(y + 4)}"/>` });
  }
  if (present.has('channel-memory')) box('channel-memory', 'memory channel', 3);
  for (const s of ['file', 'spillable', 'kafka', 'jdbc'] as const) {
    if (!present.has(`channel-${s}`)) continue;
    const label = s === 'file' ? 'file channel' : s === 'spillable' ? 'spillable channel' : `${s} channel`;
    items.push({
      cls: `channel-${s}`,
      label,
      width: legendWidth(label),
      draw: (x, y) => `<path class="shape" d="M${n(x)},${n(y + 3)} A8,3 0 0 1 ${n(x + 16)},${n(y + 3)} V${n(y + 11)} A8,3 0 0 1 ${n(x)},${n(y + 11)} Z"/>`,
    });
  }
  if (present.has('channel-custom')) box('channel-custom', 'custom channel', 1);
  if (present.has('sink')) box('sink', 'sink', 1);
  if (present.has('group')) box('group', 'sink group', 3);
  if (present.has('filter')) box('filter', 'config filter', 1);
  if (graph.edges.some((e) => e.kind === 'links')) {
    items.push({ cls: 'links', label: 'link between agents', width: legendWidth('link between agents') + 8, draw: (x, y) => `<path d="M${n(x)},${n(y + 6)} H${n(x + 22)}" stroke="${linkColour}" stroke-width="2.2" marker-end="url(#flowc-arrow-link)"/>` });
  }
  return items;
}

function legendWidth(label: string): number {
  return Math.ceil(textWidth(label, 11)) + 38;
}

function legendGroup(items: LegendItem[], top: number): string {
  const out = ['<g class="legend">'];
  let x = 20;
  const y = top + 4;
  for (const item of items) {
    out.push(`<g class="${item.cls === 'links' ? 'legend-link' : `legend-item ${item.cls}`}">${item.draw(x, y)}<text class="muted" x="${n(x + (item.cls === 'links' ? 30 : 22))}" y="${n(y + 10)}" font-size="11">${text(item.label)}</text></g>`);
    x += item.width;
  }
  out.push('</g>');
  return out.join('\n');
}

/** Fixed formatting: one decimal at most, no `-0`, so that output is the same everywhere. */
function n(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;');
}

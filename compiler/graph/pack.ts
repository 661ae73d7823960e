// Packs laid-out blocks of agents into rows, left to right and top to bottom in model order,
// aiming at a landscape sheet (a screen, a page) rather than one very tall column.
import type { Box, Layout, Point } from './layout.js';

/** Width over height that the rows aim for. */
const ASPECT = 1.6;

export function packParts(parts: Layout[], margin: number, gap: number): Layout {
  const area = parts.reduce((sum, p) => sum + (p.width + gap) * (p.height + gap), 0);
  const widest = Math.max(0, ...parts.map((p) => p.width));
  const rowWidth = Math.max(widest, Math.sqrt(area * ASPECT));
  const out: Layout = { width: 0, height: 0, clusters: [], nodes: [], edges: [] };
  let x = margin;
  let y = margin;
  let rowHeight = 0;
  for (const part of parts) {
    if (x > margin && x + part.width > margin + rowWidth) {
      x = margin;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    const dx = x;
    const dy = y;
    const box = (b: Box): Box => ({ ...b, x: b.x + dx, y: b.y + dy });
    const point = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
    out.clusters.push(...part.clusters.map((c) => ({ ...c, box: box(c.box) })));
    out.nodes.push(...part.nodes.map((n) => ({ ...n, box: box(n.box) })));
    out.edges.push(...part.edges.map((e) => (e.label ? { ...e, points: e.points.map(point), label: { ...e.label, box: box(e.label.box) } } : { ...e, points: e.points.map(point) })));
    out.width = Math.max(out.width, x + part.width + margin);
    out.height = Math.max(out.height, y + part.height + margin);
    x += part.width + gap;
    rowHeight = Math.max(rowHeight, part.height);
  }
  return out;
}

// The sizes of the picture, shared by the layout (which makes room) and the svg renderer
// (which draws there). Text is measured without a browser, since the svg is laid out in
// Node: with Helvetica's advance widths (Arial and Liberation Sans have the same), widened
// by a margin so that wider fallback fonts (DejaVu Sans) still fit their boxes.

/** Advance widths of ASCII 32..126 in thousandths of an em (Adobe's Helvetica metrics). */
const REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
  278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
  611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
  556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
  333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667,
  611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,
  611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
/** Anything beyond ASCII (arrows, accented letters, CJK is rare in names): a generous guess. */
const OTHER = 900;
const FALLBACK_MARGIN = 1.08;

export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? table[code - 32]! : OTHER;
  }
  return (units / 1000) * size * FALLBACK_MARGIN;
}

/** Sizes shared with the renderer, which draws text where the layout made room for it. */
export const metrics = {
  font: 'Helvetica, Arial, "Liberation Sans", sans-serif',
  title: { size: 13, line: 17 },
  text: { size: 11, line: 15 },
  label: { size: 10.5, line: 14 },
  agentTitle: { size: 14, line: 18 },
  padX: 12,
  padY: 9,
  /** Room for the top and bottom ellipses of a cylinder. */
  cylinder: 7,
  /** Space above a source's interceptor steps, with a rule across the node. */
  stepsGap: 8,
  /** The cut corners of a selector. */
  chamfer: 9,
  minWidth: 96,
  agentPad: { top: 58, side: 18 },
  groupPad: { top: 48, side: 12 },
  /** Around the whole picture, and between blocks of agents. */
  margin: 20,
  gap: 36,
} as const;

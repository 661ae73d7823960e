// A PNG of the graph: the svg drawing rasterised by resvg (a Rust renderer with prebuilt
// binaries, no browser). Loaded only when a PNG is asked for. Drawn at twice the svg's size,
// so that it stays sharp on high-density screens and in documents.
import type { FlowGraph } from './model.js';
import { renderSvg } from './render-svg.js';

const SCALE = 2;

/** Thrown when the PNG cannot be drawn on this machine: a problem for the user, not a bug. */
export class PngUnavailable extends Error {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

export async function renderPng(graph: FlowGraph): Promise<Buffer> {
  const svg = await renderSvg(graph);
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (e) {
    throw new PngUnavailable(
      `cannot draw a PNG: the renderer \`@resvg/resvg-js\` has no build for this platform (${process.platform}-${process.arch}): ${(e as Error).message}`,
      'draw an svg instead (`-o graph.svg`) and convert it with any svg tool',
    );
  }
  const options = { font: { loadSystemFonts: true }, fitTo: { mode: 'zoom' as const, value: SCALE } };
  // Without a font, resvg leaves text out: a picture without its labels is no picture.
  const probe = new resvg.Resvg('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><text x="2" y="15" font-size="12">A</text></svg>', options);
  if (probe.getBBox() === undefined) {
    throw new PngUnavailable(
      'cannot draw a PNG: no font is installed to write its labels with',
      'install a font (Debian, Ubuntu: `apt-get install fonts-dejavu-core`), or draw an svg (`-o graph.svg`), which the viewer draws with its own fonts',
    );
  }
  return new resvg.Resvg(svg, options).render().asPng();
}

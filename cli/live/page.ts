// The live page: the html viewer of `flowc graph --format html` (same svg, same panel), plus
// the live style and script, allowed by its content security policy to open `/events` on its
// own origin and nothing else.
import type { FlowGraph } from '../../compiler/graph/model.js';
import { renderHtml } from '../../compiler/graph/render-html.js';
import { liveCss, liveScript } from './page-script.js';

export function livePage(graph: FlowGraph, intervalMs: number): Promise<string> {
  return renderHtml(graph, {
    title: `flowc run: ${graph.agents.map((a) => a.name).join(', ')}`,
    css: liveCss,
    script: liveScript(intervalMs),
    connectSelf: true,
  });
}

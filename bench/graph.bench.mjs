// Graph benchmark: `flowc graph --format svg` of a generated 100-agent flow (100 agents x 10
// components: netcat sources with a two-step interceptor pipe, memory channels, hdfs sinks),
// measured in a fresh process as the CLI runs it. Target (issue 5): under 2 s.
// Run with no argument; the fresh process is this file again, with `run`.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === 'run') {
  const t0 = performance.now();
  const { generateFlow } = await import('./generate.mjs');
  const { compileText } = await import('../dist/compiler/program.js');
  const { buildGraph } = await import('../dist/compiler/graph/model.js');
  const { renderSvg } = await import('../dist/compiler/graph/render-svg.js');
  const text = generateFlow(100, 10);
  const t1 = performance.now();
  const result = compileText(text, 'bench.flow');
  if (result.errorCount > 0) throw new Error(`benchmark input has errors: ${result.diagnostics[0].message}`);
  const t2 = performance.now();
  const graph = buildGraph(result.program);
  const t3 = performance.now();
  const svg = await renderSvg(graph);
  const t4 = performance.now();
  console.log(JSON.stringify({
    nodes: graph.nodes.length,
    edges: graph.edges.length,
    svgKb: svg.length / 1024,
    load: t1 - t0,
    compile: t2 - t1,
    model: t3 - t2,
    svg: t4 - t3,
    total: t4 - t0,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }));
} else {
  const self = fileURLToPath(import.meta.url);
  const r = JSON.parse(execFileSync(process.execPath, [self, 'run'], { encoding: 'utf8' }));
  const ms = (n) => `${n.toFixed(0)} ms`;
  console.log(`graph: 100 agents, ${r.nodes} nodes, ${r.edges} edges -> svg ${r.svgKb.toFixed(0)} KB (${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version})`);
  console.log(`  fresh process: load ${ms(r.load)}, compile ${ms(r.compile)}, model ${ms(r.model)}, layout+svg ${ms(r.svg)}, total ${ms(r.total)}, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  console.log(`  target: total < 2000 ms -> ${r.total < 2000 ? 'met' : 'NOT met'}`);
}

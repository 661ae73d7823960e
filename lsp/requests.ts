// Requests beyond the protocol, for the editor's commands: the graph of a document (the
// preview), its properties files (Build Properties), and a flume.properties file converted to
// .flow (Import). Each is the compiler's own function; the extension only shows the result.
import { withRateLines } from '../cli/live/graph.js';
import { buildGraph, renderGraph, type FlowGraph } from '../compiler/graph/index.js';
import { emitProperties } from '../compiler/emit/properties.js';
import { formatFlow } from '../compiler/format/printer.js';
import { readFlumeConfig } from '../compiler/flume/read-config.js';
import { importConfig } from '../compiler/import/import.js';
import type { Analysis } from './analysis.js';

export const GraphRequest = 'flowc/graph';
export const BuildPropertiesRequest = 'flowc/buildProperties';
export const ImportRequest = 'flowc/import';

export interface GraphResult {
  /** The SVG, or null while the file has errors (the preview keeps the last good one). */
  svg: string | null;
  /** The graph model the SVG is drawn from (for the viewer's panel and the live rates). */
  graph: FlowGraph | null;
  errorCount: number;
  /** Where each node (by its `data-id`) is declared: 0-based line and character. */
  nodes: Record<string, { line: number; character: number }>;
}

export interface GraphParams {
  textDocument: { uri: string };
  /** Drawn for live rates (`flowc run --ui`): every edge gets a line for its rate, as the live view draws it. */
  live?: boolean;
}

export async function graphOf(analysis: Analysis, params: GraphParams): Promise<GraphResult> {
  const { result } = analysis;
  if (result.errorCount > 0) return { svg: null, graph: null, errorCount: result.errorCount, nodes: {} };
  const graph = params.live ? withRateLines(buildGraph(result.program)) : buildGraph(result.program);
  const nodes: GraphResult['nodes'] = {};
  for (const n of graph.nodes) nodes[n.id] = { line: n.span.line - 1, character: n.span.col - 1 };
  return { svg: await renderGraph(graph, 'svg'), graph, errorCount: 0, nodes };
}

export interface BuildResult {
  /** One properties file per agent, or none when the file has errors. */
  files: { name: string; text: string }[];
  errorCount: number;
}

export function buildProperties(analysis: Analysis): BuildResult {
  const { result } = analysis;
  if (result.errorCount > 0) return { files: [], errorCount: result.errorCount };
  return { files: emitProperties(result.program), errorCount: 0 };
}

export interface ImportParams {
  /** The properties file's bytes (base64; decoded as `flowc import` decodes them), and its path. */
  base64: string;
  path: string;
}

export interface ImportResult {
  text: string | null;
  /** Problems found reading the file, as `path:line:col: message`. */
  problems: string[];
}

export function importProperties(params: ImportParams): ImportResult {
  const config = readFlumeConfig(Buffer.from(params.base64, 'base64'), params.path);
  const problems = config.diagnostics.map((d) => `${d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : ''}${d.severity}[${d.code}]: ${d.message}`);
  if (config.agents.length === 0) {
    return { text: null, problems: [...problems, `${params.path} defines no Flume agent (no key looks like \`<agent>.sources\`); is it a flume.properties file?`] };
  }
  const flow = importConfig(config, params.path.replace(/\.\w+$/, '') + '.flow');
  return { text: formatFlow(flow), problems };
}

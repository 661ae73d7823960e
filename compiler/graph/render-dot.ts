// Graphviz: one cluster per agent (titled with its host), a nested cluster per sink group.
// Node labels carry what identifies a component; its properties (secrets masked) go to the
// tooltip, which Graphviz's svg output shows on hover.
import { agentTitle, nodeText, propertiesText } from './labels.js';
import type { FlowGraph, GraphEdge, GraphNode } from './model.js';
import { agentColours, coloursOf, edgeColour, isDurable, linkColour, mutedText, textColour } from './palette.js';
import { agentTrees } from './tree.js';

const FONT = 'Helvetica,Arial,sans-serif';

export function renderDot(graph: FlowGraph): string {
  const out: string[] = [
    'digraph flowc {',
    `  graph [rankdir=LR, compound=true, newrank=true, nodesep=0.3, ranksep=0.7, fontname=${q(FONT)}, fontsize=12, fontcolor=${q(textColour)}];`,
    `  node [fontname=${q(FONT)}, fontsize=11, fontcolor=${q(textColour)}, penwidth=1.2, margin="0.14,0.06"];`,
    `  edge [fontname=${q(FONT)}, fontsize=10, fontcolor=${q(mutedText)}, color=${q(edgeColour)}, arrowsize=0.7];`,
  ];
  for (const { agent, items } of agentTrees(graph)) {
    out.push('', `  subgraph ${q(`cluster_${agent.id}`)} {`);
    out.push(`    label=<${htmlLines([`<b>${html(agentTitle(agent))}</b>`, ...(agent.host !== undefined ? [small(agent.host)] : [])])}>;`);
    out.push(`    style="rounded,filled"; fillcolor=${q(agentColours.fill)}; color=${q(agentColours.stroke)}; labeljust=l;`);
    for (const { node, children } of items) {
      if (node.role !== 'group') {
        out.push(`    ${nodeLine(node)}`);
        continue;
      }
      const c = coloursOf(node);
      out.push(`    subgraph ${q(`cluster_${node.id}`)} {`);
      out.push(`      label=<${htmlLines(textLines(node))}>; tooltip=${q(propertiesText(node))};`);
      out.push(`      style="rounded,dashed,filled"; fillcolor=${q(c.fill)}; color=${q(c.stroke)}; labeljust=l;`);
      for (const child of children) out.push(`      ${nodeLine(child)}`);
      out.push('    }');
    }
    out.push('  }');
  }
  if (graph.edges.length > 0) out.push('');
  for (const e of graph.edges) out.push(`  ${edgeLine(e)}`);
  out.push('}', '');
  return out.join('\n');
}

function nodeLine(node: GraphNode): string {
  const c = coloursOf(node);
  const attrs = [`label=<${htmlLines(textLines(node))}>`, ...shape(node), `fillcolor=${q(c.fill)}`, `color=${q(c.stroke)}`, `tooltip=${q(propertiesText(node))}`];
  return `${q(node.id)} [${attrs.join(', ')}];`;
}

function shape(node: GraphNode): string[] {
  switch (node.role) {
    case 'source':
      return ['shape=box', 'style="rounded,filled"'];
    case 'selector':
      return ['shape=octagon', 'style=filled'];
    case 'channel':
      return isDurable(node.storage) ? ['shape=cylinder', 'style=filled'] : ['shape=box', 'style="rounded,filled"'];
    case 'filter':
      return ['shape=note', 'style=filled'];
    default:
      return ['shape=box', 'style=filled'];
  }
}

function edgeLine(e: GraphEdge): string {
  const attrs: string[] = [];
  if (e.label !== undefined) attrs.push(`label=${q(e.label)}`);
  if (e.optional) attrs.push('style=dashed');
  if (e.kind === 'links') attrs.push(`color=${q(linkColour)}`, `fontcolor=${q(linkColour)}`, 'penwidth=1.8');
  return `${q(e.from)} -> ${q(e.to)}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`;
}

function textLines(node: GraphNode): string[] {
  const t = nodeText(node);
  return [`<b>${html(t.title)}</b>`, small(t.subtitle), ...[...t.details, ...t.steps].map(small)];
}

function small(text: string): string {
  return `<font point-size="9" color="${mutedText}">${html(text)}</font>`;
}

function htmlLines(lines: string[]): string {
  return lines.join('<br/>');
}

/** Text inside an HTML-like label. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\r\n]+/g, ' ');
}

/** A DOT quoted string: `\n` stays a line break, every other backslash is literal. */
function q(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

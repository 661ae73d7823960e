// Mermaid `flowchart LR`, for READMEs and wikis that render it: one subgraph per agent, a
// nested one per sink group, shapes and colours per kind. Mermaid ids must be plain words, so
// each model id gets a readable, unique one; every label is quoted and escaped with Mermaid's
// `#code;` entities, so no name or value can break the syntax.
import { agentTitle, nodeText, shortKind } from './labels.js';
import type { FlowGraph, GraphEdge, GraphNode } from './model.js';
import { agentColours, allStyleClasses, isDurable, linkColour, styleClass } from './palette.js';
import { agentTrees } from './tree.js';

export function renderMermaid(graph: FlowGraph): string {
  const ids = new MermaidIds();
  const out = ['flowchart LR'];
  const classes = new Map<string, string[]>();
  const node = (n: GraphNode, indent: string) => {
    const id = ids.of(n.id);
    out.push(`${indent}${id}${shape(n, label(n))}`);
    const cls = styleClass(n);
    classes.set(cls, [...(classes.get(cls) ?? []), id]);
  };
  for (const { agent, items } of agentTrees(graph)) {
    const title = agent.host !== undefined ? `${agentTitle(agent)} · ${agent.host}` : agentTitle(agent);
    out.push(`  subgraph ${ids.of(`agent:${agent.id}`)}["${escape(title)}"]`, '    direction LR');
    classes.set('agent', [...(classes.get('agent') ?? []), ids.of(`agent:${agent.id}`)]);
    for (const { node: n, children } of items) {
      if (n.role !== 'group') {
        node(n, '    ');
        continue;
      }
      out.push(`    subgraph ${ids.of(n.id)}["${groupTitle(n)}"]`, '      direction LR');
      for (const child of children) node(child, '      ');
      out.push('    end');
      classes.set('group', [...(classes.get('group') ?? []), ids.of(n.id)]);
    }
    out.push('  end');
  }
  const links: number[] = [];
  graph.edges.forEach((e, i) => {
    out.push(`  ${ids.of(e.from)} ${arrow(e)} ${ids.of(e.to)}`);
    if (e.kind === 'links') links.push(i);
  });
  for (const { name, colours } of [{ name: 'agent', colours: agentColours }, ...allStyleClasses()]) {
    if (!classes.has(name)) continue;
    const dashed = name === 'group' ? ',stroke-dasharray:5 3' : '';
    out.push(`  classDef ${cssName(name)} fill:${colours.fill},stroke:${colours.stroke},color:#1f2933${dashed}`);
    out.push(`  class ${classes.get(name)!.join(',')} ${cssName(name)}`);
  }
  if (links.length > 0) out.push(`  linkStyle ${links.join(',')} stroke:${linkColour},color:${linkColour}`);
  return `${out.join('\n')}\n`;
}

function label(n: GraphNode): string {
  const t = nodeText(n);
  return [`<b>${escape(t.title)}</b>`, ...[t.subtitle, ...t.details, ...t.steps].map((l) => `<small>${escape(l)}</small>`)].join('<br/>');
}

/** Short and on one line: Mermaid sizes a subgraph by its content, not by its title. */
function groupTitle(n: GraphNode): string {
  return `<b>${escape(n.name)}</b> · ${escape(shortKind(n.kind, n.custom))}`;
}

function shape(n: GraphNode, text: string): string {
  switch (n.role) {
    case 'source':
      return `(["${text}"])`;
    case 'selector':
      return `{{"${text}"}}`;
    case 'channel':
      return isDurable(n.storage) ? `[("${text}")]` : `("${text}")`;
    case 'filter':
      return `>"${text}"]`;
    default:
      return `["${text}"]`;
  }
}

function arrow(e: GraphEdge): string {
  const text = e.label === undefined ? undefined : e.label.split('\n').map(escape).join('<br/>');
  if (e.kind === 'links') return text === undefined ? '==>' : `== "${text}" ==>`;
  if (e.optional) return text === undefined ? '-.->' : `-. "${text}" .->`;
  return text === undefined ? '-->' : `-- "${text}" -->`;
}

/**
 * Mermaid's entity codes for every character that means something inside a quoted label; a
 * line break (a quoted name may hold one) would end the statement, so it becomes a space.
 */
function escape(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[#"<>&`\\]/g, (c) => `#${c.charCodeAt(0)};`);
}

function cssName(name: string): string {
  return name.replace(/-/g, '_');
}

/** Readable, unique Mermaid ids (`edge_source_app`) for model ids, stable in model order. */
class MermaidIds {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  of(key: string): string {
    let id = this.byKey.get(key);
    if (id !== undefined) return id;
    const base = key.replace(/^agent:/, 'agent_').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'n';
    id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }
}

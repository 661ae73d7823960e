// The words drawn on a node, shared by every renderer so that a source reads the same in
// dot, mermaid and svg. Only what identifies a component goes on the node; its properties
// go to tooltips and hover panels, which keeps a 100-node picture readable.
import type { GraphAgent, GraphNode } from './model.js';

export interface NodeText {
  /** The node's name, or for selectors the selector kind. */
  title: string;
  /** Kind and role: `taildir source`, `file channel`. */
  subtitle: string;
  /** Further short lines: address, priority, policy. */
  details: string[];
  /** A source's interceptor chain, one `| kind` per step, in order. */
  steps: string[];
}

const roleWord: Record<GraphNode['role'], string> = {
  source: 'source',
  selector: 'selector',
  channel: 'channel',
  sink: 'sink',
  group: 'sink group',
  filter: 'config filter',
};

/** `com.acme.TenantInterceptor$Builder` → `TenantInterceptor`: the class is in the hover. */
export function shortKind(kind: string, custom: boolean): string {
  if (!custom) return kind;
  const last = kind.slice(kind.lastIndexOf('.') + 1);
  return last.replace(/\$Builder$/, '') || kind;
}

export function nodeText(node: GraphNode): NodeText {
  const kind = shortKind(node.kind, node.custom);
  switch (node.role) {
    case 'source':
      return {
        title: node.name,
        subtitle: `${kind} source`,
        details: node.address ? [node.address] : [],
        steps: node.steps.map((s) => `| ${shortKind(s.kind, s.custom)}`),
      };
    case 'selector':
      return { title: kind, subtitle: 'selector', details: node.header !== undefined ? [`header ${node.header}`] : [], steps: [] };
    case 'sink':
      return {
        title: node.name,
        subtitle: `${kind} sink`,
        details: [...(node.address ? [`→ ${node.address}`] : []), ...(node.priority !== undefined ? [`priority ${node.priority}`] : [])],
        steps: [],
      };
    case 'group': {
      const details: string[] = [];
      if (node.policy !== undefined) details.push(node.backoff ? `${node.policy}, backoff` : node.policy);
      return { title: node.name, subtitle: `${kind} ${roleWord.group}`, details, steps: [] };
    }
    default:
      return { title: node.name, subtitle: `${kind} ${roleWord[node.role]}`, details: [], steps: [] };
  }
}

export function agentTitle(agent: GraphAgent): string {
  return `agent ${agent.name}`;
}

/** The role and kind in full, for hover panels and tooltips. */
export function describeNode(node: GraphNode): string {
  return `${roleWord[node.role]} · ${node.kind}`;
}

/** A tooltip: what the node is, its interceptor steps and its properties (secrets masked). */
export function propertiesText(node: GraphNode): string {
  const lines = [`${describeNode(node)}: ${node.name}`];
  if (node.role === 'source') {
    for (const s of node.steps) lines.push(`| ${s.kind}${s.properties.length > 0 ? ` { ${s.properties.map((p) => `${p.key} = ${p.text}`).join(', ')} }` : ''}`);
  }
  for (const p of node.properties) lines.push(`${p.key} = ${p.text}`);
  return lines.join('\n');
}

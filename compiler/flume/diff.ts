// Differences between two effective configurations, as flat paths (`a1.sources.r1.port`),
// and a readable rendering grouped by agent.
import type { EffectiveAgent, EffectiveComponent, EffectiveConfig, EffectiveSinkGroup, EffectiveSource } from './effective.js';

export interface ConfigDifference {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

const sections = ['sources', 'channels', 'sinks', 'sinkgroups', 'configfilters'] as const;

export function diffEffective(a: EffectiveConfig, b: EffectiveConfig): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  for (const name of union(a.agents, b.agents)) {
    const x = own(a.agents, name);
    const y = own(b.agents, name);
    if (!x) out.push({ path: name, kind: 'added', after: summary(y!) });
    else if (!y) out.push({ path: name, kind: 'removed', before: summary(x) });
    else diffAgent(name, x, y, out);
  }
  return out.sort((p, q) => comparePaths(p.path, q.path) || p.kind.localeCompare(q.kind));
}

function diffAgent(agent: string, a: EffectiveAgent, b: EffectiveAgent, out: ConfigDifference[]): void {
  for (const section of sections) {
    const xs = a[section] as Record<string, unknown>;
    const ys = b[section] as Record<string, unknown>;
    for (const name of union(xs, ys)) {
      const path = `${agent}.${section}.${name}`;
      const x = own(xs, name);
      const y = own(ys, name);
      if (x === undefined) out.push({ path, kind: 'added', after: describe(section, y) });
      else if (y === undefined) out.push({ path, kind: 'removed', before: describe(section, x) });
      else if (section === 'sinkgroups') diffGroup(path, x as EffectiveSinkGroup, y as EffectiveSinkGroup, out);
      else diffComponent(path, x as EffectiveSource, y as EffectiveSource, out);
    }
  }
}

/** Sources, channels, sinks and filters; the fields a kind does not have are undefined on both sides. */
function diffComponent(path: string, a: Partial<EffectiveSource> & EffectiveComponent & { channel?: string }, b: typeof a, out: ConfigDifference[]): void {
  value(`${path}.type`, a.type, b.type, out);
  value(`${path}.channels`, a.channels?.join(' '), b.channels?.join(' '), out);
  value(`${path}.channel`, a.channel, b.channel, out);
  if (a.selector && b.selector) {
    value(`${path}.selector.type`, a.selector.type, b.selector.type, out);
    props(`${path}.selector`, a.selector.props, b.selector.props, out);
  }
  if (a.interceptors && b.interceptors) diffInterceptors(`${path}.interceptors`, a.interceptors, b.interceptors, out);
  props(path, a.props, b.props, out);
}

function diffGroup(path: string, a: EffectiveSinkGroup, b: EffectiveSinkGroup, out: ConfigDifference[]): void {
  value(`${path}.sinks`, a.sinks.join(' '), b.sinks.join(' '), out);
  value(`${path}.processor.type`, a.processor.type, b.processor.type, out);
  props(`${path}.processor`, a.processor.props, b.processor.props, out);
}

/**
 * Interceptors have no identity but their place. Lists of the same length are compared
 * place by place; otherwise the longest common run is kept and the rest is added or removed.
 */
function diffInterceptors(path: string, a: EffectiveComponent[], b: EffectiveComponent[], out: ConfigDifference[]): void {
  if (a.length === b.length) {
    a.forEach((x, i) => {
      value(`${path}[${i}].type`, x.type, b[i]!.type, out);
      props(`${path}[${i}]`, x.props, b[i]!.props, out);
    });
    return;
  }
  const same = (x: EffectiveComponent, y: EffectiveComponent) => describeComponent(x) === describeComponent(y);
  // Longest common subsequence: lcs[i][j] for a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = same(a[i]!, b[j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(a[i]!, b[j]!)) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ path: `${path}[${j}]`, kind: 'added', after: describeComponent(b[j]!) });
      j++;
    } else {
      out.push({ path: `${path}[${i}]`, kind: 'removed', before: describeComponent(a[i]!) });
      i++;
    }
  }
}

function props(path: string, a: Record<string, string>, b: Record<string, string>, out: ConfigDifference[]): void {
  for (const key of union(a, b)) value(`${path}.${key}`, own(a, key), own(b, key), out);
}

function value(path: string, a: string | undefined, b: string | undefined, out: ConfigDifference[]): void {
  if (a === b) return;
  if (a === undefined) out.push({ path, kind: 'added', after: b! });
  else if (b === undefined) out.push({ path, kind: 'removed', before: a });
  else out.push({ path, kind: 'changed', before: a, after: b });
}

/** Own keys only: a component may be called `__proto__` or `constructor`. */
function own<T>(r: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(r, key) ? r[key] : undefined;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Segment by segment, so that `r1.type` sorts next to `r1.port` and `[10]` after `[9]`. */
function comparePaths(a: string, b: string): number {
  const xs = a.split(/\.|(?=\[)/);
  const ys = b.split(/\.|(?=\[)/);
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    const nx = /^\[(\d+)\]$/.exec(x);
    const ny = /^\[(\d+)\]$/.exec(y);
    if (nx && ny) return Number(nx[1]) - Number(ny[1]);
    return compare(x, y);
  }
  return xs.length - ys.length;
}

function summary(agent: EffectiveAgent): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    count(Object.keys(agent.sources).length, 'source'),
    count(Object.keys(agent.channels).length, 'channel'),
    count(Object.keys(agent.sinks).length, 'sink'),
  ].join(', ');
}

function describe(section: (typeof sections)[number], unit: unknown): string {
  if (section === 'sinkgroups') {
    const g = unit as EffectiveSinkGroup;
    return `${g.processor.type} (${g.sinks.join(' ')})`;
  }
  return (unit as EffectiveComponent).type;
}

function describeComponent(c: EffectiveComponent): string {
  const entries = Object.entries(c.props);
  return entries.length === 0 ? c.type : `${c.type} {${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

// ---- rendering -----------------------------------------------------------------------------

export function renderDifferences(diffs: readonly ConfigDifference[], options: { color: boolean }): string {
  const paint = (open: number, s: string) => (options.color ? `\u001b[${open}m${s}\u001b[0m` : s);
  const red = (s: string) => paint(31, s);
  const green = (s: string) => paint(32, s);
  const bold = (s: string) => paint(1, s);
  const byAgent = new Map<string, ConfigDifference[]>();
  for (const d of diffs) {
    const agent = d.path.split('.')[0]!;
    const list = byAgent.get(agent) ?? [];
    list.push(d);
    byAgent.set(agent, list);
  }
  const blocks: string[] = [];
  for (const [agent, list] of byAgent) {
    const whole = list.find((d) => d.path === agent);
    if (whole) {
      blocks.push(whole.kind === 'added' ? green(`+ agent ${agent} (${whole.after})`) : red(`- agent ${agent} (${whole.before})`));
      continue;
    }
    const lines = [bold(`agent ${agent}`)];
    for (const d of list) {
      const path = d.path.slice(agent.length + 1);
      if (d.before !== undefined) lines.push(red(`  - ${path} = ${show(d.before)}`));
      if (d.after !== undefined) lines.push(green(`  + ${path} = ${show(d.after)}`));
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

/** Values with line breaks or other control characters are quoted, so each stays on one line. */
function show(v: string): string {
  return /[\u0000-\u001f\u007f]/.test(v) ? JSON.stringify(v) : v;
}

// Rules on how components connect inside one agent: every source feeds a channel, every sink
// drains one, groups are well formed, nothing is left dangling, ports and directories are
// not shared.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { literalString } from '../evaluate.js';
import type { Agent, Component, Program } from '../model.js';
import { propOf } from '../model.js';
import { suggest, Suggester } from '../util/suggest.js';
import { indexOf } from './agent-index.js';
import { effectiveText } from './effective.js';
import type { Span } from '../../grammar/ast.js';

export function checkGraph(agent: Agent, diagnostics: Diagnostic[]): void {
  // A partial tree would only produce echoes of the syntax error.
  if (agent.hasSyntaxErrors) return;
  checkGroups(agent, diagnostics);
  const settled = (name: string) => !agent.incomplete.has(name);
  for (const s of agent.sources) {
    if (s.channels.length === 0 && settled(s.name)) {
      diagnostics.push({
        severity: 'error',
        code: 'FLOW040',
        message: `source \`${s.name}\` writes to no channel`,
        span: s.nameSpan,
        label: 'no channel',
        help: [`connect it: \`${s.name} -> ${agent.channels[0]?.name ?? 'someChannel'}\``],
        notes: ['Flume drops a source without channels and starts without it'],
      });
    }
  }
  for (const k of agent.sinks) {
    if (!k.channel && settled(k.name)) {
      diagnostics.push({
        severity: 'error',
        code: 'FLOW041',
        message: `sink \`${k.name}\` drains no channel`,
        span: k.nameSpan,
        label: 'no channel',
        help: [`connect it: \`${agent.channels[0]?.name ?? 'someChannel'} -> ${k.name}\``],
        notes: ['Flume drops a sink without a channel and starts without it'],
      });
    }
  }
  checkChannelsUsed(agent, diagnostics);
  checkUnusedInterceptors(agent, diagnostics);
  if (agent.sources.length === 0 && agent.sinks.length === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'FLOW048',
      message: `agent \`${agent.name}\` has no sources and no sinks`,
      span: agent.decl.name.span,
      label: 'empty agent',
      notes: ['Flume removes such an agent at start-up'],
    });
  }
}

function checkChannelsUsed(agent: Agent, diagnostics: Diagnostic[]): void {
  for (const c of agent.channels) {
    if (agent.incomplete.has(c.name)) continue;
    const fed = indexOf(agent).writers(c.name).length > 0;
    const drained = indexOf(agent).readers(c.name).length > 0;
    if (fed && drained) continue;
    if ((fed || drained) && c.spec?.sharedOutsideAgent) continue; // the other end is another agent
    const message = !fed && !drained
      ? `channel \`${c.name}\` is not connected to anything`
      : !fed
        ? `no source writes to channel \`${c.name}\``
        : `no sink drains channel \`${c.name}\``;
    const notes = !fed && !drained
      ? ['Flume removes a channel with no components connected']
      : !drained
        ? ['events put into it are never taken out: it fills up, then its sources fail']
        : ['its sinks will never receive an event'];
    diagnostics.push({ severity: 'warning', code: 'FLOW044', message, span: c.nameSpan, label: 'unused', notes });
  }
}

const sinkSuggesters = new WeakMap<Agent, Suggester>();

function sinkSuggester(agent: Agent): Suggester {
  let s = sinkSuggesters.get(agent);
  if (!s) sinkSuggesters.set(agent, (s = new Suggester(agent.sinks.map((k) => k.name))));
  return s;
}

function checkGroups(agent: Agent, diagnostics: Diagnostic[]): void {
  const owner = new Map<string, { group: string; span: Span }>();
  for (const g of agent.groups) {
    for (const member of g.sinks) {
      const sink = indexOf(agent).sink(member.name);
      if (!sink) {
        const guess = sinkSuggester(agent).suggest(member.name);
        diagnostics.push({
          severity: 'error',
          code: 'FLOW011',
          message: `sink group \`${g.name}\` lists \`${member.name}\`, which is not a sink of agent \`${agent.name}\``,
          span: member.span,
          label: 'no such sink',
          help: guess ? [`did you mean \`${guess}\`?`] : undefined,
        });
        continue;
      }
      const previous = owner.get(member.name);
      if (previous) {
        diagnostics.push({
          severity: 'error',
          code: 'FLOW043',
          message: `sink \`${member.name}\` is in two sink groups, \`${previous.group}\` and \`${g.name}\``,
          span: member.span,
          label: `also in \`${previous.group}\``,
          related: [{ span: previous.span, message: `first grouped in \`${previous.group}\` here` }],
          help: ['a sink can belong to one group only; Flume drops it from the second'],
        });
        continue;
      }
      owner.set(member.name, { group: g.name, span: member.span });
    }
    const kind = g.processor.spec?.kind;
    if (kind === 'load_balance' && g.sinks.length < 2) {
      diagnostics.push({
        severity: 'error',
        code: 'FLOW050',
        message: `load-balancing sink group \`${g.name}\` needs at least two sinks`,
        span: g.nameSpan,
        label: `${g.sinks.length} sink${g.sinks.length === 1 ? '' : 's'}`,
        help: ['add another sink, or drop the group and connect the sink directly'],
      });
    }
    if (kind === 'failover') checkPriorities(g.processor, diagnostics);
  }
}

function checkPriorities(processor: Component, diagnostics: Diagnostic[]): void {
  const seen = new Map<string, { sink: string; span: Span }>();
  for (const p of processor.props) {
    if (!p.key.startsWith('priority.')) continue;
    const text = literalString(p.value) ?? (p.value.t === 'num' ? p.value.text : undefined);
    if (text === undefined) continue;
    const sink = p.key.slice('priority.'.length);
    const previous = seen.get(text);
    if (previous) {
      diagnostics.push({
        severity: 'warning',
        code: 'FLOW051',
        message: `sinks \`${previous.sink}\` and \`${sink}\` have the same failover priority ${text}`,
        span: p.value.span,
        label: 'same priority',
        related: [{ span: previous.span, message: `\`${previous.sink}\` has it too` }],
        notes: ['Flume ignores a sink whose priority is already taken'],
        help: ['give each sink its own priority; the highest is used first'],
      });
      continue;
    }
    seen.set(text, { sink, span: p.value.span });
  }
}

function checkUnusedInterceptors(agent: Agent, diagnostics: Diagnostic[]): void {
  for (const [name, i] of agent.interceptorDecls) {
    if (agent.usedInterceptors.has(name)) continue;
    diagnostics.push({
      severity: 'warning',
      code: 'FLOW045',
      message: `interceptor \`${name}\` is declared but no source uses it`,
      span: i.nameSpan,
      label: 'unused',
      help: [`use it in a pipe: \`source | ${name} -> channel\``],
    });
  }
}

// ---- resources shared within a host ----------------------------------------------------------

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** Two sources clash when they listen on one port of one host with the same transport. */
export function checkPorts(program: Program, diagnostics: Diagnostic[]): void {
  for (const agents of agentsByHost(program)) {
    // By transport and port: the few sources on one port are then compared by their bind address.
    const taken = new Map<string, { bind: string; owner: string; span: Span }[]>();
    for (const agent of agents) {
      for (const s of agent.sources) {
        const listens = s.spec?.listens;
        if (!listens) continue;
        const transport = listens.protocol === 'udp' || listens.protocol === 'syslog-udp' ? 'udp' : 'tcp';
        const bind = (listens.bindProperty && effectiveText(s, listens.bindProperty)) || '0.0.0.0';
        const portProps = listens.portListProperty ? [listens.portListProperty] : listens.portProperty ? [listens.portProperty] : [];
        for (const key of portProps) {
          const prop = propOf(s, key);
          const text = effectiveText(s, key);
          if (!prop || text === undefined || text.includes('${')) continue;
          for (const port of text.split(/[\s,]+/).filter(Boolean)) {
            const onPort = taken.get(`${transport} ${port}`) ?? [];
            const clash = onPort.find((t) => t.bind === bind || WILDCARD_HOSTS.has(t.bind) || WILDCARD_HOSTS.has(bind));
            const owner = `${agent.name}.${s.name}`;
            if (clash) {
              diagnostics.push({
                severity: 'error',
                code: 'FLOW046',
                message: `sources \`${clash.owner}\` and \`${owner}\` both listen on ${transport.toUpperCase()} port ${port}`,
                span: prop.value.span,
                label: `port ${port} is already taken`,
                related: [{ span: clash.span, message: `\`${clash.owner}\` listens here` }],
                help: ['give one of them another port'],
                notes: ['the second one fails to start with "Address already in use"'],
              });
            } else {
              onPort.push({ bind, owner, span: prop.value.span });
              taken.set(`${transport} ${port}`, onPort);
            }
          }
        }
      }
    }
  }
}

/** File channels (and spooling or tailing state) must each own their directories. */
export function checkDirectories(program: Program, diagnostics: Diagnostic[]): void {
  for (const agents of agentsByHost(program)) {
    const owners = new Map<string, { owner: string; key: string; span: Span }>();
    for (const agent of agents) {
      for (const c of [...agent.sources, ...agent.channels, ...agent.sinks]) {
        for (const key of c.spec?.exclusiveDirectoryProperties ?? []) {
          const prop = propOf(c, key);
          const text = effectiveText(c, key);
          if (!prop || text === undefined || text.includes('${')) continue;
          for (const raw of text.split(',')) {
            const dir = normalizeDir(raw);
            if (!dir) continue;
            const owner = `${agent.name}.${c.name}`;
            const previous = owners.get(dir);
            if (previous) {
              diagnostics.push({
                severity: 'error',
                code: 'FLOW047',
                message: `\`${owner}\` and \`${previous.owner}\` both use the directory \`${dir}\``,
                span: prop.value.span,
                label: 'directory already in use',
                related: [{ span: previous.span, message: `\`${previous.owner}\` uses it here (\`${previous.key}\`)` }],
                help: ['give each one a directory of its own'],
                notes: ['they lock and overwrite each other\'s files; a file channel refuses to start on a locked directory'],
              });
            } else {
              owners.set(dir, { owner, key, span: prop.value.span });
            }
          }
        }
      }
    }
  }
}

function normalizeDir(dir: string): string {
  const trimmed = dir.trim();
  if (trimmed === '/') return trimmed;
  return trimmed.replace(/\/+$/, '').replace(/\/{2,}/g, '/');
}

/**
 * Agents that share one machine: those with the same `on` host. An agent without a host is
 * alone, since nothing says where it runs.
 */
function agentsByHost(program: Program): Agent[][] {
  const groups = new Map<string, Agent[]>();
  for (const agent of program.agents) {
    const literal = agent.host ? literalString(agent.host) : undefined;
    const host = literal !== undefined ? `host:${literal}` : `agent:${agent.name}`;
    const list = groups.get(host) ?? [];
    list.push(agent);
    groups.set(host, list);
  }
  return [...groups.values()];
}

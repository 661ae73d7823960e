// Links between agents: an avro or thrift sink must reach a source that speaks its protocol.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { literalString } from '../evaluate.js';
import { linkProp, linkTarget } from '../links.js';
import type { Agent, Program, Sink } from '../model.js';
import { propOf } from '../model.js';
import { suggest } from '../util/suggest.js';
import { effectiveText } from './effective.js';

export function checkLinks(program: Program, diagnostics: Diagnostic[]): void {
  for (const agent of program.agents) {
    for (const sink of agent.sinks) {
      if (!sink.spec?.connects) continue;
      const to = linkProp(sink);
      if (to) checkTo(program, agent, sink, diagnostics);
      else checkHostPort(program, sink, diagnostics);
    }
  }
}

function checkTo(program: Program, agent: Agent, sink: Sink, diagnostics: Diagnostic[]): void {
  const to = linkProp(sink)!;
  const connects = sink.spec!.connects!;
  const v = to.value;
  if (v.t !== 'ref') {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW080',
      message: '`to` names a source of an agent: `to = agent.source`',
      span: v.span,
      label: 'expected `agent.source`',
    });
    return;
  }
  for (const key of [connects.hostProperty, connects.portProperty]) {
    const explicit = propOf(sink, key);
    if (explicit) {
      diagnostics.push({
        severity: 'error',
        code: 'FLOW083',
        message: `sink \`${sink.name}\` sets both \`to\` and \`${key}\``,
        span: explicit.keySpan,
        label: `\`${key}\` comes from \`to\``,
        help: [`remove \`${key}\`, or remove \`to\``],
      });
    }
  }
  const targetAgent = program.agents.find((a) => a.name === v.agent);
  if (!targetAgent) {
    const guess = suggest(v.agent, program.agents.map((a) => a.name));
    diagnostics.push({
      severity: 'error',
      code: 'FLOW014',
      message: `\`to\` names agent \`${v.agent}\`, which is not in this file`,
      span: v.span,
      label: 'unknown agent',
      help: guess ? [`did you mean \`${guess}.${v.component}\`?`] : ['declare the agent in this file, or set `hostname` and `port` instead'],
    });
    return;
  }
  const target = linkTarget(program, v);
  if (!target) {
    const other = targetAgent.channels.find((c) => c.name === v.component) ?? targetAgent.sinks.find((c) => c.name === v.component);
    const guess = suggest(v.component, targetAgent.sources.map((s) => s.name));
    diagnostics.push({
      severity: 'error',
      code: 'FLOW080',
      message: other
        ? `\`to\` must name a source, but \`${v.agent}.${v.component}\` is a ${other.role}`
        : `agent \`${v.agent}\` has no source named \`${v.component}\``,
      span: v.span,
      label: 'not a source',
      help: guess ? [`did you mean \`${v.agent}.${guess}\`?`] : undefined,
    });
    return;
  }
  const protocol = target.source.spec?.listens?.protocol;
  if (target.source.spec && protocol !== connects.protocol) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW081',
      message: `${connects.protocol} sink \`${sink.name}\` is linked to ${target.source.spec.kind} source \`${v.agent}.${v.component}\`, which does not speak ${connects.protocol}`,
      span: v.span,
      label: `expects a ${connects.protocol} source`,
      related: [{ span: target.source.typeSpan, message: `this is a ${target.source.spec.kind} source` }],
      help: [`make the sink ${target.source.spec.kind === 'thrift' ? '`thrift`' : 'match the source'}, or point it at a ${connects.protocol} source`],
    });
  }
  if (!target.host && agent !== target.agent) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW084',
      message: `sink \`${sink.name}\` links to agent \`${v.agent}\`, which has no host`,
      span: v.span,
      label: 'no host to connect to',
      related: [{ span: target.agent.decl.name.span, message: 'declared here' }],
      help: [`give the agent a host: \`agent ${v.agent} on "collector.example.com" { ... }\``],
    });
  }
  if (!target.port && target.source.spec?.listens?.portProperty) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW084',
      message: `sink \`${sink.name}\` links to \`${v.agent}.${v.component}\`, which has no port`,
      span: v.span,
      label: 'no port to connect to',
      related: [{ span: target.source.nameSpan, message: 'this source needs `port`' }],
    });
  }
}

/** hostname/port given by hand: if they point at an agent of this file, check the port. */
function checkHostPort(program: Program, sink: Sink, diagnostics: Diagnostic[]): void {
  const connects = sink.spec!.connects!;
  const hostProp = propOf(sink, connects.hostProperty);
  const portProp = propOf(sink, connects.portProperty);
  const host = hostProp ? literalString(hostProp.value) : undefined;
  const port = portProp ? effectiveText(sink, connects.portProperty) : undefined;
  if (!hostProp || !portProp || host === undefined || port === undefined) return;
  const targets = program.agents.filter((a) => a.host && literalString(a.host) === host);
  if (targets.length === 0) return;
  const listeners = targets.flatMap((a) =>
    a.sources
      .filter((s) => s.spec?.listens?.portProperty && effectiveText(s, s.spec.listens.portProperty) === port)
      .map((s) => ({ agent: a, source: s })),
  );
  if (listeners.length === 0) {
    const names = targets.map((a) => `\`${a.name}\``).join(', ');
    const rpc = targets.flatMap((a) => a.sources.filter((s) => s.spec?.listens?.protocol === connects.protocol).map((s) => `${a.name}.${s.name}`));
    diagnostics.push({
      severity: 'error',
      code: 'FLOW082',
      message: `sink \`${sink.name}\` sends to ${host}:${port}, but no source of ${names} listens on port ${port}`,
      span: portProp.value.span,
      label: 'nothing listens here',
      help: rpc.length > 0 ? [`link it instead: \`to = ${rpc[0]}\``] : undefined,
    });
    return;
  }
  const { agent, source } = listeners[0]!;
  const protocol = source.spec?.listens?.protocol;
  if (protocol !== connects.protocol) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW081',
      message: `${connects.protocol} sink \`${sink.name}\` sends to ${source.spec!.kind} source \`${agent.name}.${source.name}\`, which does not speak ${connects.protocol}`,
      span: portProp.value.span,
      label: `a ${source.spec!.kind} source listens here`,
      related: [{ span: source.typeSpan, message: `this is a ${source.spec!.kind} source` }],
    });
  }
}

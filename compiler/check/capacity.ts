// Capacity rules that Flume only discovers under load: a batch larger than the channel's
// transaction, or a transaction larger than the channel.
import { keysProviding } from '../catalog/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Agent, Component } from '../model.js';
import { propOf } from '../model.js';
import { indexOf } from './agent-index.js';
import { effectiveNumber } from './effective.js';

export function checkCapacity(agent: Agent, diagnostics: Diagnostic[]): void {
  for (const channel of agent.channels) {
    const txKey = 'transactionCapacity';
    if (!channel.spec?.properties.some((p) => p.name === txKey)) continue;
    const tx = effectiveNumber(channel, txKey);
    const capacity = effectiveNumber(channel, 'capacity');
    if (tx !== undefined && capacity !== undefined && tx > capacity) {
      const at = propOf(channel, txKey) ?? propOf(channel, 'capacity');
      diagnostics.push({
        severity: 'error',
        code: 'FLOW061',
        message: `channel \`${channel.name}\` has transactionCapacity ${tx}, larger than its capacity ${capacity}`,
        span: at?.value.span ?? channel.nameSpan,
        label: `${tx} > ${capacity}`,
        help: [`raise \`capacity\` to at least ${tx}, or lower \`transactionCapacity\``],
        notes: ['Flume refuses to configure such a channel'],
      });
    }
    if (tx === undefined) continue;
    const writers = indexOf(agent).writers(channel.name);
    const readers = indexOf(agent).readers(channel.name);
    for (const c of [...writers, ...readers]) checkBatch(c, channel, tx, diagnostics);
  }
}

function checkBatch(c: Component, channel: Component, tx: number, diagnostics: Diagnostic[]): void {
  const base = c.spec?.batchSizeProperty;
  if (!base) return;
  // A deprecated key (the Kafka sink's `batchSize`) counts when the current one is not set.
  const key = keysProviding(c.spec!, base).find((k) => propOf(c, k)) ?? base;
  const batch = effectiveNumber(c, key);
  if (batch === undefined || batch <= tx) return;
  const prop = propOf(c, key);
  const txProp = propOf(channel, 'transactionCapacity');
  const verb = c.role === 'source' ? 'puts' : 'takes';
  diagnostics.push({
    severity: 'error',
    code: 'FLOW060',
    message: `${c.role} \`${c.name}\` ${verb} batches of ${batch} events, more than the transactionCapacity ${tx} of channel \`${channel.name}\``,
    span: prop?.value.span ?? c.nameSpan,
    label: prop ? `batch of ${batch}` : `default ${key} is ${batch}`,
    related: txProp ? [{ span: txProp.value.span, message: `transactionCapacity of \`${channel.name}\`` }] : undefined,
    help: [`lower \`${key}\` to at most ${tx}, or raise \`transactionCapacity\` of \`${channel.name}\` to ${batch}`],
    notes: [
      c.spec!.batchCheckedAtStart && channel.spec?.batchCheckedAtStart
        ? `Flume checks this when it starts the agent and drops the ${c.role}`
        : 'Flume accepts this configuration, then fails every full batch at run time',
    ],
  });
}

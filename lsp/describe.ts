// How the editor shows catalog entries (completion details, hovers), and quantities with
// their units. Everything shown comes from the catalog; nothing here knows a component.
import type { ComponentSpec, PropertySpec, Unit } from '../compiler/catalog/types.js';
import type { DurationUnit, SizeUnit } from '../grammar/ast.js';
import { durationMillis, sizeBytes } from '../grammar/literals.js';

const unitWord: Record<Unit, string> = { seconds: 'seconds', milliseconds: 'milliseconds', bytes: 'bytes' };

/** `long, seconds` / `enum` / `list` */
export function typeLabel(spec: PropertySpec): string {
  return spec.unit ? `${spec.type}, ${unitWord[spec.unit]}` : spec.type;
}

/** The default as Flume reads it, and as it would be written in .flow when it has a unit. */
export function defaultLabel(spec: PropertySpec): string | undefined {
  if (spec.default === undefined) return undefined;
  const shown = typeof spec.default === 'string' ? (spec.default === '' ? '""' : spec.default) : String(spec.default);
  if (typeof spec.default !== 'number' || !spec.unit) return shown;
  const quantity = quantityText(spec.default, spec.unit);
  return quantity && quantity !== `${spec.default}` ? `${shown} (${quantity})` : shown;
}

/** One line for lists: `long, seconds · default 30 (30s) · required` */
export function propertyDetail(spec: PropertySpec): string {
  const parts = [typeLabel(spec)];
  const def = defaultLabel(spec);
  if (def !== undefined) parts.push(`default ${def}`);
  if (spec.required) parts.push('required');
  if (spec.deprecated) parts.push('deprecated');
  return parts.join(' · ');
}

export function propertyMarkdown(spec: PropertySpec, extra: string[] = []): string {
  const lines = [`**${spec.name}** · ${propertyDetail(spec)}`, '', spec.doc];
  if (spec.values && spec.values.length > 0) lines.push('', `Allowed values: ${spec.values.map((v) => `\`${v}\``).join(', ')}${spec.allowsClassName ? ', or a class name' : ''}`);
  if (spec.min !== undefined || spec.max !== undefined) {
    lines.push('', `Range: ${spec.min ?? '…'} to ${spec.max ?? '…'}${spec.unit ? ` ${unitWord[spec.unit]}` : ''}`);
  }
  if (spec.unit) lines.push('', `Write a ${spec.unit === 'bytes' ? 'size (`64KB`, `128MB`)' : 'duration (`500ms`, `30s`, `5m`)'} or a plain number of ${unitWord[spec.unit]}.`);
  if (spec.deprecated) lines.push('', `Deprecated: ${spec.deprecated}`);
  if (spec.sensitive) lines.push('', 'Sensitive: masked in graphs and logs.');
  if (extra.length > 0) lines.push('', ...extra);
  return lines.join('\n');
}

export function requiredProperties(spec: ComponentSpec): PropertySpec[] {
  return spec.properties.filter((p) => p.required && !p.name.includes('<') && !p.name.endsWith('*'));
}

export function kindMarkdown(spec: ComponentSpec, categoryName: string): string {
  const required = requiredProperties(spec);
  const lines = [`**${spec.kind}** · ${categoryName}`, '', spec.doc, ''];
  lines.push(required.length > 0 ? `Required: ${required.map((p) => `\`${p.name}\``).join(', ')}` : 'Required: nothing');
  lines.push('', `Flume type: \`${spec.flumeAlias ?? spec.className}\``);
  if (spec.aliases.length > 0) lines.push('', `Also written: ${spec.aliases.map((a) => `\`${a}\``).join(', ')}`);
  return lines.join('\n');
}

// ---- quantities ------------------------------------------------------------------------------

const durationUnits = (Object.entries(durationMillis) as [DurationUnit, number][]).sort((a, b) => b[1] - a[1]);
const sizeUnits = (Object.entries(sizeBytes) as [SizeUnit, number][]).sort((a, b) => b[1] - a[1]);

/** The units a property takes, smallest first: `ms s m h d` or `B KB MB GB TB`. */
export function unitsFor(unit: Unit): { unit: string; factor: number }[] {
  const list = unit === 'bytes' ? sizeUnits : durationUnits;
  const base = unit === 'bytes' ? 1 : unit === 'seconds' ? 1000 : 1;
  // A duration shorter than the property's unit cannot be written for it (`500ms` in seconds).
  return list
    .filter(([, size]) => size >= base)
    .map(([u, size]) => ({ unit: u, factor: size / base }))
    .reverse();
}

/**
 * A number of the property's unit written with the largest unit that keeps it whole:
 * 300 seconds → `5m`, 134217728 bytes → `128MB`. Undefined for fractions and negatives.
 */
export function quantityText(amount: number, unit: Unit): string | undefined {
  if (!Number.isSafeInteger(amount) || amount < 0) return undefined;
  const units = unitsFor(unit);
  if (amount === 0) return `0${units[0]!.unit}`;
  for (let i = units.length - 1; i >= 0; i--) {
    const { unit: u, factor } = units[i]!;
    if (amount % factor === 0) return `${withSeparators(amount / factor)}${u}`;
  }
  return undefined;
}

function withSeparators(n: number): string {
  return n >= 100_000 ? n.toLocaleString('en-US').replace(/,/g, '_') : String(n);
}

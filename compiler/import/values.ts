// Turns a Flume property value (a string) into the most readable .flow expression that
// compiles back to exactly the same string: durations and sizes where the catalog knows the
// unit, numbers, booleans, enum words, lists; a string otherwise.
import type { DurationUnit, Expr, SizeUnit } from '../../grammar/ast.js';
import type { PropertySpec } from '../catalog/types.js';
import { toFlumeText } from '../values.js';
import type { Synth } from './synth.js';
import { isPlainName } from './synth.js';

const DURATIONS: [DurationUnit, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
const SIZES: [SizeUnit, number][] = [['TB', 1024 ** 4], ['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024], ['B', 1]];

export function importValue(s: Synth, text: string, spec: PropertySpec | undefined): Expr {
  const expr = candidate(s, text, spec);
  // Only keep a typed form when it compiles back to the very same text.
  if (expr.kind !== 'String' && roundTrips(expr, text, spec)) return expr;
  return s.string(text);
}

function candidate(s: Synth, text: string, spec: PropertySpec | undefined): Expr {
  const integer = /^-?(0|[1-9]\d*)$/.test(text);
  if (spec?.unit && integer && !text.startsWith('-')) {
    const n = Number(text);
    if (Number.isSafeInteger(n) && n > 0) return spec.unit === 'bytes' ? size(s, n) : duration(s, n * (spec.unit === 'seconds' ? 1000 : 1));
  }
  if (integer && Number.isSafeInteger(Number(text))) return number(s, text);
  if (/^-?\d+\.\d+$/.test(text) && (!spec || spec.type === 'double')) {
    return { kind: 'Number', value: Number(text), text, isInteger: false, span: s.span() };
  }
  if (text === 'true' || text === 'false') return { kind: 'Bool', value: text === 'true', span: s.span() };
  if (spec?.type === 'enum' && isPlainName(text)) return { kind: 'Ref', path: [s.ident(text)], text, span: s.span() };
  if (spec?.type === 'list') {
    const sep = spec.listSeparator === 'comma' ? ',' : ' ';
    const items = text.split(sep);
    if (items.length > 1 && items.every((i) => i.length > 0 && i.trim() === i)) {
      const open = s.span();
      return { kind: 'List', items: items.map((i) => (isPlainName(i) ? { kind: 'Ref', path: [s.ident(i)], text: i, span: s.span() } : s.string(i))), span: open };
    }
  }
  return s.string(text);
}

function number(s: Synth, text: string): Expr {
  const grouped = text.replace(/^-/, '').length > 5 ? text.replace(/\B(?=(\d{3})+(?!\d))/g, '_') : text;
  return { kind: 'Number', value: Number(text), text: grouped, isInteger: true, span: s.span() };
}

function duration(s: Synth, millis: number): Expr {
  const [unit, per] = DURATIONS.find(([, per]) => millis % per === 0)!;
  const amount = millis / per;
  return { kind: 'Duration', amount, unit, millis, text: `${amount}${unit}`, span: s.span() };
}

function size(s: Synth, bytes: number): Expr {
  const [unit, per] = SIZES.find(([, per]) => bytes % per === 0)!;
  const amount = bytes / per;
  return { kind: 'Size', amount, unit, bytes, text: `${amount}${unit}`, span: s.span() };
}

function roundTrips(expr: Expr, text: string, spec: PropertySpec | undefined): boolean {
  const value = toValue(expr);
  if (!value) return false;
  const converted = toFlumeText(value, spec, { kind: 'reference' });
  return converted.ok && converted.text === text;
}

/** The resolver's view of a literal, without a scope: enough to test the round trip. */
function toValue(expr: Expr): Parameters<typeof toFlumeText>[0] | undefined {
  const span = expr.span;
  switch (expr.kind) {
    case 'Number':
      return { t: 'num', v: expr.value, text: expr.text.replace(/_/g, ''), integer: expr.isInteger, span };
    case 'Bool':
      return { t: 'bool', v: expr.value, span };
    case 'Duration':
      return { t: 'duration', ms: expr.millis, text: expr.text, span };
    case 'Size':
      return { t: 'size', bytes: expr.bytes, text: expr.text, span };
    case 'Ref':
      return { t: 'word', v: expr.text, span };
    case 'String':
      return { t: 'str', parts: [expr.value], span };
    case 'List': {
      const items = expr.items.map(toValue);
      return items.every((i) => i) ? { t: 'list', items: items as NonNullable<(typeof items)[number]>[], span } : undefined;
    }
    default:
      return undefined;
  }
}

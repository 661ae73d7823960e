// Values Flume cannot read as the type of a known property. Context.getInteger/getLong parse
// with Integer.parseInt/Long.parseLong (a failure makes the component's configure() throw, or
// the component falls back to its default and logs it); getBoolean reads anything but `true`
// (any case) as false.
import type { PropertySpec } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ConfigProp } from './config.js';
import { makeDiagnostic, type Locator } from './read-config-support.js';

const INT_RANGE: Record<'int' | 'long', [bigint, bigint]> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Double.parseDouble's decimal forms (with an optional f/d suffix), NaN and Infinity. */
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

export function checkValueType(spec: PropertySpec, p: ConfigProp, owner: string, prefix: string, loc: Locator, out: Diagnostic[]): void {
  const value = p.value;
  // `${...}` is replaced when Flume loads the file (environment, system properties, filters).
  if (value.includes('${')) return;
  const key = `${prefix}${p.key}`;
  if (spec.type === 'int' || spec.type === 'long') {
    const [min, max] = INT_RANGE[spec.type];
    const ok = /^[+-]?\d+$/.test(value) && BigInt(value) >= min && BigInt(value) <= max;
    if (ok) return;
    const word = spec.type === 'int' ? 'an integer' : 'a whole number';
    const unitHint = /^\d+\s*[a-zA-Z]+$/.test(value) ? [`Flume reads plain numbers${spec.unit ? ` (in ${spec.unit})` : ''}: write the number without a unit`] : [];
    out.push(
      makeDiagnostic('error', 'FLOW142', `\`${key}\` of ${owner} expects ${word}, but the value is \`${value}\``, loc.value(p.line), {
        label: `not ${word}${/^[+-]?\d+$/.test(value) ? ` in the ${spec.type} range` : ''}`,
        help: [...unitHint, `write ${word}${spec.default !== undefined ? ` (Flume's default is ${spec.default})` : ''}`],
        notes: ['Flume fails to configure the component (it is dropped at start) or falls back to the default'],
      }),
    );
  } else if (spec.type === 'double' && !JAVA_DOUBLE.test(value)) {
    out.push(
      makeDiagnostic('error', 'FLOW142', `\`${key}\` of ${owner} expects a number, but the value is \`${value}\``, loc.value(p.line), {
        label: 'not a number',
        help: ['write a decimal number such as `0.5`'],
      }),
    );
  } else if (spec.type === 'boolean' && !/^(true|false)$/i.test(value)) {
    out.push(
      makeDiagnostic('warning', 'FLOW143', `\`${key}\` of ${owner} is \`${value}\`, which Flume reads as false`, loc.value(p.line), {
        label: 'read as false',
        help: ['write `true` or `false`'],
      }),
    );
  }
}

// Converts a .flow value to the text Flume reads for one property, following the catalog:
// units, list separators, enum spellings. The checker reports the failures; the emitters
// call it only on checked programs.
import type { PropertySpec, Unit } from './catalog/types.js';
import { describeValue } from './evaluate.js';
import type { StringPart, Value } from './model.js';
import { suggest } from './util/suggest.js';

export interface ConversionError {
  code: string;
  message: string;
  label: string;
  help?: string[];
}

export type Conversion = { ok: true; text: string } | { ok: false; error: ConversionError };

/** How `env(...)` is written: kept as a `${NAME}` reference, or read now from an environment. */
export type EnvMode = { kind: 'reference' } | { kind: 'resolve'; env: NodeJS.ProcessEnv };

const unitMillis: Record<Exclude<Unit, 'bytes'>, number> = { seconds: 1000, milliseconds: 1 };
const unitWord: Record<Unit, string> = { seconds: 'seconds', milliseconds: 'milliseconds', bytes: 'bytes' };

export function toFlumeText(value: Value, spec: PropertySpec | undefined, envMode: EnvMode): Conversion {
  switch (value.t) {
    case 'duration':
      return convertDuration(value.ms, value.text, spec);
    case 'size':
      return convertSize(value.bytes, value.text, spec);
    case 'list':
      return convertList(value.items, spec, envMode);
    case 'ref':
      return ok(`${value.agent}.${value.component}`);
    case 'str':
      return convertString(value.parts, spec, envMode);
    case 'num':
      return convertNumber(value, spec);
    case 'bool':
      if (spec && spec.type !== 'boolean' && spec.type !== 'string') return typeError(value, spec);
      return ok(String(value.v));
    case 'word':
      if (spec && (spec.type === 'int' || spec.type === 'long' || spec.type === 'double' || spec.type === 'boolean')) {
        return typeError(value, spec);
      }
      if (spec?.type === 'enum') return checkEnum(value.v, spec);
      return ok(value.v);
  }
}

function ok(text: string): Conversion {
  return { ok: true, text };
}

function convertDuration(ms: number, text: string, spec: PropertySpec | undefined): Conversion {
  if (!spec || !spec.unit || spec.unit === 'bytes') {
    return {
      ok: false,
      error: {
        code: 'FLOW024',
        message: spec?.unit === 'bytes'
          ? `\`${spec.name}\` is a size in bytes, not a duration`
          : `\`${text}\` is a duration, but ${spec ? `\`${spec.name}\`` : 'this property'} takes no unit`,
        label: spec?.unit === 'bytes' ? 'expected a size such as `64MB`' : 'duration not allowed here',
        help: spec?.unit === 'bytes' ? ['write a size: `512B`, `64KB`, `128MB`, `1GB`'] : ['write a plain number'],
      },
    };
  }
  const per = unitMillis[spec.unit];
  if (ms % per !== 0) {
    return {
      ok: false,
      error: {
        code: 'FLOW025',
        message: `\`${text}\` is not a whole number of ${unitWord[spec.unit]}, the unit of \`${spec.name}\``,
        label: `not a whole number of ${unitWord[spec.unit]}`,
        help: [`Flume reads \`${spec.name}\` in ${unitWord[spec.unit]}; use a multiple of 1${spec.unit === 'seconds' ? 's' : 'ms'}`],
      },
    };
  }
  return checkRange(ms / per, spec, text);
}

function convertSize(bytes: number, text: string, spec: PropertySpec | undefined): Conversion {
  if (!spec || spec.unit !== 'bytes') {
    return {
      ok: false,
      error: {
        code: 'FLOW024',
        message: spec?.unit
          ? `\`${spec.name}\` is a duration in ${unitWord[spec.unit]}, not a size`
          : `\`${text}\` is a size, but ${spec ? `\`${spec.name}\`` : 'this property'} takes no unit`,
        label: spec?.unit ? 'expected a duration such as `30s`' : 'size not allowed here',
        help: spec?.unit ? ['write a duration: `250ms`, `30s`, `5m`, `2h`, `1d`'] : ['write a plain number'],
      },
    };
  }
  return checkRange(bytes, spec, text);
}

function convertNumber(value: Extract<Value, { t: 'num' }>, spec: PropertySpec | undefined): Conversion {
  if (!spec) return ok(value.text);
  switch (spec.type) {
    case 'int':
    case 'long':
      if (!value.integer) return typeError(value, spec);
      return checkRange(value.v, spec, value.text);
    case 'double':
      return checkRange(value.v, spec, value.text);
    case 'string':
    case 'list':
    case 'class':
      return ok(value.text);
    case 'enum':
      return checkEnum(value.text, spec);
    case 'boolean':
      return typeError(value, spec);
  }
}

function checkRange(n: number, spec: PropertySpec, text: string): Conversion {
  if (spec.type === 'int' && Math.abs(n) > 2147483647) {
    return rangeError(spec, text, 'is too large for a 32-bit integer', `at most 2147483647`);
  }
  if (spec.min !== undefined && n < spec.min) return rangeError(spec, text, `is below the minimum of ${spec.min}`, rangeHint(spec));
  if (spec.max !== undefined && n > spec.max) return rangeError(spec, text, `is above the maximum of ${spec.max}`, rangeHint(spec));
  return ok(Number.isInteger(n) ? String(n) : text);
}

function rangeHint(spec: PropertySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `\`${spec.name}\` must be between ${spec.min} and ${spec.max}`;
  if (spec.min !== undefined) return `\`${spec.name}\` must be at least ${spec.min}`;
  return `\`${spec.name}\` must be at most ${spec.max}`;
}

function rangeError(spec: PropertySpec, text: string, what: string, help: string): Conversion {
  return {
    ok: false,
    error: { code: 'FLOW026', message: `\`${text}\` ${what} for \`${spec.name}\``, label: 'out of range', help: [help] },
  };
}

function convertString(parts: StringPart[], spec: PropertySpec | undefined, envMode: EnvMode): Conversion {
  const hasEnv = parts.some((p) => typeof p !== 'string');
  const text = parts.map((p) => (typeof p === 'string' ? p : envText(p, envMode))).join('');
  // A value read from the environment cannot be checked until it is known; nor can one with a
  // `${...}` placeholder, which Flume substitutes when it loads the file.
  if (hasEnv && envMode.kind === 'reference') return ok(text);
  if (parts.some((p) => typeof p === 'string' && p.includes('${'))) return ok(text);
  if (!spec) return ok(text);
  switch (spec.type) {
    case 'string':
    case 'class':
    case 'list':
      return ok(text);
    case 'enum':
      return checkEnum(text, spec);
    case 'int':
    case 'long':
    case 'double':
    case 'boolean':
      if (hasEnv) return parseScalar(text, spec);
      return {
        ok: false,
        error: {
          code: 'FLOW023',
          message: `\`${spec.name}\` expects ${typeWord(spec)}, but the value is a string`,
          label: 'a string',
          help: looksLike(text, spec) ? [`remove the quotes: \`${spec.name} = ${text}\``] : undefined,
        },
      };
  }
}

/** Values read from the environment at build time are checked like literals. */
function parseScalar(text: string, spec: PropertySpec): Conversion {
  if (!looksLike(text, spec)) {
    return {
      ok: false,
      error: { code: 'FLOW023', message: `\`${spec.name}\` expects ${typeWord(spec)}, but the environment gives \`${text}\``, label: 'from the environment' },
    };
  }
  if (spec.type === 'boolean') return ok(text.toLowerCase());
  return checkRange(Number(text), spec, text);
}

function looksLike(text: string, spec: PropertySpec): boolean {
  switch (spec.type) {
    case 'int':
    case 'long':
      return /^-?\d+$/.test(text.trim());
    case 'double':
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim());
    case 'boolean':
      return /^(true|false)$/i.test(text.trim());
    default:
      return true;
  }
}

function envText(p: { env: string; default?: string }, envMode: EnvMode): string {
  if (envMode.kind === 'resolve') return envMode.env[p.env] ?? p.default ?? '';
  return p.default === undefined ? `\${${p.env}}` : `\${${p.env}:-${p.default}}`;
}

function checkEnum(text: string, spec: PropertySpec): Conversion {
  const values = spec.values ?? [];
  const match = values.find((v) => (spec.caseSensitive ? v === text : v.toLowerCase() === text.toLowerCase()));
  if (match !== undefined) return ok(text);
  if (spec.allowsClassName && text.includes('.')) return ok(text);
  const guess = suggest(text, values);
  const help = [`allowed values: ${values.map((v) => `\`${v}\``).join(', ')}${spec.allowsClassName ? ', or a class name' : ''}`];
  if (guess) help.unshift(`did you mean \`${guess}\`?`);
  return {
    ok: false,
    error: {
      code: 'FLOW027',
      message: `\`${text}\` is not a valid value for \`${spec.name}\``,
      label: 'not one of the allowed values',
      help,
    },
  };
}

function convertList(items: Value[], spec: PropertySpec | undefined, envMode: EnvMode): Conversion {
  if (spec && spec.type !== 'list') {
    return {
      ok: false,
      error: {
        code: 'FLOW023',
        message: `\`${spec.name}\` expects ${typeWord(spec)}, but the value is a list`,
        label: 'a list',
        help: ['give a single value'],
      },
    };
  }
  const texts: string[] = [];
  for (const item of items) {
    if (item.t === 'list') {
      return { ok: false, error: { code: 'FLOW023', message: 'lists cannot be nested', label: 'a list inside a list' } };
    }
    const c = toFlumeText(item, undefined, envMode);
    if (!c.ok) return c;
    texts.push(c.text);
  }
  return ok(texts.join(spec?.listSeparator === 'comma' ? ',' : ' '));
}

function typeError(value: Value, spec: PropertySpec): Conversion {
  const help: string[] = [];
  if (value.t === 'word' && (spec.type === 'int' || spec.type === 'long')) help.push('write a number such as `100`');
  if (value.t === 'num' && spec.type === 'boolean') help.push('write `true` or `false`');
  if (value.t === 'num' && !value.integer && (spec.type === 'int' || spec.type === 'long')) help.push('write a whole number');
  const conv: Conversion = {
    ok: false,
    error: {
      code: 'FLOW023',
      message: `\`${spec.name}\` expects ${typeWord(spec)}, but the value is ${describeValue(value)}`,
      label: `expected ${typeWord(spec)}`,
    },
  };
  if (help.length > 0) conv.error.help = help;
  return conv;
}

export function typeWord(spec: PropertySpec): string {
  switch (spec.type) {
    case 'int':
    case 'long':
      return spec.unit ? `a whole number of ${unitWord[spec.unit]} (or a ${spec.unit === 'bytes' ? 'size' : 'duration'})` : 'an integer';
    case 'double':
      return 'a number';
    case 'boolean':
      return '`true` or `false`';
    case 'enum':
      return 'one of its allowed values';
    case 'list':
      return 'a list';
    case 'class':
      return 'a class name';
    case 'string':
      return 'a string';
  }
}

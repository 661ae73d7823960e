// Decoding the text of literal tokens into values. Pure functions: they return the value or a
// problem (with its place inside the literal), and the caller turns problems into diagnostics.
import type { DurationUnit, SizeUnit } from './ast.js';

export interface LiteralProblem {
  /** Where the problem is, relative to the start of the literal. */
  start: number;
  end: number;
  message: string;
  label: string;
  help?: string[];
}

// ---- Strings ------------------------------------------------------------------------------

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', '/': '/' };

/**
 * The value of a `"..."` literal. A bad escape is reported and kept as written, so that the
 * string still has a usable value and nothing further fails because of it.
 */
const noProblems: LiteralProblem[] = [];

export function decodeString(image: string, terminated: boolean): { value: string; problems: LiteralProblem[] } {
  const end = terminated ? image.length - 1 : image.length;
  if (image.indexOf('\\') < 0) return { value: image.slice(1, end), problems: noProblems };
  const problems: LiteralProblem[] = [];
  let value = '';
  let i = 1;
  while (i < end) {
    const ch = image[i]!;
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const next = image[i + 1];
    if (next !== undefined && next in simpleEscapes) {
      value += simpleEscapes[next];
      i += 2;
    } else if (next === 'u') {
      const decoded = decodeUnicodeEscape(image, i, end);
      if ('problem' in decoded) {
        problems.push(decoded.problem);
        value += image.slice(i, decoded.next);
      } else value += decoded.value;
      i = decoded.next;
    } else {
      const shown = next === undefined ? '\\' : `\\${next}`;
      problems.push({
        start: i,
        end: Math.min(i + 2, end),
        message: `unknown escape \`${shown}\` in a string`,
        label: 'unknown escape',
        help: [
          'the escapes are `\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\/`, `\\uXXXX` and `\\u{X...}`',
          'write `\\\\` for a backslash, or use a raw string `r"..."`, which has no escapes',
        ],
      });
      value += shown;
      i += next === undefined ? 1 : 2;
    }
  }
  return { value, problems };
}

function decodeUnicodeEscape(
  image: string,
  at: number,
  end: number,
): { value: string; next: number } | { problem: LiteralProblem; next: number } {
  const bad = (next: number, why: string): { problem: LiteralProblem; next: number } => ({
    problem: {
      start: at,
      end: next,
      message: `invalid unicode escape \`${image.slice(at, next)}\`: ${why}`,
      label: 'invalid escape',
      help: ['write `\\u` and four hex digits (`\\u00e9`) or hex digits in braces (`\\u{1F600}`)'],
    },
    next,
  });
  if (image[at + 2] === '{') {
    const close = image.indexOf('}', at + 3);
    if (close < 0 || close >= end) return bad(Math.min(at + 3, end), 'the `{` is not closed');
    const hex = image.slice(at + 3, close);
    if (!/^[0-9A-Fa-f]{1,6}$/.test(hex)) return bad(close + 1, 'expected 1 to 6 hex digits in the braces');
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return bad(close + 1, 'the code point is above U+10FFFF');
    return { value: String.fromCodePoint(code), next: close + 1 };
  }
  const hex = image.slice(at + 2, at + 6);
  if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
    let next = at + 2;
    while (next < end && next < at + 6 && /[0-9A-Fa-f]/.test(image[next]!)) next++;
    return bad(next, 'expected four hex digits');
  }
  return { value: String.fromCharCode(parseInt(hex, 16)), next: at + 6 };
}

/** The value of an `r"..."` literal: the text between the quotes, exactly. */
export function decodeRawString(image: string, terminated: boolean): string {
  return image.slice(2, terminated ? image.length - 1 : image.length);
}

// ---- Numbers, durations, sizes ------------------------------------------------------------

export const durationMillis: Record<DurationUnit, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Binary multiples: a KB is 1024 bytes, as in Flume's own defaults (e.g. a 1 MB roll size). */
export const sizeBytes: Record<SizeUnit, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

const unitsHelp = 'units are ms, s, m, h, d for durations and B, KB, MB, GB, TB for sizes';

type Decoded<T> = { ok: true; value: T } | { ok: false; problem: LiteralProblem };

function tooBig(text: string, what: string): Decoded<never> {
  return {
    ok: false,
    problem: {
      start: 0,
      end: text.length,
      message: `the ${what} \`${text}\` is too big`,
      label: 'too big',
      help: [`the largest exact integer is ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US').replace(/,/g, '_')}`],
    },
  };
}

export function decodeNumber(text: string, isInteger: boolean): Decoded<{ value: number; isInteger: boolean }> {
  const value = Number(text.includes('_') ? text.replace(/_/g, '') : text);
  if (isInteger ? !Number.isSafeInteger(value) : !Number.isFinite(value)) return tooBig(text, 'number');
  return { ok: true, value: { value, isInteger } };
}

export function decodeDuration(text: string): Decoded<{ amount: number; unit: DurationUnit; millis: number }> {
  const match = /^([\d_]+)(ms|s|m|h|d)$/.exec(text)!;
  const amount = Number(match[1]!.replace(/_/g, ''));
  const unit = match[2] as DurationUnit;
  const millis = amount * durationMillis[unit];
  if (!Number.isSafeInteger(millis)) return tooBig(text, 'duration');
  return { ok: true, value: { amount, unit, millis } };
}

export function decodeSize(text: string): Decoded<{ amount: number; unit: SizeUnit; bytes: number }> {
  const match = /^([\d_]+)(B|KB|MB|GB|TB)$/.exec(text)!;
  const amount = Number(match[1]!.replace(/_/g, ''));
  const unit = match[2] as SizeUnit;
  const bytes = amount * sizeBytes[unit];
  if (!Number.isSafeInteger(bytes)) return tooBig(text, 'size');
  return { ok: true, value: { amount, unit, bytes } };
}

// Common spellings of the units, for a "did you mean".
const unitSpellings: Record<string, string> = {
  msec: 'ms', msecs: 'ms', millis: 'ms', millisecond: 'ms', milliseconds: 'ms',
  sec: 's', secs: 's', second: 's', seconds: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  day: 'd', days: 'd',
  b: 'B', kb: 'KB', k: 'KB', kib: 'KB', mb: 'MB', mib: 'MB', gb: 'GB', gib: 'GB', tb: 'TB', tib: 'TB',
  bytes: 'B', byte: 'B',
};

/** The problem with a number glued to letters that are not a unit: `5min`, `10kb`, `1.5s`, `-3s`. */
export function explainBadQuantity(text: string): LiteralProblem {
  const match = /^(-?)([\d_]*)((?:\.[\d_]*)?(?:[eE][+-]?[\d_]+)?)([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  const whole = { start: 0, end: text.length };
  if (!match) return { ...whole, message: `invalid literal \`${text}\``, label: 'invalid literal', help: [unitsHelp] };
  const [, minus, digits, fraction, unit] = match as unknown as [string, string, string, string, string];
  const known = unit in durationMillis || unit in sizeBytes;
  if (known && minus) {
    return { ...whole, message: `a duration or size cannot be negative: \`${text}\``, label: 'negative', help: [unitsHelp] };
  }
  if (known && fraction) {
    return {
      ...whole,
      message: `a duration or size must be a whole number: \`${text}\``,
      label: 'not a whole number',
      help: ['use a smaller unit instead, e.g. `1500ms` for 1.5 seconds or `1536KB` for 1.5 MB', unitsHelp],
    };
  }
  const help = [unitsHelp];
  const suggestion = unitSpellings[unit.toLowerCase()];
  if (suggestion && !minus && !fraction) help.unshift(`did you mean \`${digits}${suggestion}\`?`);
  return {
    ...whole,
    message: `\`${text}\` is not a valid number, duration or size: \`${unit}\` is not a unit`,
    label: 'unknown unit',
    help,
  };
}

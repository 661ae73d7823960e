// Mutations shared by the text fuzzers: token-level (delete, repeat, swap, insert, replace),
// character-level (odd unicode, control characters, cut and repeated ranges), splicing two
// seeds, deep nesting and huge literals. Each fuzzer brings its own tokenizer and dictionary.
import type { Rng } from './rng.js';

/** Characters that break naive code: BOM, zero-width, bidi overrides, line separators, lone surrogates, astral. */
export const ODD_CHARS: readonly string[] = [
  '\uFEFF', '\u200B', '\u200D', '\u202E', '\u2066', '\u2028', '\u2029', '\u0085', '\u00A0', '\u3000',
  '\uD800', '\uDFFF', '\u{1F600}', '\u{10FFFF}', '\u0301', '\u0000', '\u0007', '\u001B', '\u007F',
  '\r', '\r\n', '\t', '\f', '\v', '\\', '"', "'", '\\u', '\\u{', '${', '%{', '#', '!', 'é', 'ß', 'İ', 'ǅ',
];

export interface TextMutator {
  /** Splits a text into tokens that concatenate back to it. */
  tokenize(text: string): string[];
  /** Tokens worth inserting: keywords, punctuation, literals, names. */
  dictionary: readonly string[];
}

export interface MutationOptions {
  /** Largest text a mutation may make (in UTF-16 units). */
  maxLength: number;
}

type Op = (rng: Rng, text: string, seeds: readonly string[], m: TextMutator, o: MutationOptions) => string;

const tokenOp =
  (edit: (rng: Rng, tokens: string[], m: TextMutator, seeds: readonly string[]) => void): Op =>
  (rng, text, seeds, m) => {
    const tokens = m.tokenize(text);
    if (tokens.length === 0) tokens.push('');
    edit(rng, tokens, m, seeds);
    return tokens.join('');
  };

const anyToken = (rng: Rng, m: TextMutator, seeds: readonly string[]) => {
  if (rng.chance(0.6)) return rng.pick(m.dictionary);
  const tokens = m.tokenize(rng.pick(seeds));
  return tokens.length > 0 ? rng.pick(tokens) : '';
};

const ops: readonly { weight: number; op: Op }[] = [
  { weight: 6, op: tokenOp((rng, t) => void t.splice(rng.int(t.length), 1 + rng.skewed(3))) },
  { weight: 4, op: tokenOp((rng, t) => { const i = rng.int(t.length); t.splice(i, 0, ...t.slice(i, i + 1 + rng.skewed(6))); }) },
  { weight: 4, op: tokenOp((rng, t) => { const i = rng.int(t.length); const j = rng.int(t.length); [t[i], t[j]] = [t[j]!, t[i]!]; }) },
  { weight: 8, op: tokenOp((rng, t, m, s) => void t.splice(rng.int(t.length + 1), 0, anyToken(rng, m, s), rng.chance(0.5) ? ' ' : '')) },
  { weight: 8, op: tokenOp((rng, t, m, s) => void (t[rng.int(t.length)] = anyToken(rng, m, s))) },
  { weight: 3, op: tokenOp((rng, t) => { const i = rng.int(t.length); t.splice(i, 0, ...t.slice(i).slice(0, 1 + rng.int(20)).flatMap(() => t.slice(i, i + 3))); }) },
  { weight: 4, op: (rng, text) => insertAt(rng, text, rng.pick(ODD_CHARS).repeat(1 + rng.skewed(4))) },
  { weight: 3, op: (rng, text) => insertAt(rng, text, String.fromCharCode(rng.int(0x80))) },
  { weight: 2, op: (rng, text) => insertAt(rng, text, String.fromCodePoint(rng.int(0x11_0000))) },
  { weight: 4, op: (rng, text) => { const i = rng.int(text.length + 1); return text.slice(0, i) + text.slice(i + 1 + rng.skewed(64)); } },
  { weight: 2, op: (rng, text) => { const i = rng.int(text.length + 1); const len = 1 + rng.skewed(200); return text.slice(0, i) + text.slice(i, i + len).repeat(1 + rng.skewed(8)) + text.slice(i + len); } },
  { weight: 3, op: (rng, text) => flipChar(rng, text) },
  { weight: 5, op: (rng, text, seeds, m) => splice(rng, text, rng.pick(seeds), m) },
  { weight: 2, op: (rng, text, _s, _m, o) => nest(rng, text, o) },
  { weight: 3, op: (rng, text, _s, m, o) => hugeLiteral(rng, text, m, o) },
  { weight: 1, op: (rng, text) => text.slice(0, rng.int(text.length + 1)) },
  { weight: 1, op: (rng, text) => text.replace(/\n/g, rng.pick(['\r\n', '\r', '\u2028', ' ', ';', '\n\n\n'])) },
];
const totalWeight = ops.reduce((n, o) => n + o.weight, 0);

/** One to a handful of mutations of a seed (rarely many). */
export function mutateText(rng: Rng, seed: string, seeds: readonly string[], m: TextMutator, o: MutationOptions): string {
  let text = seed;
  // Often one mutation, so that many inputs still parse and reach the checker and formatter.
  const n = rng.chance(0.5) ? 1 : 1 + rng.skewed(rng.chance(0.05) ? 40 : 6);
  for (let k = 0; k < n; k++) {
    let r = rng.int(totalWeight);
    const chosen = ops.find((x) => (r -= x.weight) < 0)!;
    const next = chosen.op(rng, text, seeds, m, o);
    if (next.length <= o.maxLength) text = next;
  }
  return text;
}

function insertAt(rng: Rng, text: string, what: string): string {
  const i = rng.int(text.length + 1);
  return text.slice(0, i) + what + text.slice(i);
}

function flipChar(rng: Rng, text: string): string {
  if (text.length === 0) return text;
  const i = rng.int(text.length);
  const c = text.charCodeAt(i) ^ (1 << rng.int(7));
  return text.slice(0, i) + String.fromCharCode(c) + text.slice(i + 1);
}

/** The start of one text up to a token boundary, then the rest of another from one. */
function splice(rng: Rng, a: string, b: string, m: TextMutator): string {
  const ta = m.tokenize(a);
  const tb = m.tokenize(b);
  return [...ta.slice(0, rng.int(ta.length + 1)), ...tb.slice(rng.int(tb.length + 1))].join('');
}

/** Brackets nested deeply, balanced or not, around a spot of the text. */
function nest(rng: Rng, text: string, o: MutationOptions): string {
  const pairs = [['{', '}'], ['[', ']'], ['(', ')'], ['{ a = ', ' }'], ['[', ', 1]'], ['f(', ')']] as const;
  const [open, close] = rng.pick(pairs);
  const depth = Math.min(1 + rng.skewed(rng.chance(0.2) ? 100_000 : 200), Math.floor(o.maxLength / 4));
  const i = rng.int(text.length + 1);
  const closing = rng.chance(0.8) ? close.repeat(depth) : close.repeat(rng.int(depth + 1));
  return text.slice(0, i) + open.repeat(depth) + closing + text.slice(i);
}

/** A literal or name grown huge: long digits, long strings, long names, long chains. */
function hugeLiteral(rng: Rng, text: string, m: TextMutator, o: MutationOptions): string {
  const size = Math.min(1 + rng.skewed(rng.chance(0.1) ? 1_000_000 : 5000), o.maxLength - text.length);
  if (size <= 0) return text;
  const unit = rng.pick(['9', '0', '_9', 'a', 'é', '\u{1F600}', '\\\\', '\\u0041', 'a-', '.a', ' + "x"', ' + 1', '+a', '%{h}', '%Y']);
  let lit: string;
  switch (rng.int(5)) {
    case 0:
      lit = '1' + '9'.repeat(size) + rng.pick(['', 's', 'ms', 'MB', '.5', 'e309', 'e-400']);
      break;
    case 1:
      lit = '"' + unit.repeat(Math.ceil(size / unit.length)) + '"';
      break;
    case 2:
      lit = 'x' + rng.pick(['a', 'b-c', '_', '0']).repeat(size);
      break;
    case 3:
      lit = '"a"' + ' + "b"'.repeat(Math.ceil(size / 6));
      break;
    default:
      lit = unit.repeat(Math.ceil(size / unit.length));
  }
  const tokens = m.tokenize(text);
  const i = rng.int(tokens.length + 1);
  if (rng.chance(0.5) && i < tokens.length && tokens[i]!.trim() !== '') tokens[i] = lit;
  else tokens.splice(i, 0, lit);
  return tokens.join('');
}

// The tokens of a .flow file and the lexer that produces them.
//
// Malformed input is lexed into tokens of its own (an unterminated string, a number with an
// unknown unit) instead of failing, so that the parser still sees a value where the user meant
// one and reports nothing more; the literal's problem is reported once, where it is decoded.
import { createToken, Lexer, type ILexingResult, type IToken, type TokenType } from './chevrotain.js';
import type { Comment } from './ast.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { LineMap } from './positions.js';

// ---- Categories ---------------------------------------------------------------------------

/** Every real token: the parser's statement lists use it to swallow a stray token. */
export const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA });
/** An identifier or any keyword: what may stand in a property key or after `.` in a reference. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA });
/** What may start a reference value: a name that is not `true` or `false`. */
export const ValueWord = createToken({ name: 'ValueWord', pattern: Lexer.NA });
/** `source`, `channel`, `sink`, `interceptor`, `group`, `filter`. */
export const Role = createToken({ name: 'Role', pattern: Lexer.NA });
/** Any literal value: strings, numbers, durations, sizes, `true` and `false`. */
export const Literal = createToken({ name: 'Literal', pattern: Lexer.NA });
/** Integers, decimals, and numbers with an unknown unit (reported when decoded). */
export const NumberTok = createToken({ name: 'Number', pattern: Lexer.NA, categories: [Literal] });

const any = (...categories: TokenType[]) => [AnyToken, ...categories];

// ---- Trivia -------------------------------------------------------------------------------

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\uFEFF\u00A0]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
});
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
});

// ---- Literals -----------------------------------------------------------------------------

// Strings end at the end of their line: an unterminated string then costs one line, not the
// rest of the file.
export const StringTok = createToken({
  name: 'String',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
  categories: any(Literal),
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r]?)*/,
  categories: any(StringTok),
});
export const RawString = createToken({ name: 'RawString', pattern: /r"[^"\n\r]*"/, categories: any(Literal) });
export const UnterminatedRawString = createToken({
  name: 'UnterminatedRawString',
  pattern: /r"[^"\n\r]*/,
  categories: any(RawString),
});

// The lookaheads keep `5min` and `10kb` from lexing as a number followed by a name; they fall
// through to BadQuantity instead.
export const Duration = createToken({
  name: 'Duration',
  pattern: /\d[\d_]*(?:ms|s|m|h|d)(?![A-Za-z0-9_])/,
  categories: any(Literal),
});
export const Size = createToken({
  name: 'Size',
  pattern: /\d[\d_]*(?:B|KB|MB|GB|TB)(?![A-Za-z0-9_])/,
  categories: any(Literal),
});
export const Decimal = createToken({
  name: 'Decimal',
  pattern: /-?\d[\d_]*(?:\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|[eE][+-]?\d[\d_]*)(?![A-Za-z0-9_])/,
  categories: any(NumberTok),
});
export const Integer = createToken({
  name: 'Integer',
  pattern: /-?\d[\d_]*(?![A-Za-z0-9_]|\.\d)/,
  categories: any(NumberTok),
});
export const BadQuantity = createToken({
  name: 'BadQuantity',
  pattern: /-?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?[A-Za-z_][A-Za-z0-9_]*/,
  categories: any(NumberTok),
});

// ---- Names and keywords -------------------------------------------------------------------

export const Ident = createToken({
  name: 'Ident',
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  categories: any(Name, ValueWord),
});

const keyword = (word: string, ...categories: TokenType[]) =>
  createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: word,
    longer_alt: Ident,
    categories: any(Name, ...categories),
  });

export const Let = keyword('let', ValueWord);
export const Agent = keyword('agent', ValueWord);
export const On = keyword('on', ValueWord);
export const Source = keyword('source', ValueWord, Role);
export const Channel = keyword('channel', ValueWord, Role);
export const Sink = keyword('sink', ValueWord, Role);
export const Interceptor = keyword('interceptor', ValueWord, Role);
export const Group = keyword('group', ValueWord, Role);
export const Filter = keyword('filter', ValueWord, Role);
export const Route = keyword('route', ValueWord);
export const Header = keyword('header', ValueWord);
export const Default = keyword('default', ValueWord);
export const With = keyword('with', ValueWord);
export const Failover = keyword('failover', ValueWord);
export const Balance = keyword('balance', ValueWord);
export const True = keyword('true', Literal);
export const False = keyword('false', Literal);

export const keywords: readonly TokenType[] = [
  Let, Agent, On, Source, Channel, Sink, Interceptor, Group, Filter,
  Route, Header, Default, With, Failover, Balance, True, False,
];
const keywordSet = new Set<TokenType>(keywords);

/** Where a token ends (exclusive). The lexer tracks start offsets only, its cheapest mode. */
export function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

export function isString(token: IToken): boolean {
  return token.tokenType === StringTok || token.tokenType === UnterminatedString;
}

export function isKeyword(token: IToken): boolean {
  return keywordSet.has(token.tokenType);
}

// ---- Punctuation --------------------------------------------------------------------------

const punct = (name: string, pattern: string) => createToken({ name, pattern, label: `\`${pattern}\``, categories: any() });

export const Arrow = punct('Arrow', '->');
export const LCurly = punct('LCurly', '{');
export const RCurly = punct('RCurly', '}');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const Equals = punct('Equals', '=');
export const Colon = punct('Colon', ':');
export const Comma = punct('Comma', ',');
export const Semi = punct('Semi', ';');
export const Dot = punct('Dot', '.');
export const Pipe = punct('Pipe', '|');
export const Question = punct('Question', '?');
export const Plus = punct('Plus', '+');

/** Characters that can start a token (or whitespace); a run of any others is `Unexpected`. */
const TOKEN_STARTS = ' \t\r\n\f\v\uFEFF\u00A0/"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_{}[]()=:,;.|?+-';
const UNEXPECTED_RUN = /[^ \t\r\n\f\v\uFEFF\u00A0/"0-9A-Za-z_{}[\]()=:,;.|?+-]+/y;

/**
 * The first characters of `Unexpected`, for the lexer's first-character table: every code
 * below 256 that starts no token, and above that one code per group of 255 (the table keeps
 * one entry per such group; a code missed here only loses speed, never a token).
 */
function unexpectedStarts(): number[] {
  const starts = new Set([...TOKEN_STARTS].map((c) => c.charCodeAt(0)));
  const out: number[] = [];
  for (let code = 0; code < 256; code++) if (!starts.has(code)) out.push(code);
  // Above 255, codes c and d share a group when floor(c / 255) = floor(d / 255): the first
  // code of each group that starts no token, then on to the next group (a loop over every
  // code cost milliseconds at every start).
  for (let code = 256; code < 0x10000; ) {
    if (starts.has(code)) {
      code++;
      continue;
    }
    out.push(code);
    code = (Math.floor(code / 255) + 1) * 255;
  }
  return out;
}

/**
 * A run of characters that start no token. Lexed as a token of its own (reported by lexFlow)
 * rather than left to the lexer's error recovery, which tries every pattern at every dropped
 * character: a megabyte of garbage took seconds. A custom pattern with the complement as its
 * start characters, since the lexer cannot work out a complement set's first characters.
 */
export const Unexpected = createToken({
  name: 'Unexpected',
  pattern: {
    exec: (text: string, offset: number) => {
      UNEXPECTED_RUN.lastIndex = offset;
      return UNEXPECTED_RUN.exec(text);
    },
  },
  start_chars_hint: unexpectedStarts(),
  line_breaks: false,
  group: 'unexpected',
});

/** Order matters: the first pattern that matches wins (keywords defer to longer identifiers). */
export const lexerTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  RawString,
  UnterminatedRawString,
  StringTok,
  UnterminatedString,
  Arrow, // before numbers, so that `->` is never the start of a negative number
  Duration,
  Size,
  Decimal,
  Integer,
  BadQuantity,
  ...keywords,
  Ident,
  LCurly, RCurly, LBracket, RBracket, LParen, RParen,
  Equals, Colon, Comma, Semi, Dot, Pipe, Question, Plus,
  Unexpected,
];

/** Everything the parser knows of, categories included. */
export const allTokens: TokenType[] = [AnyToken, Name, ValueWord, Role, Literal, NumberTok, ...lexerTokens];

const flowLexer = new Lexer(lexerTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
  // The token definitions' validations (unreachable or empty patterns ...) run in the tests
  // (FLOWC_VALIDATE_GRAMMAR=1), as the parser's do, not at every start.
  skipValidations: process.env.FLOWC_VALIDATE_GRAMMAR !== '1',
  traceInitPerf: process.env.FLOWC_TRACE_INIT === '1',
});

// ---- Lexing -------------------------------------------------------------------------------

export interface LexResult {
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
  /**
   * Lines where an unterminated string swallowed the rest of the line (and, say, the `}` on
   * it): syntax errors on these lines and the next are consequences, not news.
   */
  unterminatedLines: Set<number>;
  /** Where an unterminated block comment starts: everything after it is comment. */
  unterminatedCommentAt?: number;
}

const MAX_ERROR_LINES = 200;

/** Text to chevrotain's tokens, comments and errors; incremental-lex.ts reuses its earlier results. */
export type Tokenizer = (text: string) => ILexingResult;

export const tokenizeFlow: Tokenizer = (text) => flowLexer.tokenize(text);

export function lexFlow(text: string, lines: LineMap, tokenize: Tokenizer = tokenizeFlow): LexResult {
  const result = tokenize(text);
  const diagnostics: Diagnostic[] = [];

  // Binary input yields an error every few bytes; a few hundred lines' worth is plenty, as
  // only the first hundred lines with errors are ever shown.
  // Runs of characters that start no token come as `Unexpected` tokens; the rest (a lone `-`
  // or `/`) as the lexer's errors. Only the first error of a line is ever shown.
  const unexpected = [
    ...(result.groups['unexpected'] ?? []).map((t) => ({ offset: t.startOffset, length: t.image.length })),
    ...result.errors.map((e) => ({ offset: e.offset, length: Math.max(1, e.length) })),
  ].sort((a, b) => a.offset - b.offset);
  let errorLines = 0;
  let lastLine = 0;
  for (let i = 0; i < unexpected.length; i++) {
    let { offset, length } = unexpected[i]!;
    // An error right after a run (or before one) is the same run of bad characters.
    while (i + 1 < unexpected.length && unexpected[i + 1]!.offset === offset + length) length += unexpected[++i]!.length;
    const line = lines.lineOf(offset);
    if (line === lastLine) continue;
    if (++errorLines > MAX_ERROR_LINES) break;
    lastLine = line;
    diagnostics.push(unexpectedCharacters(text.slice(offset, offset + length), lines.span(offset, offset + length)));
  }

  const unterminatedLines = new Set<number>();
  let unterminatedCommentAt: number | undefined;
  const comments: Comment[] = [];
  for (const token of result.groups['comments'] ?? []) {
    const start = token.startOffset;
    const end = tokenEnd(token);
    comments.push({ kind: 'Comment', text: token.image, block: token.tokenType !== LineComment, span: lines.span(start, end) });
    if (token.tokenType === UnterminatedComment) {
      unterminatedCommentAt = start;
      diagnostics.push({
        severity: 'error',
        code: 'FLOW003',
        message: 'unterminated block comment: this `/*` has no matching `*/`',
        span: lines.span(start, start + 2),
        label: 'comment starts here',
        help: ['close the comment with `*/`'],
      });
    }
  }

  for (const token of result.tokens) {
    if (token.tokenType === UnterminatedString || token.tokenType === UnterminatedRawString) {
      const quoteLength = token.tokenType === UnterminatedString ? 1 : 2;
      unterminatedLines.add(lines.lineOf(token.startOffset));
      if (unterminatedLines.size > MAX_ERROR_LINES) continue;
      diagnostics.push({
        severity: 'error',
        code: 'FLOW003',
        message: 'unterminated string: the closing `"` is missing before the end of the line',
        span: lines.span(token.startOffset, token.startOffset + quoteLength),
        label: 'string starts here',
        help:
          token.tokenType === UnterminatedString
            ? ['add the closing `"`; a string cannot span lines, write `\\n` for a line break']
            : ['add the closing `"`; a raw string cannot span lines'],
      });
    }
  }

  return {
    tokens: result.tokens,
    comments,
    diagnostics,
    unterminatedLines,
    ...(unterminatedCommentAt !== undefined ? { unterminatedCommentAt } : {}),
  };
}

function unexpectedCharacters(chars: string, span: Diagnostic['span']): Diagnostic {
  const shown = showChars(chars);
  const help: string[] = [];
  const first = chars[0];
  if (first === "'") help.push('strings use double quotes: `"..."`');
  else if (first === '#') help.push('comments start with `//` or are written `/* ... */`');
  else if (first === '-') help.push('`-` starts a negative number (`-5`) or an arrow (`->`)');
  else if (first !== undefined && /\p{L}/u.test(first)) help.push('names use ASCII letters, digits, `_` and `-`; put other text in a string');
  return {
    severity: 'error',
    code: 'FLOW001',
    message: chars.length === 1 ? `unexpected character \`${shown}\`` : `unexpected characters \`${shown}\``,
    span,
    label: 'not valid here',
    ...(help.length ? { help } : {}),
  };
}

/** Shows characters in a message: control and invisible characters as escapes, long runs cut short. */
function showChars(chars: string): string {
  const cut = chars.length > 20 ? chars.slice(0, 20) : chars;
  let out = '';
  for (const ch of cut) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfffd || ch === '`') {
      out += code === 0x60 ? '\\`' : `\\u{${code.toString(16)}}`;
    } else out += ch;
  }
  return chars.length > 20 ? `${out}…` : out;
}

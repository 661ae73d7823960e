// Parsing a .flow file: text → tokens → AST, with every problem as a diagnostic.
// Never throws: whatever the input, the result is a well-typed (possibly empty) tree.
import type { IToken } from 'chevrotain';
import type { FlowFile } from './ast.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import * as T from './lexer.js';
import { flowParser } from './parser.js';
import { LineMap } from './positions.js';
import { describeProblem, describeRecognitionError, Tokens } from './syntax-errors.js';

export interface ParseResult {
  file: FlowFile;
  diagnostics: Diagnostic[];
}

/**
 * Deeper nesting than this is refused before parsing: the parser recurses through several
 * rules per level, and real configurations nest a handful of levels, not fifty.
 */
export const MAX_NESTING = 50;
/** A file in a bad state (or not a .flow file at all) gets this many syntax errors, no more. */
export const MAX_SYNTAX_ERRORS = 100;

/** The items of a file and the syntax errors the parser found, described. */
export interface ItemsParse {
  items: FlowFile['items'];
  /** Literal and naming errors, reported while building nodes. */
  buildDiagnostics: Diagnostic[];
  /** Chevrotain's syntax errors, then the recovery's problems, each in the order found. */
  errorDiagnostics: Diagnostic[];
  problemDiagnostics: Diagnostic[];
  /** Where the parser gave up, after too many errors. */
  stoppedAt?: IToken;
}

/** Parses the tokens of a file into items: the whole file at once, or (incremental.ts) part by part. */
export type ItemsParser = (tokens: IToken[], lines: LineMap, described: Tokens) => ItemsParse;

/** The parser over the whole token stream: what `flowc` does for every file. */
export const parseAllItems: ItemsParser = (tokens, lines, described) => {
  const parsed = flowParser.parse(tokens, lines);
  const out: ItemsParse = {
    items: parsed.items,
    buildDiagnostics: parsed.buildDiagnostics,
    errorDiagnostics: parsed.errors.map((e) => describeRecognitionError(e, described)),
    problemDiagnostics: parsed.problems.map((p) => describeProblem(p, described)),
  };
  if (parsed.stoppedAt) out.stoppedAt = parsed.stoppedAt;
  return out;
};

/** What the language server passes to reuse the lexing and parsing of an earlier version (incremental.ts). */
export interface ParseReuse {
  tokenize: T.Tokenizer;
  items: ItemsParser;
}

export function parseFlow(text: string, path: string, reuse?: ParseReuse): ParseResult {
  const lines = new LineMap(path, text);
  const file: FlowFile = { kind: 'File', path, text, items: [], comments: [], span: lines.span(0, text.length) };
  try {
    const lexed = lexAndLimit(text, lines, reuse?.tokenize);
    file.comments = lexed.comments;
    const parseItems = reuse?.items ?? parseAllItems;
    const parsed = parseItems(lexed.tokens, lines, new Tokens(lexed.tokens, text, lines));
    file.items = parsed.items;
    const syntax = [...lexed.diagnostics, ...parsed.errorDiagnostics, ...parsed.problemDiagnostics];
    const kept = limitSyntaxErrors(syntax.filter((d) => !isConsequenceOfLexing(d, lexed)));
    if (parsed.stoppedAt && kept.length > 0) {
      const line = lines.lineOf(parsed.stoppedAt.startOffset);
      const last = kept[kept.length - 1]!;
      kept[kept.length - 1] = { ...last, notes: [...(last.notes ?? []), `there are too many syntax errors: the parser stopped at line ${line}`] };
    }
    return { file, diagnostics: byPosition([...kept, ...parsed.buildDiagnostics]) };
  } catch (e) {
    // Only a bug, or a stack overflow we did not foresee (a regular expression on a token of
    // megabytes can do it), gets here; still, report, don't crash.
    const reason = e instanceof RangeError ? 'it is nested too deeply or holds a token too long' : `internal error: ${String(e)}`;
    return {
      file: { ...file, items: [] },
      diagnostics: [{ severity: 'error', code: 'FLOW002', message: `could not parse this file: ${reason}`, span: lines.span(0, 0) }],
    };
  }
}

function lexAndLimit(text: string, lines: LineMap, tokenize?: T.Tokenizer) {
  const lexed = T.lexFlow(text, lines, tokenize);
  const tooDeep = firstTooDeep(lexed.tokens);
  if (tooDeep === undefined) return lexed;
  const at = lexed.tokens[tooDeep]!;
  lexed.diagnostics.push({
    severity: 'error',
    code: 'FLOW002',
    message: `brackets nest more than ${MAX_NESTING} levels deep here; the rest of the file is not parsed`,
    span: lines.span(at.startOffset, T.tokenEnd(at)),
    label: 'too deep',
  });
  return { ...lexed, tokens: lexed.tokens.slice(0, tooDeep) };
}

function firstTooDeep(tokens: IToken[]): number | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (type === T.LCurly || type === T.LBracket || type === T.LParen) {
      if (++depth > MAX_NESTING) return i;
    } else if ((type === T.RCurly || type === T.RBracket || type === T.RParen) && depth > 0) depth--;
  }
  return undefined;
}

/** A parse error right after an unterminated string, or anywhere after an unterminated comment. */
function isConsequenceOfLexing(d: Diagnostic, lexed: T.LexResult): boolean {
  if (d.code !== 'FLOW002' || !d.span) return false;
  const { line, offset } = d.span.start;
  if (lexed.unterminatedCommentAt !== undefined && offset > lexed.unterminatedCommentAt) return true;
  return lexed.unterminatedLines.has(line) || lexed.unterminatedLines.has(line - 1);
}

/**
 * One syntax error per line: a second one on the same line is nearly always a consequence of
 * the first (and the first is what to fix). Past a limit, the rest are dropped.
 */
function limitSyntaxErrors(diagnostics: Diagnostic[]): Diagnostic[] {
  const kept: Diagnostic[] = [];
  let lastLine = -1;
  for (const d of byPosition(diagnostics)) {
    const line = d.span?.start.line ?? 0;
    if (line === lastLine) continue;
    lastLine = line;
    kept.push(d);
  }
  if (kept.length <= MAX_SYNTAX_ERRORS) return kept;
  const shown = kept.slice(0, MAX_SYNTAX_ERRORS);
  const last = shown[shown.length - 1]!;
  shown[shown.length - 1] = { ...last, notes: [...(last.notes ?? []), `${kept.length - MAX_SYNTAX_ERRORS} more syntax errors are not shown`] };
  return shown;
}

function byPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0));
}

export type { FlowFile } from './ast.js';
export { LineMap } from './positions.js';
export { Tokens } from './syntax-errors.js';

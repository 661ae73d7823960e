// Parsing a file again after an edit, reusing the parse of every part whose text did not change.
//
// An `agent NAME` at the start of a line ends whatever came before it: every list of the parser
// stops there, and recovery never skips past it (recovery.ts). So the file splits at those lines
// into parts that parse independently, and the parse of a part depends only on its own tokens and
// the few around it that the parser looks at (CONTEXT on each side). A part whose text, context
// included, is unchanged gets its previous items and syntax errors back, moved to where the part
// now is. The result equals a parse of the whole file (test/lsp-incremental.test.ts checks this
// on random edits); wherever that could fail to hold, the whole file is parsed instead.
import { tokenMatcher, type IToken } from './chevrotain.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { Position, TopItem } from './ast.js';
import { parseAllItems, type ItemsParse, type ItemsParser, type ParseReuse } from './index.js';
import { IncrementalLexer } from './incremental-lex.js';
import * as T from './lexer.js';
import { flowParser, type RangeOutput } from './parser.js';
import { hasLineBreak, type LineMap } from './positions.js';
import { GIVE_UP_AFTER } from './recovery.js';
import { describeProblem, describeRecognitionError, type Tokens } from './syntax-errors.js';

/** Tokens on either side of a part that its parse may look at (the parser looks 4 ahead at most). */
const CONTEXT = 16;

/** One part's parse, and where it was: its positions are absolute. */
interface Part {
  /** The text of the part with its context (and its column, which positions on its first line depend on). */
  key: string;
  offset: number;
  line: number;
  items: TopItem[];
  buildDiagnostics: Diagnostic[];
  errorDiagnostics: Diagnostic[];
  problemDiagnostics: Diagnostic[];
  failures: number;
  /** Every position in its items and diagnostics, each once, to move them with the part. */
  positions: Position[];
  /** Whether a message quotes a line number ("the `{` opened at line 12"). */
  quotesLines: boolean;
  /**
   * Whether its messages depend on its window alone. One about a token that recovery made up
   * (a missing `{`) points at the end of the file, and that moves with every edit.
   */
  reusable: boolean;
}

export interface IncrementalStats {
  parts: number;
  reused: number;
  wholeFile: boolean;
}

/** Keeps the tokens and parts of the previous parse of one document; pass it to `parseFlow`. */
export class IncrementalParser implements ParseReuse {
  private previous = new Map<string, Part[]>();
  private readonly lexer = new IncrementalLexer();
  readonly tokenize = this.lexer.tokenize;
  /** What the last parse did, for the tests and the benchmark. */
  stats: IncrementalStats = { parts: 0, reused: 0, wholeFile: false };

  readonly items: ItemsParser = (tokens, lines, described) => {
    const current = new Map<string, Part[]>();
    const parts: Part[] = [];
    let reused = 0;
    let failures = 0;
    const starts = partStarts(tokens, lines.text);
    for (let i = 0; i < starts.length; ) {
      const from = starts[i]!;
      let part: Part | undefined;
      // A part whose last item runs on past the next `agent` line (`sink` on the line before it
      // takes `agent` for its name) is parsed together with the next part, and so on.
      let next = i;
      while (!part) {
        next++;
        const to = next < starts.length ? starts[next]! : tokens.length;
        const window = windowOf(tokens, lines, from, to);
        part = this.take(window.key, window.offset, window.line);
        if (part) reused++;
        else {
          const parsed = parsePart(tokens, lines, described, from, to, window);
          if (parsed === 'gave up' || (!parsed && next >= starts.length)) return this.wholeFile(tokens, lines, described);
          part = parsed;
        }
      }
      i = next;
      failures += part.failures;
      parts.push(part);
      if (!part.reusable) continue;
      const same = current.get(part.key);
      if (same) same.push(part);
      else current.set(part.key, [part]);
    }
    // Past this many failures the whole-file parse gives up part-way; let it say where.
    if (failures > GIVE_UP_AFTER) return this.wholeFile(tokens, lines, described);
    this.previous = current;
    this.stats = { parts: parts.length, reused, wholeFile: false };
    return {
      items: join(parts, (p) => p.items),
      buildDiagnostics: join(parts, (p) => p.buildDiagnostics),
      errorDiagnostics: join(parts, (p) => p.errorDiagnostics),
      problemDiagnostics: join(parts, (p) => p.problemDiagnostics),
    };
  };

  private wholeFile(tokens: IToken[], lines: LineMap, described: Tokens): ItemsParse {
    this.previous = new Map();
    this.stats = { parts: 1, reused: 0, wholeFile: true };
    return parseAllItems(tokens, lines, described);
  }

  /** A previous part with this text, moved to `offset` and `line`; undefined if there is none. */
  private take(key: string, offset: number, line: number): Part | undefined {
    const candidates = this.previous.get(key);
    if (!candidates || candidates.length === 0) return undefined;
    const part = candidates[candidates.length - 1]!;
    const lineDelta = line - part.line;
    // A message that quotes a line number holds only where the part's lines did not move.
    if (lineDelta !== 0 && part.quotesLines) return undefined;
    candidates.pop();
    if (offset !== part.offset || lineDelta !== 0) {
      const offsetDelta = offset - part.offset;
      for (const p of part.positions) {
        p.offset += offsetDelta;
        p.line += lineDelta;
      }
      part.offset = offset;
      part.line = line;
    }
    return part;
  }
}

/** Where parts start: the first token, and every `agent NAME` that begins a line. */
function partStarts(tokens: IToken[], text: string): number[] {
  const starts = [0];
  for (let i = 1; i < tokens.length - 1; i++) {
    const t = tokens[i]!;
    if (t.tokenType !== T.Agent) continue;
    const next = tokens[i + 1]!;
    if (!(tokenMatcher(next, T.Name) || next.tokenType === T.StringTok)) continue;
    if (hasLineBreak(text, T.tokenEnd(tokens[i - 1]!), t.startOffset)) starts.push(i);
  }
  return starts;
}

interface Window {
  key: string;
  offset: number;
  line: number;
  /** Where the window ends; the end of the file when it reaches it. */
  end: number;
  reachesEnd: boolean;
}

/**
 * The text a part's parse depends on: its tokens and CONTEXT more on each side, reaching to the
 * start (end) of the file when the context does, since errors there point at the file's start
 * (end). The column of its start is part of it: positions on its first line depend on it.
 */
function windowOf(tokens: IToken[], lines: LineMap, from: number, to: number): Window {
  const lo = Math.max(0, from - CONTEXT);
  const hi = Math.min(tokens.length, to + CONTEXT);
  const start = lo === 0 || tokens.length === 0 ? 0 : tokens[lo]!.startOffset;
  const end = hi === tokens.length || tokens.length === 0 ? lines.text.length : T.tokenEnd(tokens[hi - 1]!);
  const at = lines.position(start);
  return {
    key: `${at.col}:${from - lo}:${to - from}:${lines.text.slice(start, end)}`,
    offset: start,
    line: at.line,
    end,
    reachesEnd: hi === tokens.length,
  };
}

function parsePart(tokens: IToken[], lines: LineMap, described: Tokens, from: number, to: number, window: Window): Part | 'gave up' | undefined {
  // Every position of the part's nodes and messages is made by `lines`, during these calls.
  const positions: Position[] = [];
  lines.recorder = positions;
  try {
    const out = flowParser.parseRange(tokens, lines, from, to, CONTEXT);
    if (out === undefined || out === 'gave up') return out;
    const errorDiagnostics = out.errors.map((e) => describeRecognitionError(e, described));
    const problemDiagnostics = out.problems.map((p) => describeProblem(p, described));
    const { key, offset, line } = window;
    return {
      key,
      offset,
      line,
      items: out.items,
      buildDiagnostics: out.buildDiagnostics,
      errorDiagnostics,
      problemDiagnostics,
      failures: out.failures,
      positions,
      quotesLines: [out.buildDiagnostics, errorDiagnostics, problemDiagnostics].some((list) => list.some(quotesLine)),
      reusable:
        positions.every((p) => p.offset >= window.offset && p.offset <= window.end) &&
        (window.reachesEnd || !mentionsMadeUpToken(out)),
    };
  } finally {
    lines.recorder = undefined;
  }
}

const LINE_NUMBER = /\bline \d/;

function quotesLine(d: Diagnostic): boolean {
  return [d.message, d.label ?? '', ...(d.help ?? []), ...(d.notes ?? []), ...(d.related ?? []).map((r) => r.message)].some((s) => LINE_NUMBER.test(s));
}

/** The lists one after another; not flatMap, which in V8 takes milliseconds over a file's tokens. */
function join<P, T>(parts: P[], list: (part: P) => T[]): T[] {
  const out: T[] = [];
  for (const part of parts) for (const item of list(part)) out.push(item);
  return out;
}

/** Whether an error is about a token recovery inserted, or the end of the input (no offset). */
function mentionsMadeUpToken(out: RangeOutput): boolean {
  const madeUp = (t: IToken | undefined) => t !== undefined && Number.isNaN(t.startOffset);
  return (
    out.errors.some((e) => madeUp(e.token) || madeUp((e as { previousToken?: IToken }).previousToken)) ||
    out.problems.some((p) => (p.kind === 'stray' ? madeUp(p.token) : madeUp(p.open) || madeUp(p.found) || madeUp(p.name)))
  );
}

// Error recovery for the .flow parser, line- and bracket-aware.
//
// Recovery works at the level of statements, where the user can see it: the file's items, an
// agent's items, the entries of a `{ }` block and the cases of a `route`. When an item fails,
// the parser skips to the next line that starts a new item (counting brackets, so that it never
// lands inside a nested block) and goes on; a token that cannot start an item is swallowed the
// same way. A list that is not closed ends where the next declaration of an enclosing list
// begins. Chevrotain's own rule-level re-sync is disabled, because it knows nothing of lines and
// brackets and would restart inside a half-parsed block; its single-token insertion and
// deletion are kept, but only for punctuation and where the next token makes the intent plain.
import {
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from './chevrotain.js';
import * as T from './lexer.js';
import { hasLineBreak } from './positions.js';

/** The lists in which the parser recovers from errors. */
export type ListKind = 'file' | 'agent' | 'block' | 'route';

/** Syntax errors found by the parser's own recovery, besides chevrotain's exceptions. */
export type ParseProblem =
  | { kind: 'stray'; token: IToken; list: ListKind }
  | { kind: 'unclosed'; open: IToken; found: IToken; list: ListKind; name?: IToken };

/** What chevrotain expected, passed through the exception's message to syntax-errors.ts. */
export interface Expectation {
  rule: string;
  expected: string[];
}

const encode = (rule: string, expected: (TokenType | undefined)[]): string =>
  JSON.stringify({
    rule,
    expected: [...new Set(expected.filter((t): t is TokenType => t !== undefined).map((t) => t.name))],
  } satisfies Expectation);

// The messages are written later, with the whole token stream at hand; here we only record
// the facts chevrotain knows at the point of failure.
const expectationRecorder: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) => encode(ruleName, [expected]),
  buildNotAllInputParsedMessage: ({ ruleName }) => encode(ruleName, [EOF]),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    encode(ruleName, expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0]))),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    encode(ruleName, expectedIterationPaths.map((path) => path[0])),
};

const openers = new Set<TokenType>([T.LCurly, T.LBracket, T.LParen]);
const closers = new Set<TokenType>([T.RCurly, T.RBracket, T.RParen]);
const punctuation = new Set<TokenType>([...openers, ...closers, T.Colon, T.Equals, T.Arrow, T.Comma]);

type Declaration = 'agent' | 'component' | 'let' | 'flow';

/**
 * Past this many failed items, the input is not a .flow file in a bad state but something else
 * entirely (or ten megabytes of mistakes); each failure costs chevrotain a grammar walk, so the
 * parser stops rather than spend seconds on errors nobody will read.
 */
export const GIVE_UP_AFTER = 500;

/** Thrown (and caught in parse()) to stop parsing after GIVE_UP_AFTER failures. */
export class GiveUp extends Error {
  constructor(readonly token: IToken) {
    super('too many syntax errors');
  }
}

/** The parser's recovery machinery; parser.ts holds the grammar that uses it. */
export abstract class RecoveringParser extends EmbeddedActionsParser {
  protected problems: ParseProblem[] = [];
  /** The file's text, to tell where lines break. */
  protected text = '';
  private failures = 0;

  /** How many items failed so far in this parse. */
  protected get failureCount(): number {
    return this.failures;
  }

  constructor() {
    // The grammar's own validations (ambiguities, left recursion) run in the tests (FLOWC_VALIDATE_GRAMMAR=1), not at every start.
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: expectationRecorder, skipValidations: process.env.FLOWC_VALIDATE_GRAMMAR !== '1', traceInitPerf: process.env.FLOWC_TRACE_INIT === '1' });
  }

  override reset(): void {
    super.reset();
    this.problems = [];
    this.failures = 0;
  }

  private failed(): void {
    if (++this.failures > GIVE_UP_AFTER) throw new GiveUp(this.LA(1));
  }

  protected rule<F extends () => unknown>(name: string, impl: F) {
    // Failures propagate to the enclosing list's item(), which knows where to restart.
    return this.RULE(name, impl, { resyncEnabled: false });
  }

  protected keep<N>(list: N[], node: N | undefined): void {
    if (node !== undefined) list.push(node);
  }

  /** Parses one item of a list; on a syntax error, skips to where the next item can start. */
  protected item<N>(list: ListKind, parse: () => N): N | undefined {
    if (this.RECORDING_PHASE) return parse();
    const first = this.LA(1);
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof Error) || !isRecognitionException(e)) throw e;
      this.failed();
      this.resync(list, 0);
      if (this.LA(1) === first) this.SKIP_TOKEN(); // always make progress
      return undefined;
    }
  }

  /** A token that cannot start an item of this list: reported, then skipped with its line. */
  protected stray(list: ListKind): void {
    const token = this.CONSUME(T.AnyToken);
    this.ACTION(() => {
      this.problems.push({ kind: 'stray', token, list });
      this.failed();
      this.resync(list, openers.has(token.tokenType) ? 1 : 0);
    });
  }

  /** The closing `}` of an agent, a block or a route; its absence is reported, not fatal. */
  protected close(open: IToken, list: ListKind, name?: IToken): IToken | undefined {
    // OPTION9/CONSUME9: occurrence numbers chosen not to clash with the rules' own.
    const closing = this.OPTION9(() => this.CONSUME9(T.RCurly));
    this.ACTION(() => {
      if (closing === undefined) this.problems.push({ kind: 'unclosed', open, found: this.LA(1), list, ...(name ? { name } : {}) });
    });
    return closing;
  }

  private resync(list: ListKind, depth: number): void {
    for (;;) {
      const token = this.LA(1);
      if (token.tokenType === EOF) return;
      const lineStart = this.startsLine();
      // A declaration at the start of a line ends a skip at any bracket depth: either it
      // belongs to this list, or this list lacks its `}` and the enclosing one takes over.
      // At the top level, only agents and constants do: the components inside an agent whose
      // header is broken are skipped with it; a misplaced one outside is reported on its own.
      const declaration = lineStart ? this.declarationAhead() : undefined;
      if (declaration !== undefined && (list !== 'file' || depth === 0 || declaration === 'agent' || declaration === 'let')) {
        return;
      }
      if (depth === 0) {
        if (list !== 'file' && token.tokenType === T.RCurly) return;
        if ((lineStart || this.afterSeparator(list)) && this.startsItem(list)) return;
      }
      if (openers.has(token.tokenType)) depth++;
      else if (closers.has(token.tokenType) && depth > 0) depth--;
      this.SKIP_TOKEN();
    }
  }

  private startsItem(list: ListKind): boolean {
    const token = this.LA(1);
    switch (list) {
      case 'file':
        return token.tokenType === T.Agent || token.tokenType === T.Let;
      case 'agent':
        return token.tokenType === T.Let || tokenMatcher(token, T.Role) || token.tokenType === T.Ident;
      case 'block':
        return tokenMatcher(token, T.Name) || tokenMatcher(token, T.StringTok) || token.tokenType === T.Integer;
      case 'route':
        return tokenMatcher(token, T.StringTok) || token.tokenType === T.Default;
    }
  }

  private afterSeparator(list: ListKind): boolean {
    const previous = this.LA(0).tokenType;
    return (list === 'block' || list === 'route') && (previous === T.Comma || previous === T.Semi);
  }

  /** Recognizes the start of a declaration by its first two or three tokens, from LA(at). */
  private declarationAhead(at = 1): Declaration | undefined {
    const first = this.LA(at);
    const second = this.LA(at + 1);
    const named = tokenMatcher(second, T.Name) || second.tokenType === T.StringTok;
    if (first.tokenType === T.Agent && named) return 'agent';
    if (first.tokenType === T.Let && tokenMatcher(second, T.Name) && this.LA(at + 2).tokenType === T.Equals) return 'let';
    if (tokenMatcher(first, T.Role) && named && this.LA(at + 2).tokenType === T.Colon) return 'component';
    if ((first.tokenType === T.Ident || first.tokenType === T.StringTok) && (second.tokenType === T.Arrow || second.tokenType === T.Pipe)) return 'flow';
    return undefined;
  }

  protected startsDeclarationLine(): boolean {
    return this.startsLine() && this.declarationAhead() !== undefined;
  }

  /** Whether LA(at) is the first token on its line. */
  private startsLine(at = 1): boolean {
    const previous = this.LA(at - 1);
    if (previous.tokenType === EOF) return true;
    return hasLineBreak(this.text, T.tokenEnd(previous), this.LA(at).startOffset);
  }

  protected agentContinues(): boolean {
    if (this.LA(1).tokenType === T.RCurly) {
      // A `}` followed by more of an agent's declarations is an extra one: the agent goes on
      // (and the `}` is reported as stray), rather than its rest landing at the top level.
      const next = this.startsLine(2) ? this.declarationAhead(2) : undefined;
      return next === 'component' || next === 'flow';
    }
    // `agent x` at the start of a line: this agent's `}` is missing.
    return !(this.startsLine() && this.declarationAhead() === 'agent');
  }

  /** For blocks and routes: a declaration at the start of a line means the `}` is missing. */
  protected listContinues(): boolean {
    if (this.LA(1).tokenType === T.RCurly) return false;
    // `"value" -> c1` in a route is a case, not a flow between quoted names.
    if (this.LA(1).tokenType === T.StringTok) return true;
    return !this.startsDeclarationLine();
  }

  // A flow starts on its own line (or right after a brace), so that `a -> b c` is an error
  // instead of two flows.
  protected flowMayStart(): boolean {
    const previous = this.LA(0).tokenType;
    return previous === T.LCurly || previous === T.RCurly || this.startsLine();
  }

  // A token is skipped only to reach expected punctuation on the same line (`agent a "h" {`);
  // skipping to reach a name would take the next word for it (`source : netcat`).
  protected override canTokenTypeBeDeletedInRecovery(tokType: TokenType): boolean {
    return punctuation.has(tokType) && !hasLineBreak(this.text, T.tokenEnd(this.LA(0)), this.LA(2).startOffset);
  }

  // Only punctuation is ever inserted, and only where the next token shows what was meant;
  // inserting a name or a value would invent meaning.
  protected override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    const next = this.LA(1);
    const atLineStart = next.tokenType === EOF || this.startsLine();
    switch (tokType) {
      case T.Colon:
        return (tokenMatcher(next, T.Name) || tokenMatcher(next, T.StringTok) || tokenMatcher(next, T.NumberTok)) &&
          this.LA(2).tokenType !== T.Colon;
      case T.Equals:
        return !atLineStart && startsValue(next);
      case T.Arrow:
        // `soruce r1 : x` is a misspelled declaration, not a flow missing its arrow.
        return !atLineStart && (next.tokenType === T.Ident || next.tokenType === T.Route || next.tokenType === T.Failover ||
          next.tokenType === T.Balance) && this.LA(2).tokenType !== T.Colon;
      case T.Header:
        return tokenMatcher(next, T.StringTok);
      case T.LCurly:
        return atLineStart;
      case T.LBracket:
        return next.tokenType === T.Ident;
      case T.RCurly:
      case T.RBracket:
      case T.RParen:
        return atLineStart || next.tokenType === T.With || next.tokenType === T.Arrow;
      default:
        return false;
    }
  }
}

function startsValue(token: IToken): boolean {
  const t = token.tokenType;
  return (
    tokenMatcher(token, T.StringTok) || tokenMatcher(token, T.RawString) || tokenMatcher(token, T.NumberTok) ||
    t === T.Duration || t === T.Size || tokenMatcher(token, T.Name) || t === T.LBracket || t === T.LCurly
  );
}


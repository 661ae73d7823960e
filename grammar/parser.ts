// The grammar of .flow (docs/language.md gives it in EBNF), as a chevrotain parser whose
// actions build the AST directly (through build-ast.ts): no CST, half the allocations.
//
// Error recovery is done at the level of statements, where the user can see it: the file's
// items, an agent's items, the entries of a `{ }` block and the cases of a `route`. When an
// item fails, the parser skips to the next line that starts a new item (counting brackets, so
// that it never lands inside a nested block) and goes on; a token that cannot start an item
// is swallowed the same way. A list that is not closed ends where the next declaration of an
// enclosing list begins. Chevrotain's own rule-level re-sync is disabled, because it knows
// nothing of lines and brackets and would restart inside a half-parsed block; its
// single-token insertion is kept, but only for punctuation and where the next token makes
// the intent plain (see canTokenTypeBeInsertedInRecovery).
import {
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type * as A from './ast.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { AstBuilder } from './build-ast.js';
import * as T from './lexer.js';
import { hasLineBreak, LineMap } from './positions.js';

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

type Declaration = 'agent' | 'component' | 'let' | 'flow';

/** What one parse produces: the file's items and the problems found along the way. */
export interface ParseOutput {
  items: A.TopItem[];
  /** Literal and naming errors, reported while building nodes. */
  buildDiagnostics: Diagnostic[];
  /** Chevrotain's syntax errors. */
  errors: IRecognitionException[];
  problems: ParseProblem[];
}

class FlowParser extends EmbeddedActionsParser {
  private problems: ParseProblem[] = [];
  private text = '';
  private build = new AstBuilder(new LineMap('', ''));
  /** Kept outside the top rule's result, so that nothing parsed is lost whatever happens. */
  private topItems: A.TopItem[] = [];

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: expectationRecorder });
    this.performSelfAnalysis();
  }

  parse(tokens: IToken[], lines: LineMap): ParseOutput {
    this.text = lines.text;
    this.build = new AstBuilder(lines);
    this.input = tokens; // also resets the errors and problems of the previous parse
    this.topItems = [];
    this.file();
    const output = { items: this.topItems, buildDiagnostics: this.build.diagnostics, errors: this.errors, problems: this.problems };
    this.input = []; // do not keep the file's tokens alive
    this.topItems = [];
    return output;
  }

  override reset(): void {
    super.reset();
    this.problems = [];
  }

  // ---- Grammar ----------------------------------------------------------------------------
  // Each rule returns its node, or undefined when a part is missing after recovery.

  // File = { LetDecl | AgentDecl }. The only rule that keeps chevrotain's re-sync: the
  // outermost rule must always come back.
  file = this.RULE('file', () => {
    this.MANY(() =>
      this.OR({
        // One token decides: an item that starts right but goes wrong must be parsed as that
        // item, to be reported as such. The stray alternative takes any token; it comes last.
        MAX_LOOKAHEAD: 1,
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.keep(this.topItems, this.item('file', () => this.SUBRULE(this.letDecl))) },
          { ALT: () => this.keep(this.topItems, this.item('file', () => this.SUBRULE(this.agentDecl))) },
          { ALT: () => this.stray('file') },
        ],
      }),
    );
  });

  letDecl = this.rule('letDecl', (): A.LetDecl | undefined => {
    const keyword = this.CONSUME(T.Let);
    const name = this.CONSUME(T.Name); // a keyword here is reported, not a syntax error
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => this.build.letDecl(keyword, name, value));
  });

  agentDecl = this.rule('agentDecl', (): A.AgentDecl | undefined => {
    const keyword = this.CONSUME(T.Agent);
    const name = this.CONSUME(T.Name);
    const host = this.OPTION(() => {
      this.CONSUME(T.On);
      return this.SUBRULE(this.expr);
    });
    const open = this.CONSUME(T.LCurly);
    const items: A.AgentItem[] = [];
    this.MANY({
      GATE: () => this.agentContinues(),
      DEF: () =>
        this.OR({
          MAX_LOOKAHEAD: 1,
          IGNORE_AMBIGUITIES: true,
          DEF: [
            { ALT: () => this.keep(items, this.item('agent', () => this.SUBRULE(this.letDecl))) },
            { ALT: () => this.keep(items, this.item('agent', () => this.SUBRULE(this.componentDecl))) },
            {
              GATE: () => this.flowMayStart(),
              ALT: () => this.keep(items, this.item('agent', () => this.SUBRULE(this.flowStmt))),
            },
            { ALT: () => this.stray('agent') },
          ],
        }),
    });
    const close = this.close(open, 'agent', name);
    return this.ACTION(() => this.build.agent(keyword, name, host, items, close));
  });

  componentDecl = this.rule('componentDecl', (): A.ComponentDecl | undefined => {
    const role = this.CONSUME(T.Role);
    const name = this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    const body = this.OPTION(() => this.SUBRULE(this.block));
    return this.ACTION(() => this.build.component(role, name, type, body));
  });

  // A kind may be any word, keywords included: `group g : failover`, `group g : default`.
  typeRef = this.rule('typeRef', (): A.TypeRef | undefined => {
    const token = this.OR([{ ALT: () => this.CONSUME(T.Name) }, { ALT: () => this.CONSUME(T.StringTok) }]);
    return this.ACTION(() => this.build.typeRef(token));
  });

  // Block = "{" { Entry [ "," | ";" ] } "}"
  block = this.rule('block', (): A.Block | undefined => {
    const open = this.CONSUME(T.LCurly);
    const entries: A.Entry[] = [];
    this.MANY({
      GATE: () => this.listContinues(),
      DEF: () =>
        this.OR({
          MAX_LOOKAHEAD: 1,
          IGNORE_AMBIGUITIES: true,
          DEF: [
            {
              ALT: () => {
                this.keep(entries, this.item('block', () => this.SUBRULE(this.entry)));
                this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }]));
              },
            },
            { ALT: () => this.stray('block') },
          ],
        }),
    });
    const close = this.close(open, 'block');
    return this.ACTION(() => this.build.block(open, entries, close));
  });

  // Entry = KeyPath ( "=" Expr | Block )
  entry = this.rule('entry', (): A.Entry | undefined => {
    const key = this.SUBRULE(this.keyPath);
    const value = this.OR<A.Expr | A.Block | undefined>([
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          return this.SUBRULE(this.expr);
        },
      },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
    return this.ACTION(() => this.build.entry(key, value));
  });

  keyPath = this.rule('keyPath', (): A.KeyPath | undefined => {
    const segments = [this.SUBRULE(this.keySegment)];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      segments.push(this.SUBRULE2(this.keySegment));
    });
    return this.ACTION(() => this.build.keyPath(segments));
  });

  keySegment = this.rule('keySeg', (): IToken =>
    this.OR([
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.CONSUME(T.StringTok) },
      { ALT: () => this.CONSUME(T.Integer) },
    ]),
  );

  // Expr = Primary { "+" Primary }
  expr = this.rule('expr', (): A.Expr | undefined => {
    const operands = [this.SUBRULE(this.primary)];
    this.MANY(() => {
      this.CONSUME(T.Plus);
      operands.push(this.SUBRULE2(this.primary));
    });
    return this.ACTION(() => this.build.concat(operands));
  });

  primary = this.rule('primary', (): A.Expr | undefined =>
    this.OR<A.Expr | undefined>([
      {
        ALT: () => {
          const token = this.CONSUME(T.Literal);
          return this.ACTION(() => this.build.literal(token));
        },
      },
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.SUBRULE(this.ref) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.block) },
    ]),
  );

  call = this.rule('call', (): A.CallExpr | undefined => {
    const callee = this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    const args: (A.Expr | undefined)[] = [];
    this.OPTION(() => {
      args.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.expr));
      });
    });
    const close = this.CONSUME(T.RParen);
    return this.ACTION(() => this.build.call(callee, args, close));
  });

  ref = this.rule('ref', (): A.RefExpr | undefined => {
    const segments = [this.CONSUME(T.ValueWord)];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      segments.push(this.CONSUME(T.Name));
    });
    return this.ACTION(() => this.build.ref(segments));
  });

  list = this.rule('list', (): A.ListExpr | undefined => {
    const open = this.CONSUME(T.LBracket);
    const items: (A.Expr | undefined)[] = [];
    this.OPTION(() => {
      items.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        items.push(this.SUBRULE2(this.expr));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RBracket);
    return this.ACTION(() => this.build.list(open, items, close));
  });

  // ---- Flows ------------------------------------------------------------------------------

  // FlowStmt = IDENT { "|" PipeStep } "->" Stage { "->" Stage }
  flowStmt = this.rule('flowStmt', (): A.FlowStmt | undefined => {
    const head = this.CONSUME(T.Ident);
    const pipes: (A.PipeStep | undefined)[] = [];
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      pipes.push(this.SUBRULE(this.pipeStep));
    });
    this.CONSUME(T.Arrow);
    const stages = [this.SUBRULE(this.stage)];
    this.MANY2(() => {
      this.CONSUME2(T.Arrow);
      stages.push(this.SUBRULE2(this.stage));
    });
    return this.ACTION(() => this.build.flow(head, pipes, stages));
  });

  pipeStep = this.rule('pipeStep', (): A.PipeStep | undefined => {
    const type = this.SUBRULE(this.typeRef);
    const body = this.OPTION(() => this.SUBRULE(this.block));
    return this.ACTION(() => this.build.pipe(type, body));
  });

  stage = this.rule('stage', (): A.Stage | undefined =>
    this.OR<A.Stage | undefined>([
      { ALT: () => this.SUBRULE(this.routeStage) },
      { ALT: () => this.SUBRULE(this.failoverStage) },
      { ALT: () => this.SUBRULE(this.balanceStage) },
      { ALT: () => this.SUBRULE(this.targets) },
    ]),
  );

  // Targets = Target { "," Target } [ "with" Block ]
  targets = this.rule('targets', (): A.TargetList | undefined => {
    const targets = [this.SUBRULE(this.target)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      targets.push(this.SUBRULE2(this.target));
    });
    const options = this.OPTION(() => this.SUBRULE(this.withOptions));
    return this.ACTION(() => this.build.targets(targets, options));
  });

  target = this.rule('target', (): A.Target | undefined => {
    const name = this.CONSUME(T.Ident);
    const optional = this.OPTION(() => this.CONSUME(T.Question));
    return this.ACTION(() => this.build.target(name, optional));
  });

  withOptions = this.rule('withOptions', (): A.Block | undefined => {
    this.CONSUME(T.With);
    return this.SUBRULE(this.block);
  });

  // Route = "route" "header" STRING "{" { RouteCase [ ";" ] } "}" [ "with" Block ]
  routeStage = this.rule('routeStage', (): A.RouteStage | undefined => {
    const keyword = this.CONSUME(T.Route);
    this.CONSUME(T.Header);
    const header = this.CONSUME(T.StringTok);
    const open = this.CONSUME(T.LCurly);
    const cases: A.RouteCase[] = [];
    this.MANY({
      GATE: () => this.listContinues(),
      DEF: () =>
        this.OR({
          MAX_LOOKAHEAD: 1,
          IGNORE_AMBIGUITIES: true,
          DEF: [
            {
              ALT: () => {
                this.keep(cases, this.item('route', () => this.SUBRULE(this.routeCase)));
                this.OPTION(() => this.CONSUME(T.Semi));
              },
            },
            { ALT: () => this.stray('route') },
          ],
        }),
    });
    const close = this.close(open, 'route');
    const options = this.OPTION2(() => this.SUBRULE(this.withOptions));
    return this.ACTION(() => this.build.route(keyword, header, cases, close, options));
  });

  // RouteCase = ( STRING | "default" ) "->" Target { "," Target }
  routeCase = this.rule('routeCase', (): A.RouteCase | undefined => {
    const value = this.OR([{ ALT: () => this.CONSUME(T.StringTok) }, { ALT: () => this.CONSUME(T.Default) }]);
    this.CONSUME(T.Arrow);
    const targets = [this.SUBRULE(this.target)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      targets.push(this.SUBRULE2(this.target));
    });
    return this.ACTION(() => this.build.routeCase(value, targets));
  });

  // "failover" [ IDENT ] "{" [ Member { "," Member } [ "," ] ] "}" [ "with" Block ]
  failoverStage = this.rule('failoverStage', (): A.GroupStage | undefined => {
    const policy = this.CONSUME(T.Failover);
    const name = this.OPTION(() => this.CONSUME(T.Ident));
    this.CONSUME(T.LCurly);
    const members: (A.GroupMember | undefined)[] = [];
    this.OPTION2(() => {
      members.push(this.SUBRULE(this.member));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        members.push(this.SUBRULE2(this.member));
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RCurly);
    const options = this.OPTION4(() => this.SUBRULE(this.withOptions));
    return this.ACTION(() => this.build.group(policy, name, members, close, options));
  });

  // Member = IDENT ":" NUMBER
  member = this.rule('member', (): A.GroupMember | undefined => {
    const name = this.CONSUME(T.Ident);
    this.CONSUME(T.Colon);
    const priority = this.CONSUME(T.NumberTok);
    return this.ACTION(() => this.build.member(name, priority));
  });

  // "balance" [ IDENT ] "[" [ IDENT { "," IDENT } [ "," ] ] "]" [ "with" Block ]
  balanceStage = this.rule('balanceStage', (): A.GroupStage | undefined => {
    const policy = this.CONSUME(T.Balance);
    const name = this.OPTION(() => this.CONSUME(T.Ident));
    this.CONSUME(T.LBracket);
    const members: IToken[] = [];
    this.OPTION2(() => {
      members.push(this.CONSUME2(T.Ident));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        members.push(this.CONSUME3(T.Ident));
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RBracket);
    const options = this.OPTION4(() => this.SUBRULE(this.withOptions));
    return this.ACTION(() => this.build.group(policy, name, members.map((m) => this.build.member(m)), close, options));
  });

  // ---- Recovery ---------------------------------------------------------------------------

  private rule<F extends () => unknown>(name: string, impl: F) {
    // Failures propagate to the enclosing list's item(), which knows where to restart.
    return this.RULE(name, impl, { resyncEnabled: false });
  }

  private keep<N>(list: N[], node: N | undefined): void {
    if (node !== undefined) list.push(node);
  }

  /** Parses one item of a list; on a syntax error, skips to where the next item can start. */
  private item<N>(list: ListKind, parse: () => N): N | undefined {
    if (this.RECORDING_PHASE) return parse();
    const first = this.LA(1);
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof Error) || !isRecognitionException(e)) throw e;
      this.resync(list, 0);
      if (this.LA(1) === first) this.SKIP_TOKEN(); // always make progress
      return undefined;
    }
  }

  /** A token that cannot start an item of this list: reported, then skipped with its line. */
  private stray(list: ListKind): void {
    const token = this.CONSUME(T.AnyToken);
    this.ACTION(() => {
      this.problems.push({ kind: 'stray', token, list });
      this.resync(list, openers.has(token.tokenType) ? 1 : 0);
    });
  }

  /** The closing `}` of an agent, a block or a route; its absence is reported, not fatal. */
  private close(open: IToken, list: ListKind, name?: IToken): IToken | undefined {
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
      // (At the top level, a misplaced component or flow is then reported on its own.)
      if (lineStart && this.declarationAhead() !== undefined) return;
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

  /** Recognizes the start of a declaration by its first two or three tokens. */
  private declarationAhead(): Declaration | undefined {
    const first = this.LA(1).tokenType;
    const second = this.LA(2);
    if (first === T.Agent && tokenMatcher(second, T.Name)) return 'agent';
    if (first === T.Let && tokenMatcher(second, T.Name) && this.LA(3).tokenType === T.Equals) return 'let';
    if (tokenMatcher(this.LA(1), T.Role) && tokenMatcher(second, T.Name) && this.LA(3).tokenType === T.Colon) {
      return 'component';
    }
    if (first === T.Ident && (second.tokenType === T.Arrow || second.tokenType === T.Pipe)) return 'flow';
    return undefined;
  }

  /** Whether the next token is the first on its line. */
  private startsLine(): boolean {
    const previous = this.LA(0);
    if (previous.tokenType === EOF) return true;
    return hasLineBreak(this.text, T.tokenEnd(previous), this.LA(1).startOffset);
  }

  private agentContinues(): boolean {
    const token = this.LA(1);
    if (token.tokenType === T.RCurly) return false;
    // `agent x` at the start of a line: this agent's `}` is missing.
    return !(this.startsLine() && this.declarationAhead() === 'agent');
  }

  /** For blocks and routes: a declaration at the start of a line means the `}` is missing. */
  private listContinues(): boolean {
    if (this.LA(1).tokenType === T.RCurly) return false;
    return !(this.startsLine() && this.declarationAhead() !== undefined);
  }

  // A flow starts on its own line (or right after a brace), so that `a -> b c` is an error
  // instead of two flows.
  private flowMayStart(): boolean {
    const previous = this.LA(0).tokenType;
    return previous === T.LCurly || previous === T.RCurly || this.startsLine();
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

/** Built once: chevrotain's grammar analysis is the expensive part, and the parser is reusable. */
export const flowParser = new FlowParser();

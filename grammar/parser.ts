// The grammar of .flow (docs/language.md gives it in EBNF), as a chevrotain parser whose
// actions build the AST directly (through build-ast.ts): no CST, half the allocations.
// How it recovers from errors is in recovery.ts.
import type { IRecognitionException, IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { AstBuilder } from './build-ast.js';
import * as T from './lexer.js';
import { LineMap } from './positions.js';
import { GiveUp, RecoveringParser, type ParseProblem } from './recovery.js';

/** What one parse produces: the file's items and the problems found along the way. */
export interface ParseOutput {
  items: A.TopItem[];
  /** Literal and naming errors, reported while building nodes. */
  buildDiagnostics: Diagnostic[];
  /** Chevrotain's syntax errors. */
  errors: IRecognitionException[];
  problems: ParseProblem[];
  /** Where the parser gave up, after too many errors. */
  stoppedAt?: IToken;
}

/** What a range parse produces; `failures` counts towards the file's limit (GIVE_UP_AFTER). */
export interface RangeOutput {
  items: A.TopItem[];
  buildDiagnostics: Diagnostic[];
  errors: IRecognitionException[];
  problems: ParseProblem[];
  failures: number;
}

class FlowParser extends RecoveringParser {
  private build = new AstBuilder(new LineMap('', ''));
  /** Kept outside the top rule's result, so that nothing parsed is lost whatever happens. */
  private topItems: A.TopItem[] = [];
  /** The file's item loop stops at this token index (a range parse, see parseRange). */
  private stopIndex = Infinity;

  constructor() {
    super();
    this.performSelfAnalysis();
    // When a range parse stops the file's item loop at the end of its range, chevrotain would
    // take the tokens left for "not all input parsed" and skip them all to reach the end of the
    // input (its in-repetition recovery). In a whole-file parse that loop only ends at the end.
    const self = this as unknown as { attemptInRepetitionRecovery: (...args: unknown[]) => void; RULE_STACK_IDX: number };
    const recover = self.attemptInRepetitionRecovery;
    self.attemptInRepetitionRecovery = (...args: unknown[]) => {
      if (self.RULE_STACK_IDX === 0 && this.tokenCursor + 1 === this.stopIndex) return;
      recover.apply(this, args);
    };
  }

  /** The index of the last token consumed: chevrotain's own cursor, which its typings leave out. */
  private get tokenCursor(): number {
    return (this as unknown as { currIdx: number }).currIdx;
  }

  private set tokenCursor(index: number) {
    (this as unknown as { currIdx: number }).currIdx = index;
  }

  parse(tokens: IToken[], lines: LineMap): ParseOutput {
    this.text = lines.text;
    this.build = new AstBuilder(lines);
    this.input = tokens; // also resets the errors and problems of the previous parse
    this.topItems = [];
    try {
      let stoppedAt: IToken | undefined;
      try {
        this.file();
      } catch (e) {
        if (!(e instanceof GiveUp)) throw e;
        stoppedAt = e.token;
      }
      const output: ParseOutput = { items: this.topItems, buildDiagnostics: this.build.diagnostics, errors: this.errors, problems: this.problems };
      if (stoppedAt) output.stoppedAt = stoppedAt;
      return output;
    } finally {
      this.input = []; // do not keep the file's tokens alive
      this.topItems = [];
    }
  }

  /**
   * Parses the top-level items among `tokens[from, to)` exactly as a parse of the whole file
   * would, provided the item loop of the file is what reaches `to` (see incremental.ts): the
   * parser sees up to `context` tokens on either side, for its look-ahead and look-behind.
   * Undefined when that does not hold (an item ran past `to`): the caller then parses a
   * longer range. 'gave up' after too many errors: the caller then parses the whole file.
   */
  parseRange(tokens: IToken[], lines: LineMap, from: number, to: number, context: number): RangeOutput | 'gave up' | undefined {
    const lo = Math.max(0, from - context);
    const hi = Math.min(tokens.length, to + context);
    this.text = lines.text;
    this.build = new AstBuilder(lines);
    this.input = tokens.slice(lo, hi);
    this.tokenCursor = from - lo - 1; // start at `from`, with the tokens before it as LA(0), LA(-1)...
    this.stopIndex = to - lo;
    this.topItems = [];
    try {
      this.file();
      if (this.tokenCursor + 1 !== this.stopIndex) return undefined;
      // The loop stopped before the end of the input on purpose; that is not an error here.
      const errors = this.errors.filter((e) => e.name !== 'NotAllInputParsedException');
      return { items: this.topItems, buildDiagnostics: this.build.diagnostics, errors, problems: this.problems, failures: this.failureCount };
    } catch (e) {
      if (e instanceof GiveUp) return 'gave up';
      throw e;
    } finally {
      this.input = [];
      this.topItems = [];
      this.stopIndex = Infinity;
    }
  }

  // ---- Grammar ----------------------------------------------------------------------------
  // Each rule returns its node, or undefined when a part is missing after recovery.

  // File = { LetDecl | AgentDecl }. The only rule that keeps chevrotain's re-sync: the
  // outermost rule must always come back.
  file = this.RULE('file', () => {
    this.MANY({
      GATE: () => this.tokenCursor + 1 < this.stopIndex,
      DEF: () =>
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
    });
  });

  // Names Flume allows but identifiers cannot spell (`<Agent>`, `my agent`) are quoted.
  declName = this.rule('declName', (): IToken =>
    this.OR([{ ALT: () => this.CONSUME(T.Name) }, { ALT: () => this.CONSUME(T.StringTok) }]),
  );

  refName = this.rule('refName', (): IToken =>
    this.OR([{ ALT: () => this.CONSUME(T.Ident) }, { ALT: () => this.CONSUME(T.StringTok) }]),
  );

  letDecl = this.rule('letDecl', (): A.LetDecl | undefined => {
    const keyword = this.CONSUME(T.Let);
    const name = this.CONSUME(T.Name); // a keyword here is reported, not a syntax error
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => this.build.letDecl(keyword, name, value));
  });

  agentDecl = this.rule('agentDecl', (): A.AgentDecl | undefined => {
    const keyword = this.CONSUME(T.Agent);
    const name = this.SUBRULE(this.declName);
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
    const name = this.SUBRULE(this.declName);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    const body = this.OPTION(() => this.SUBRULE(this.block));
    return this.ACTION(() => this.build.component(role, name, type, body));
  });

  // A kind may be any word, keywords included: `group g : failover`, `group g : default`.
  // (But not the start of the next declaration, when the kind is missing at the end of a line.)
  typeRef = this.rule('typeRef', (): A.TypeRef | undefined => {
    const token = this.OR([
      { GATE: () => !this.startsDeclarationLine(), ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.CONSUME(T.StringTok) },
    ]);
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
    const head = this.SUBRULE(this.refName);
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
    const name = this.SUBRULE(this.refName);
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
    const name = this.OPTION(() => this.SUBRULE(this.refName));
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
    const name = this.SUBRULE(this.refName);
    this.CONSUME(T.Colon);
    const priority = this.CONSUME(T.NumberTok);
    return this.ACTION(() => this.build.member(name, priority));
  });

  // "balance" [ IDENT ] "[" [ IDENT { "," IDENT } [ "," ] ] "]" [ "with" Block ]
  balanceStage = this.rule('balanceStage', (): A.GroupStage | undefined => {
    const policy = this.CONSUME(T.Balance);
    const name = this.OPTION(() => this.SUBRULE(this.refName));
    this.CONSUME(T.LBracket);
    const members: IToken[] = [];
    this.OPTION2(() => {
      members.push(this.SUBRULE2(this.refName));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        members.push(this.SUBRULE3(this.refName));
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    const close = this.CONSUME(T.RBracket);
    const options = this.OPTION4(() => this.SUBRULE(this.withOptions));
    return this.ACTION(() => this.build.group(policy, name, members.map((m) => this.build.member(m)), close, options));
  });

}

/** Built once: chevrotain's grammar analysis is the expensive part, and the parser is reusable. */
export const flowParser = new FlowParser();

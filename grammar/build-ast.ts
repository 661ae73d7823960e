// Building AST nodes from the tokens and sub-nodes the parser's actions hand over.
//
// After error recovery a part may be missing: undefined, or a token chevrotain inserted. A node
// that lacks a required part (or holds an invalid literal) is not built, and the smallest
// statement around it is dropped, so that every later stage sees a well-typed tree and no
// made-up values. Literal and naming errors (FLOW004, FLOW005) are reported from here.
import type { IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import * as T from './lexer.js';
import {
  decodeDuration,
  decodeNumber,
  decodeRawString,
  decodeSize,
  decodeString,
  explainBadQuantity,
  type LiteralProblem,
} from './literals.js';
import type { LineMap } from './positions.js';

/** A token the user wrote (not one invented by recovery). */
export type Tok = IToken | undefined;
type Part = Tok | { span: A.Span };

const real = (t: Tok): t is IToken => t !== undefined && !t.isInsertedInRecovery;

/** All present, or undefined: a list with a broken element is itself broken. */
function complete<T>(items: (T | undefined)[]): T[] | undefined {
  return items.includes(undefined) ? undefined : (items as T[]);
}

const roleNouns: Record<A.ComponentRole, string> = {
  source: 'a source',
  channel: 'a channel',
  sink: 'a sink',
  interceptor: 'an interceptor',
  group: 'a sink group',
  filter: 'a config filter',
};

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly lines: LineMap) {}

  // ---- Spans and errors -------------------------------------------------------------------

  private tokenSpan(t: IToken): A.Span {
    return this.lines.span(t.startOffset, T.tokenEnd(t));
  }

  /**
   * From the start of the first present part to the end of the last; parts in source order.
   * A node made of one part shares that part's span: spans are never mutated, and a large file
   * has hundreds of thousands of them.
   */
  private cover(...parts: Part[]): A.Span {
    let first: Part;
    let last: Part;
    for (const p of parts) {
      if (p === undefined || ('tokenType' in p && p.isInsertedInRecovery)) continue;
      first ??= p;
      last = p;
    }
    if (first === last && 'span' in first!) return first.span;
    const start = 'span' in first! ? first.span.start : this.lines.position(first!.startOffset);
    const end = 'span' in last! ? last.span.end : this.lines.position(T.tokenEnd(last!));
    return { file: this.lines.file, start, end };
  }

  private error(code: string, span: A.Span, message: string, label: string, help?: string[]): void {
    this.diagnostics.push({ severity: 'error', code, message, span, label, ...(help ? { help } : {}) });
  }

  private literalError(t: IToken, p: LiteralProblem): undefined {
    const span = this.lines.span(t.startOffset + p.start, t.startOffset + p.end);
    this.error('FLOW004', span, p.message, p.label, p.help);
    return undefined;
  }

  // ---- Names ------------------------------------------------------------------------------

  ident(t: Tok): A.Ident | undefined {
    if (!real(t)) return undefined;
    const name = t.tokenType === T.StringTok ? this.stringValue(t) : t.image;
    return { kind: 'Ident', name, span: this.tokenSpan(t) };
  }

  /** A declared name; a keyword is reported but kept, so that uses of the name still resolve. */
  private declaredName(t: Tok, what: string): A.Ident | undefined {
    const ident = this.ident(t);
    if (ident && t!.tokenType !== T.StringTok && T.isKeyword(t!)) {
      this.error('FLOW005', ident.span, `\`${ident.name}\` is a keyword and cannot name ${what}; choose another name`, 'keyword');
    }
    return ident;
  }

  // ---- Declarations -----------------------------------------------------------------------

  letDecl(letToken: Tok, nameToken: Tok, value: A.Expr | undefined): A.LetDecl | undefined {
    const name = this.declaredName(nameToken, 'a constant');
    if (!name || !value) return undefined;
    return { kind: 'Let', name, value, span: this.cover(letToken, value) };
  }

  agent(agentToken: Tok, nameToken: Tok, host: A.Expr | undefined, items: A.AgentItem[], close: Tok): A.AgentDecl | undefined {
    const name = this.declaredName(nameToken, 'an agent');
    if (!name) return undefined;
    const span = this.cover(agentToken, name, host, items.at(-1), close);
    const agent: A.AgentDecl = { kind: 'Agent', name, items, span };
    if (host) agent.host = host;
    return agent;
  }

  component(roleToken: Tok, nameToken: Tok, type: A.TypeRef | undefined, body: A.Block | undefined): A.ComponentDecl | undefined {
    if (!real(roleToken)) return undefined;
    const role = roleToken.image as A.ComponentRole;
    const name = this.declaredName(nameToken, roleNouns[role]);
    if (!name || !type) return undefined;
    const component: A.ComponentDecl = { kind: 'Component', role, name, type, span: this.cover(roleToken, type, body) };
    if (body) component.body = body;
    return component;
  }

  typeRef(t: Tok): A.TypeRef | undefined {
    if (!real(t)) return undefined;
    const isClassName = T.isString(t);
    return { kind: 'TypeRef', name: isClassName ? this.stringValue(t) : t.image, isClassName, span: this.tokenSpan(t) };
  }

  // ---- Blocks -----------------------------------------------------------------------------

  block(open: Tok, entries: A.Entry[], close: Tok): A.Block | undefined {
    if (!real(open)) return undefined;
    return { kind: 'Block', entries, span: this.cover(open, entries.at(-1), close) };
  }

  entry(key: A.KeyPath | undefined, value: A.Expr | A.Block | undefined): A.Entry | undefined {
    if (!key || !value) return undefined;
    return { kind: 'Entry', key, value, span: this.cover(key, value) };
  }

  keyPath(segmentTokens: Tok[]): A.KeyPath | undefined {
    const segments: A.Ident[] = [];
    for (const t of segmentTokens) {
      if (!real(t)) return undefined;
      segments.push({ kind: 'Ident', name: T.isString(t) ? this.stringValue(t) : t.image, span: this.tokenSpan(t) });
    }
    if (segments.length === 0) return undefined;
    const first = segments[0]!;
    if (segments.length === 1) return { kind: 'KeyPath', segments, text: first.name, span: first.span };
    const text = segments.map((s) => s.name).join('.');
    return { kind: 'KeyPath', segments, text, span: this.cover(first, segments[segments.length - 1]) };
  }

  // ---- Expressions ------------------------------------------------------------------------

  /** `a + b + c` is `(a + b) + c`. */
  concat(operands: (A.Expr | undefined)[]): A.Expr | undefined {
    const all = complete(operands);
    if (!all || all.length === 0) return undefined;
    let expr = all[0]!;
    for (let i = 1; i < all.length; i++) expr = { kind: 'Concat', left: expr, right: all[i]!, span: this.cover(expr, all[i]) };
    return expr;
  }

  literal(t: Tok): A.Expr | undefined {
    if (!real(t)) return undefined;
    switch (t.tokenType) {
      case T.StringTok:
      case T.UnterminatedString:
        return { kind: 'String', value: this.stringValue(t), raw: false, span: this.tokenSpan(t) };
      case T.RawString:
      case T.UnterminatedRawString:
        return { kind: 'String', value: decodeRawString(t.image, t.tokenType === T.RawString), raw: true, span: this.tokenSpan(t) };
      case T.True:
      case T.False:
        return { kind: 'Bool', value: t.tokenType === T.True, span: this.tokenSpan(t) };
      case T.Duration: {
        const d = decodeDuration(t.image);
        return d.ok ? { kind: 'Duration', ...d.value, text: t.image, span: this.tokenSpan(t) } : this.literalError(t, d.problem);
      }
      case T.Size: {
        const s = decodeSize(t.image);
        return s.ok ? { kind: 'Size', ...s.value, text: t.image, span: this.tokenSpan(t) } : this.literalError(t, s.problem);
      }
      default:
        return this.number(t);
    }
  }

  number(t: Tok): A.NumberLit | undefined {
    if (!real(t)) return undefined;
    if (t.tokenType === T.BadQuantity) return this.literalError(t, explainBadQuantity(t.image));
    const n = decodeNumber(t.image, t.tokenType === T.Integer);
    if (!n.ok) return this.literalError(t, n.problem);
    return { kind: 'Number', value: n.value.value, text: t.image, isInteger: n.value.isInteger, span: this.tokenSpan(t) };
  }

  private stringValue(t: IToken): string {
    const { value, problems } = decodeString(t.image, t.tokenType === T.StringTok);
    for (const p of problems) this.literalError(t, p);
    return value;
  }

  string(t: Tok): A.StringLit | undefined {
    return real(t) ? { kind: 'String', value: this.stringValue(t), raw: false, span: this.tokenSpan(t) } : undefined;
  }

  call(calleeToken: Tok, args: (A.Expr | undefined)[], close: Tok): A.CallExpr | undefined {
    const callee = this.ident(calleeToken);
    const all = complete(args);
    if (!callee || !all) return undefined;
    return { kind: 'Call', callee, args: all, span: this.cover(callee, all.at(-1), close) };
  }

  ref(segmentTokens: Tok[]): A.RefExpr | undefined {
    const path = complete(segmentTokens.map((t) => this.ident(t)));
    if (!path || path.length === 0) return undefined;
    const text = path.length === 1 ? path[0]!.name : path.map((p) => p.name).join('.');
    return { kind: 'Ref', path, text, span: this.cover(path[0], path[path.length - 1]) };
  }

  list(open: Tok, items: (A.Expr | undefined)[], close: Tok): A.ListExpr | undefined {
    const all = complete(items);
    if (!real(open) || !all) return undefined;
    return { kind: 'List', items: all, span: this.cover(open, all.at(-1), close) };
  }

  // ---- Flows ------------------------------------------------------------------------------

  flow(headToken: Tok, pipes: (A.PipeStep | undefined)[], stages: (A.Stage | undefined)[]): A.FlowStmt | undefined {
    const head = this.ident(headToken);
    const interceptors = complete(pipes);
    const allStages = complete(stages);
    if (!head || !interceptors || !allStages || allStages.length === 0) return undefined;
    return { kind: 'Flow', head, interceptors, stages: allStages, span: this.cover(head, allStages.at(-1)) };
  }

  pipe(target: A.TypeRef | undefined, body: A.Block | undefined): A.PipeStep | undefined {
    if (!target) return undefined;
    const pipe: A.PipeStep = { kind: 'Pipe', target, span: this.cover(target, body) };
    if (body) pipe.body = body;
    return pipe;
  }

  targets(targets: (A.Target | undefined)[], options: A.Block | undefined): A.TargetList | undefined {
    const all = complete(targets);
    if (!all || all.length === 0) return undefined;
    const list: A.TargetList = { kind: 'Targets', targets: all, span: this.cover(all[0], all[all.length - 1], options) };
    if (options) list.options = options;
    return list;
  }

  target(nameToken: Tok, question: Tok): A.Target | undefined {
    const name = this.ident(nameToken);
    if (!name) return undefined;
    return { kind: 'Target', name, optional: real(question), span: this.cover(name, question) };
  }

  route(routeToken: Tok, headerToken: Tok, cases: A.RouteCase[], close: Tok, options: A.Block | undefined): A.RouteStage | undefined {
    const header = this.string(headerToken);
    if (!header) return undefined;
    const span = this.cover(routeToken, header, cases.at(-1), close, options);
    const route: A.RouteStage = { kind: 'Route', header, cases, span };
    if (options) route.options = options;
    return route;
  }

  routeCase(valueToken: Tok, targets: (A.Target | undefined)[]): A.RouteCase | undefined {
    const all = complete(targets);
    if (!real(valueToken) || !all || all.length === 0) return undefined;
    const span = this.cover(valueToken, all.at(-1));
    if (valueToken.tokenType === T.Default) {
      return { kind: 'RouteCase', defaultSpan: this.tokenSpan(valueToken), targets: all, span };
    }
    const value = this.string(valueToken)!;
    return { kind: 'RouteCase', value, targets: all, span };
  }

  group(
    policyToken: Tok,
    nameToken: Tok,
    members: (A.GroupMember | undefined)[],
    close: Tok,
    options: A.Block | undefined,
  ): A.GroupStage | undefined {
    const all = complete(members);
    if (!real(policyToken) || !all) return undefined;
    const name = this.ident(nameToken);
    const group: A.GroupStage = {
      kind: 'Group',
      policy: policyToken.tokenType === T.Failover ? 'failover' : 'balance',
      policySpan: this.tokenSpan(policyToken),
      members: all,
      span: this.cover(policyToken, name, all.at(-1), close, options),
    };
    if (name) group.name = name;
    if (options) group.options = options;
    return group;
  }

  /** `k1: 10` in a failover group, or `k1` in a balance list. */
  member(nameToken: Tok, priorityToken?: Tok): A.GroupMember | undefined {
    const name = this.ident(nameToken);
    if (!name) return undefined;
    if (priorityToken === undefined) return { kind: 'GroupMember', name, span: name.span };
    const priority = this.number(priorityToken);
    if (!priority) return undefined;
    return { kind: 'GroupMember', name, priority, span: this.cover(name, priority) };
  }
}

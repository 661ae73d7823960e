// Turns expressions into values: looks up `let` constants, joins `+`, reads `env(...)`.
import type { Expr, Span } from '../grammar/ast.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { StringPart, Value } from './model.js';
import { suggest } from './util/suggest.js';

export class Scope {
  private readonly values = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}

  get(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }

  child(): Scope {
    return new Scope(this);
  }

  /** Every name visible from here, for suggestions. */
  names(): string[] {
    return [...this.values.keys(), ...(this.parent?.names() ?? [])];
  }
}

export function evaluate(expr: Expr, scope: Scope, diagnostics: Diagnostic[]): Value | undefined {
  switch (expr.kind) {
    case 'String':
      return { t: 'str', parts: [expr.value], span: expr.span };
    case 'Number':
      return { t: 'num', v: expr.value, text: expr.text.replace(/_/g, ''), integer: expr.isInteger, span: expr.span };
    case 'Bool':
      return { t: 'bool', v: expr.value, span: expr.span };
    case 'Duration':
      return { t: 'duration', ms: expr.millis, text: expr.text, span: expr.span };
    case 'Size':
      return { t: 'size', bytes: expr.bytes, text: expr.text, span: expr.span };
    case 'Ref': {
      if (expr.path.length === 1) {
        const constant = scope.get(expr.path[0]!.name);
        if (constant) return withSpan(constant, expr.span);
        return { t: 'word', v: expr.text, span: expr.span };
      }
      if (expr.path.length === 2) {
        return { t: 'ref', agent: expr.path[0]!.name, component: expr.path[1]!.name, span: expr.span };
      }
      return { t: 'word', v: expr.text, span: expr.span };
    }
    case 'List': {
      const items: Value[] = [];
      for (const item of expr.items) {
        const v = evaluate(item, scope, diagnostics);
        if (v) items.push(v);
      }
      return { t: 'list', items, span: expr.span };
    }
    case 'Block':
      // A map in value position is flattened by the caller, which knows the key prefix.
      diagnostics.push({
        severity: 'error',
        code: 'FLOW016',
        message: 'a map can only be the value of a property',
        span: expr.span,
        label: 'map used inside an expression',
      });
      return undefined;
    case 'Concat':
      return concat(expr, scope, diagnostics);
    case 'Call':
      return call(expr, scope, diagnostics);
  }
}

type ConcatExpr = Extract<Expr, { kind: 'Concat' }>;

/**
 * `a + b + c` is `(a + b) + c`: a chain of n terms nests n deep on the left. It is walked in a
 * loop, not by recursion, so that a chain of any length is evaluated without exhausting the stack.
 */
function concat(expr: ConcatExpr, scope: Scope, diagnostics: Diagnostic[]): Value | undefined {
  const spine: ConcatExpr[] = [];
  let e: Expr = expr;
  while (e.kind === 'Concat') {
    spine.push(e);
    e = e.left;
  }
  let acc = evaluate(e, scope, diagnostics);
  for (let i = spine.length - 1; i >= 0; i--) {
    const node = spine[i]!;
    const right = evaluate(node.right, scope, diagnostics);
    // A list this chain built is extended in place: `[a] + [b] + ...` stays linear.
    if (acc?.t === 'list' && right?.t === 'list' && i < spine.length - 1) {
      for (const item of right.items) acc.items.push(item);
      acc.span = node.span;
      continue;
    }
    acc = acc && right ? join(node, acc, right, scope, diagnostics) : undefined;
  }
  return acc;
}

function join(expr: ConcatExpr, left: Value, right: Value, scope: Scope, diagnostics: Diagnostic[]): Value | undefined {
  // A bare name next to `+` can only be a constant; an undefined one is a typo, not text.
  for (const operand of [left, right]) {
    if (operand.t !== 'word') continue;
    const guess = suggest(operand.v, scope.names());
    diagnostics.push({
      severity: 'error',
      code: 'FLOW013',
      message: `no constant named \`${operand.v}\``,
      span: operand.span,
      label: 'not defined',
      help: guess ? [`did you mean \`${guess}\`?`] : [`define it with \`let ${operand.v} = "..."\`, or quote it to use it as text`],
    });
    return undefined;
  }
  if (left.t === 'list' && right.t === 'list') {
    return { t: 'list', items: [...left.items, ...right.items], span: expr.span };
  }
  const l = stringParts(left);
  const r = stringParts(right);
  if (l && r && (left.t === 'str' || right.t === 'str')) {
    return { t: 'str', parts: mergeParts([...l, ...r]), span: expr.span };
  }
  const bad = !l || left.t !== 'str' ? left : right;
  diagnostics.push({
    severity: 'error',
    code: 'FLOW016',
    message: `\`+\` joins strings or lists, but this operand is ${describeValue(bad)}`,
    span: bad.span,
    label: `${describeValue(bad)} here`,
    help: bad.t === 'word' ? [`\`${bad.v}\` is not a known constant; declare it with \`let ${bad.v} = ...\` or quote it`] : undefined,
  });
  return undefined;
}

function call(expr: Extract<Expr, { kind: 'Call' }>, scope: Scope, diagnostics: Diagnostic[]): Value | undefined {
  if (expr.callee.name !== 'env') {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW015',
      message: `unknown function \`${expr.callee.name}\``,
      span: expr.callee.span,
      label: 'not a function',
      help: ['the only function is `env("NAME")` or `env("NAME", "default")`'],
    });
    return undefined;
  }
  const args = expr.args.map((a) => evaluate(a, scope, diagnostics));
  const literal = (v: Value | undefined) =>
    v && v.t === 'str' && v.parts.every((p) => typeof p === 'string') ? (v.parts as string[]).join('') : undefined;
  const name = literal(args[0]);
  const fallback = args.length > 1 ? literal(args[1]) : undefined;
  if (args.length < 1 || args.length > 2 || name === undefined || (args.length === 2 && fallback === undefined)) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW015',
      message: '`env` takes a variable name and an optional default, both plain strings',
      span: expr.span,
      label: 'bad call',
      help: ['write `env("NAME")` or `env("NAME", "default")`'],
    });
    return undefined;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    diagnostics.push({
      severity: 'error',
      code: 'FLOW015',
      message: `\`${name}\` is not a valid environment variable name`,
      span: expr.args[0]!.span,
      label: 'invalid name',
    });
    return undefined;
  }
  const part: StringPart = fallback === undefined ? { env: name } : { env: name, default: fallback };
  return { t: 'str', parts: [part], span: expr.span };
}

function stringParts(v: Value): StringPart[] | undefined {
  switch (v.t) {
    case 'str':
      return v.parts;
    case 'num':
      return [v.text];
    case 'word':
      return [v.v];
    case 'bool':
      return [String(v.v)];
    default:
      return undefined;
  }
}

function mergeParts(parts: StringPart[]): StringPart[] {
  const out: StringPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

function withSpan(v: Value, span: Span): Value {
  return { ...v, span } as Value;
}

export function describeValue(v: Value): string {
  switch (v.t) {
    case 'str':
      return 'a string';
    case 'num':
      return v.integer ? 'an integer' : 'a number';
    case 'bool':
      return 'a boolean';
    case 'duration':
      return 'a duration';
    case 'size':
      return 'a size';
    case 'word':
      return `the name \`${v.v}\``;
    case 'list':
      return 'a list';
    case 'ref':
      return `a reference to \`${v.agent}.${v.component}\``;
  }
}

/** The literal text of a string value, or undefined if it reads the environment. */
export function literalString(v: Value): string | undefined {
  if (v.t === 'word') return v.v;
  if (v.t !== 'str') return undefined;
  let out = '';
  for (const p of v.parts) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}

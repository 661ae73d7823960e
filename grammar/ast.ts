// The syntax tree of a .flow file. Every node carries the span it was read from, so that
// every later stage (checker, emitters, language server) can point back at the source.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units. */
  col: number;
  /** 0-based offset into the file text. */
  offset: number;
}

export interface Span {
  file: string;
  start: Position;
  end: Position;
}

export interface FlowFile {
  kind: 'File';
  path: string;
  text: string;
  items: TopItem[];
  /** Comments are kept aside (not in `items`) so that the formatter can put them back. */
  comments: Comment[];
  span: Span;
}

export interface Comment {
  kind: 'Comment';
  /** The comment's full text, including its delimiters. */
  text: string;
  block: boolean;
  span: Span;
}

export type TopItem = LetDecl | AgentDecl;

export interface Ident {
  kind: 'Ident';
  name: string;
  span: Span;
}

export interface LetDecl {
  kind: 'Let';
  name: Ident;
  value: Expr;
  span: Span;
}

export interface AgentDecl {
  kind: 'Agent';
  name: Ident;
  host?: Expr;
  items: AgentItem[];
  span: Span;
}

export type AgentItem = ComponentDecl | FlowStmt | LetDecl;

/** `source`, `channel`, `sink`, `interceptor`, `group` (sink group) and `filter` (config filter). */
export type ComponentRole = 'source' | 'channel' | 'sink' | 'interceptor' | 'group' | 'filter';

export interface ComponentDecl {
  kind: 'Component';
  role: ComponentRole;
  name: Ident;
  type: TypeRef;
  body?: Block;
  span: Span;
}

/** A component kind: a bare alias (`memory`) or a class-name string (`"com.acme.MySink"`). */
export interface TypeRef {
  kind: 'TypeRef';
  name: string;
  isClassName: boolean;
  span: Span;
}

export interface Block {
  kind: 'Block';
  entries: Entry[];
  span: Span;
}

/** `key = value` or `key { ... }`; a nested block is the same as dotted keys. */
export interface Entry {
  kind: 'Entry';
  key: KeyPath;
  value: Expr | Block;
  span: Span;
}

export interface KeyPath {
  kind: 'KeyPath';
  segments: Ident[];
  /** The segments joined with `.`. */
  text: string;
  span: Span;
}

export type Expr =
  | StringLit
  | NumberLit
  | BoolLit
  | DurationLit
  | SizeLit
  | RefExpr
  | ListExpr
  | Block
  | ConcatExpr
  | CallExpr;

export interface StringLit {
  kind: 'String';
  value: string;
  raw: boolean;
  span: Span;
}

export interface NumberLit {
  kind: 'Number';
  value: number;
  /** The literal as written, e.g. `1_000_000` or `0.5`. */
  text: string;
  isInteger: boolean;
  span: Span;
}

export interface BoolLit {
  kind: 'Bool';
  value: boolean;
  span: Span;
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

export interface DurationLit {
  kind: 'Duration';
  amount: number;
  unit: DurationUnit;
  millis: number;
  text: string;
  span: Span;
}

export type SizeUnit = 'B' | 'KB' | 'MB' | 'GB' | 'TB';

export interface SizeLit {
  kind: 'Size';
  amount: number;
  unit: SizeUnit;
  bytes: number;
  text: string;
  span: Span;
}

/** A bare or dotted name: an enum value, a `let` constant, or `agent.source`. */
export interface RefExpr {
  kind: 'Ref';
  path: Ident[];
  text: string;
  span: Span;
}

export interface ListExpr {
  kind: 'List';
  items: Expr[];
  span: Span;
}

export interface ConcatExpr {
  kind: 'Concat';
  left: Expr;
  right: Expr;
  span: Span;
}

export interface CallExpr {
  kind: 'Call';
  callee: Ident;
  args: Expr[];
  span: Span;
}

// ---- Flows -------------------------------------------------------------------------------

/**
 * `head | i1 | i2 { ... } -> stage -> stage`.
 * The head is a source (then interceptors may follow) or a channel.
 */
export interface FlowStmt {
  kind: 'Flow';
  head: Ident;
  interceptors: PipeStep[];
  stages: Stage[];
  span: Span;
}

/** One interceptor in a pipe: a declared interceptor's name, an alias, or a class-name string. */
export interface PipeStep {
  kind: 'Pipe';
  target: TypeRef;
  body?: Block;
  span: Span;
}

export type Stage = TargetList | RouteStage | GroupStage;

export interface Target {
  kind: 'Target';
  name: Ident;
  /** `c?`: an optional channel. */
  optional: boolean;
  span: Span;
}

export interface TargetList {
  kind: 'Targets';
  targets: Target[];
  /** `with { ... }`: extra selector properties (e.g. a custom selector). */
  options?: Block;
  span: Span;
}

/** `route header "h" { "v" -> c1, c2?; default -> c3 }`: a multiplexing selector. */
export interface RouteStage {
  kind: 'Route';
  header: StringLit;
  cases: RouteCase[];
  options?: Block;
  span: Span;
}

export interface RouteCase {
  kind: 'RouteCase';
  /** undefined for the `default` case. */
  value?: StringLit;
  defaultSpan?: Span;
  targets: Target[];
  span: Span;
}

/** `failover [name] { k1: 10, k2: 5 } [with { ... }]` or `balance [name] [k1, k2] [with { ... }]`. */
export interface GroupStage {
  kind: 'Group';
  policy: 'failover' | 'balance';
  policySpan: Span;
  name?: Ident;
  members: GroupMember[];
  options?: Block;
  span: Span;
}

export interface GroupMember {
  kind: 'GroupMember';
  name: Ident;
  priority?: NumberLit;
  span: Span;
}

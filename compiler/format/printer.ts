// The formatter: a syntax tree back to canonical .flow text (docs/formatting.md has the style).
//
// The tree is turned into a prettier document (groups, indents, line breaks) and printed with
// prettier's line fitter, synchronously; the prettier plugin (prettier-plugin.ts) prints the
// same document, so that both give the same text.
//
// Only the tree and the comments' offsets are used, never the file's text: the importer
// formats trees it builds in memory. Line numbers in spans are used for two things only —
// whether a comment sits on the line of the node before it, and where blank lines were — and
// a line number of 0 means "unknown" (no blank line, no shared line).
import { builders, printer as docPrinter, utils as docUtils } from 'prettier/doc';
import type * as A from '../../grammar/ast.js';
import { parseFlow } from '../../grammar/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

type Doc = builders.Doc;
const { align, breakParent, conditionalGroup, group, hardline, ifBreak, indent, join, line, lineSuffix, literalline, softline } =
  builders;

export interface FormatOptions {
  /** The line length to fit in; default 100. */
  printWidth?: number;
  /** Spaces per indentation level; default 2. */
  indent?: number;
}

export const DEFAULT_PRINT_WIDTH = 100;
export const DEFAULT_INDENT = 2;

/** Prints a syntax tree (with its comments) as canonical .flow text. */
export function formatFlow(file: A.FlowFile, options: FormatOptions = {}): string {
  return docPrinter.printDocToString(flowDoc(file), {
    printWidth: options.printWidth ?? DEFAULT_PRINT_WIDTH,
    tabWidth: options.indent ?? DEFAULT_INDENT,
    useTabs: false,
  }).formatted;
}

/**
 * Parses and formats a file. A file with syntax errors is not formatted: its text comes back
 * unchanged, with the diagnostics that say why.
 */
export function formatText(text: string, path: string, options: FormatOptions = {}): { text: string; diagnostics: Diagnostic[] } {
  const { file, diagnostics } = parseFlow(text, path);
  if (diagnostics.some((d) => d.severity === 'error')) return { text, diagnostics };
  return { text: formatFlow(file, options), diagnostics };
}

/** The prettier document of a file: what formatFlow prints, and what the prettier plugin prints. */
export function flowDoc(file: A.FlowFile): Doc {
  return new DocBuilder(file).file();
}

// ---- Names and literals -------------------------------------------------------------------

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/;
export const KEYWORDS: ReadonlySet<string> = new Set([
  'let', 'agent', 'on', 'source', 'channel', 'sink', 'interceptor', 'group', 'filter',
  'route', 'header', 'default', 'with', 'failover', 'balance', 'true', 'false',
]);

/** A declared or referenced name: bare when it is an identifier and no keyword, else quoted. */
export function printName(name: string): string {
  return IDENT.test(name) && !KEYWORDS.has(name) ? name : quoteString(name);
}

/**
 * A property key: keywords and integers may stand bare in it (`sink.port.10003`), except an
 * integer right after a bare one, which would read as a decimal (`x.1.5` is `x`, `1.5`).
 */
function printKey(names: readonly string[]): string {
  const out: string[] = [];
  let bareInteger = false;
  for (const name of names) {
    const integer = /^[0-9]+$/.test(name);
    const bare: boolean = integer ? !bareInteger : IDENT.test(name);
    out.push(bare ? name : quoteString(name));
    bareInteger = integer && bare;
  }
  return out.join('.');
}

/** Control and format characters, lone surrogates, and spaces other than ` `: escaped in strings. */
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]$/u;

function unicodeEscape(ch: string): string {
  if (ch === ' ') return ch;
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A string literal with the fewest escapes that read back as the same value; characters that
 * cannot be seen (controls, zero-width and unusual spaces) are escaped.
 */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        out += INVISIBLE.test(ch) ? unicodeEscape(ch) : ch;
    }
  }
  return `${out}"`;
}

function printString(s: A.StringLit): string {
  // A raw string cannot hold a quote or a line break; such a value (from the importer) is
  // printed as an ordinary string, which reads back as the same value.
  return s.raw && !/["\n\r]/.test(s.value) ? `r"${s.value}"` : quoteString(s.value);
}

function printTypeRef(t: A.TypeRef): string {
  return t.isClassName || !IDENT.test(t.name) ? quoteString(t.name) : t.name;
}

// ---- Comments -----------------------------------------------------------------------------

type Node =
  | A.FlowFile
  | A.TopItem
  | A.AgentItem
  | A.Ident
  | A.TypeRef
  | A.Block
  | A.Entry
  | A.KeyPath
  | A.Expr
  | A.PipeStep
  | A.Stage
  | A.Target
  | A.RouteCase
  | A.GroupMember;

/** The comments that go with one node. */
interface Attached {
  /** Before the node (own line, or on its line when a block comment is followed by it). */
  leading: A.Comment[];
  /** Inside the node but in no list of it: printed on lines of their own before the node. */
  hoisted: A.Comment[];
  /** After the node, on its line. */
  trailing: A.Comment[];
  /** Containers: right after the opening bracket, on its line. */
  open: A.Comment[];
  /** Containers: after the last item (or in an empty container). */
  dangling: A.Comment[];
}

/** A node whose items are printed one per line when it breaks. */
interface Container {
  items: Node[];
  /** Comments before this offset are in the container's head (`agent a on "h"`), not its list. */
  from: number;
  /** Comments from this offset on are after the list (before a `with { }`). */
  to: number;
  /** Where the opening bracket's line is, for comments that follow it; none for lists without one. */
  opener?: A.Position;
}

const start = (n: { span: A.Span }) => n.span.start.offset;
const end = (n: { span: A.Span }) => n.span.end.offset;
const encloses = (n: { span: A.Span }, c: A.Comment) => start(n) <= start(c) && end(c) <= end(n);
const sameLine = (a: A.Position, b: A.Position) => a.line > 0 && a.line === b.line;
/** Whether the source had at least one blank line between two places. */
const blankBetween = (a: A.Position | undefined, b: A.Position) => a !== undefined && a.line > 0 && b.line > 0 && b.line - a.line >= 2;

function childrenOf(n: Node): Node[] {
  const opt = <T>(x: T | undefined): T[] => (x === undefined ? [] : [x]);
  switch (n.kind) {
    case 'File':
      return n.items;
    case 'Let':
      return [n.name, n.value];
    case 'Agent':
      return [n.name, ...opt(n.host), ...n.items];
    case 'Component':
      return [n.name, n.type, ...opt(n.body)];
    case 'Block':
      return n.entries;
    case 'Entry':
      return [n.key, n.value];
    case 'KeyPath':
      return n.segments;
    case 'List':
      return n.items;
    case 'Concat':
      return [n.left, n.right];
    case 'Call':
      return [n.callee, ...n.args];
    case 'Ref':
      return n.path;
    case 'Flow':
      return [n.head, ...n.interceptors, ...n.stages];
    case 'Pipe':
      return [n.target, ...opt(n.body)];
    case 'Targets':
      return [...n.targets, ...opt(n.options)];
    case 'Route':
      return [n.header, ...n.cases, ...opt(n.options)];
    case 'RouteCase':
      return [...opt(n.value), ...n.targets];
    case 'Group':
      return [...opt(n.name), ...n.members, ...opt(n.options)];
    case 'GroupMember':
      return [n.name, ...opt(n.priority)];
    default:
      return [];
  }
}

function containerOf(n: Node): Container | undefined {
  switch (n.kind) {
    case 'File':
      return { items: n.items, from: -Infinity, to: Infinity };
    case 'Agent': {
      const head = (n.host ?? n.name).span.end;
      return { items: n.items, from: head.offset, to: end(n), opener: head };
    }
    case 'Block':
    case 'List':
      return { items: n.kind === 'Block' ? n.entries : n.items, from: start(n), to: end(n), opener: n.span.start };
    case 'Flow':
      return { items: [n.head, ...n.interceptors, ...n.stages], from: start(n), to: end(n) };
    case 'Targets':
      return { items: n.targets, from: start(n), to: n.options ? start(n.options) : end(n) };
    case 'Route':
      return { items: n.cases, from: end(n.header), to: n.options ? start(n.options) : end(n), opener: n.header.span.end };
    case 'Group': {
      const head = (n.name ?? { span: n.policySpan }).span.end;
      return { items: n.members, from: head.offset, to: n.options ? start(n.options) : end(n), opener: head };
    }
    default:
      return undefined;
  }
}

/**
 * Gives every comment a home: the innermost container whose list holds it, and there the item
 * it trails (on the item's line), the item it precedes, or the container's end.
 */
function attachComments(file: A.FlowFile): Map<Node, Attached> {
  const attached = new Map<Node, Attached>();
  const at = (n: Node): Attached => {
    let a = attached.get(n);
    if (!a) attached.set(n, (a = { leading: [], hoisted: [], trailing: [], open: [], dangling: [] }));
    return a;
  };
  const comments = [...file.comments].sort((a, b) => start(a) - start(b));
  for (const c of comments) {
    let container: Node = file;
    let info = containerOf(file)!;
    let node: Node = file;
    for (;;) {
      const child: Node | undefined = childrenOf(node).find((ch) => encloses(ch, c));
      if (!child) break;
      node = child;
      const inner = containerOf(child);
      if (inner && start(c) >= inner.from && end(c) <= inner.to) {
        container = child;
        info = inner;
      }
    }
    const items = info.items;
    const enclosing = items.find((i) => encloses(i, c));
    if (enclosing) {
      at(enclosing).hoisted.push(c);
      continue;
    }
    let prev: Node | undefined;
    let next: Node | undefined;
    for (const i of items) {
      if (end(i) <= start(c)) prev = i;
      else if (next === undefined && start(i) >= end(c)) next = i;
    }
    const hugsNext = c.block && next !== undefined && sameLine(c.span.end, next.span.start);
    // After the last target, before `with`: on a line of its own before the stage (a comment
    // left there would end up after the `with { }` block, outside the flow).
    if (container.kind === 'Targets' && !next) at(container).hoisted.push(c);
    else if (prev && sameLine(prev.span.end, c.span.start) && !hugsNext) at(prev).trailing.push(c);
    else if (!prev && info.opener && sameLine(info.opener, c.span.start) && !hugsNext) at(container).open.push(c);
    else if (next) at(next).leading.push(c);
    else if (prev && container.kind === 'Flow') at(prev).trailing.push(c);
    else at(container).dangling.push(c);
  }
  hoistAllTargetComments(attached);
  return attached;
}

/**
 * Targets whose stage has hoisted comments (after the last target) give that stage their own
 * comments too: hoisted ones are printed before the stage, and comments among the targets,
 * which came first in the source, must not end up after them.
 */
function hoistAllTargetComments(attached: Map<Node, Attached>): void {
  for (const [node, a] of attached) {
    if (node.kind !== 'Targets' || a.hoisted.length === 0) continue;
    for (const t of node.targets) {
      const own = attached.get(t);
      if (!own) continue;
      a.hoisted.push(...own.leading, ...own.hoisted, ...own.trailing);
      attached.delete(t);
    }
    a.hoisted.sort((x, y) => start(x) - start(y));
  }
}

const none: Attached = { leading: [], hoisted: [], trailing: [], open: [], dangling: [] };

// ---- The document -------------------------------------------------------------------------

/** Blocks with more entries than this are always printed one entry per line. */
const MAX_INLINE_ENTRIES = 3;

class DocBuilder {
  private readonly attached: Map<Node, Attached>;
  /** Comment start offsets, sorted: which spans hold a comment. */
  private readonly commentStarts: number[];

  constructor(private readonly flow: A.FlowFile) {
    this.attached = attachComments(flow);
    this.commentStarts = flow.comments.map(start).sort((a, b) => a - b);
  }

  private comments(n: Node): Attached {
    return this.attached.get(n) ?? none;
  }

  private hasCommentWithin(span: A.Span): boolean {
    const starts = this.commentStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < span.start.offset) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && starts[lo]! < span.end.offset;
  }

  // ---- Comments ---------------------------------------------------------------------------

  private comment(c: A.Comment): Doc {
    if (!c.block) return c.text.trimEnd();
    const lines = c.text.split(/\r\n|\r|\n/).map((l) => l.trimEnd());
    if (lines.length === 1) return lines[0]!;
    const rest = lines.slice(1);
    // `/*` then lines that start with `*`: re-indented to where the comment now stands.
    if (rest.every((l) => /^\s*\*/.test(l))) return [lines[0]!, ...rest.map((l) => [hardline, ` ${l.trim()}`])];
    // Anything else is kept exactly as written.
    return join(literalline, lines);
  }

  /**
   * A leading block comment on the line of its node stays there; others get their own line. So
   * do all leading comments of a node with hoisted comments: those go on lines of their own
   * before the node, and the leading ones, which came first in the source, must stay before them.
   */
  private isInline(c: A.Comment, n: Node): boolean {
    return c.block && sameLine(c.span.end, n.span.start) && this.comments(n).hoisted.length === 0;
  }

  /** Leading and hoisted comments, for items printed inside a line (list items, targets). */
  private before(n: Node): Doc[] {
    const { leading, hoisted } = this.comments(n);
    return [
      ...leading.map((c) => (this.isInline(c, n) ? [this.comment(c), ' '] : [this.comment(c), hardline])),
      ...hoisted.map((c) => [this.comment(c), hardline]),
    ];
  }

  /** Comments after a node on its line. They keep the line from being joined with the next. */
  private after(n: Node): Doc[] {
    return this.comments(n).trailing.map((c) =>
      c.block ? [' ', this.comment(c), breakParent] : [lineSuffix([' ', this.comment(c)]), breakParent],
    );
  }

  /** Comments right after an opening bracket. The container then breaks. */
  private open(n: Node): Doc[] {
    return this.comments(n).open.map((c) => (c.block ? [' ', this.comment(c), breakParent] : [lineSuffix([' ', this.comment(c)]), breakParent]));
  }

  private hasOwnLineComments(n: Node): boolean {
    const { leading, hoisted, trailing } = this.comments(n);
    return hoisted.length > 0 || trailing.length > 0 || leading.some((c) => !this.isInline(c, n));
  }

  /**
   * Items one per line, with their comments, keeping one blank line where the source had one
   * or more. The result starts with the first item (no line break before it).
   */
  private lines(items: Node[], print: (n: Node) => Doc, dangling: A.Comment[]): Doc[] {
    const out: Doc[] = [];
    let last: A.Position | undefined;
    /** `from`: where the element starts, to look for a blank line before it (none if undefined). */
    const emit = (from: A.Position | undefined, to: A.Position, doc: Doc) => {
      if (out.length > 0) {
        out.push(hardline);
        if (from && blankBetween(last, from)) out.push(hardline);
      }
      out.push(doc);
      last = to;
    };
    for (const item of items) {
      const { leading, hoisted, trailing } = this.comments(item);
      const inline: Doc[] = [];
      let inlineStart: A.Position | undefined;
      for (const c of leading) {
        if (this.isInline(c, item)) {
          inline.push(this.comment(c), ' ');
          inlineStart ??= c.span.start;
        } else emit(c.span.start, c.span.end, this.comment(c));
      }
      const itemStart = inlineStart ?? item.span.start;
      // Hoisted comments come from inside the item: no blank line between them and it.
      hoisted.forEach((c, i) => emit(i === 0 ? itemStart : undefined, c.span.end, this.comment(c)));
      const to = trailing.length > 0 ? trailing[trailing.length - 1]!.span.end : item.span.end;
      emit(hoisted.length > 0 ? undefined : itemStart, to, [...inline, print(item), ...this.after(item)]);
    }
    for (const c of dangling) emit(c.span.start, c.span.end, this.comment(c));
    return out;
  }

  /** `{`, the items one per line, `}`; `{}` when empty. */
  private bracedLines(n: Node, items: Node[], print: (n: Node) => Doc): Doc {
    const { open, dangling } = this.comments(n);
    if (items.length === 0 && dangling.length === 0) return open.length === 0 ? '{}' : ['{', ...this.open(n), hardline, '}'];
    return ['{', ...this.open(n), indent([hardline, ...this.lines(items, print, dangling)]), hardline, '}'];
  }

  /**
   * Items separated by `,` on one line, or one per line (with a trailing comma where the
   * grammar allows one) when they do not fit or hold comments that need lines of their own.
   */
  private commaList(
    n: Node,
    items: Node[],
    print: (n: Node) => Doc,
    brackets: { open: string; close: string; spaced: boolean; forceBreak?: boolean },
  ): Doc {
    const { open, dangling } = this.comments(n);
    if (items.length === 0 && dangling.length === 0) {
      return open.length === 0 ? `${brackets.open}${brackets.close}` : [brackets.open, ...this.open(n), hardline, brackets.close];
    }
    const inner = brackets.spaced ? line : softline;
    const parts = items.map((item, i) => [...this.before(item), print(item), i < items.length - 1 ? ',' : ifBreak(','), ...this.after(item)]);
    return group(
      [
        brackets.open,
        ...this.open(n),
        indent([inner, join(line, parts), ...dangling.map((c) => [hardline, this.comment(c)])]),
        inner,
        brackets.close,
      ],
      { shouldBreak: brackets.forceBreak ?? false },
    );
  }

  // ---- File and agents --------------------------------------------------------------------

  file(): Doc {
    const f = this.flow;
    const body = this.lines(f.items, (item) => this.topItem(item as A.TopItem), this.comments(f).dangling);
    return body.length === 0 ? '' : [...body, hardline];
  }

  private topItem(item: A.TopItem | A.AgentItem): Doc {
    switch (item.kind) {
      case 'Let':
        return ['let ', printName(item.name.name), ' = ', this.expr(item.value)];
      case 'Agent':
        return this.agent(item);
      case 'Component':
        return this.component(item);
      case 'Flow':
        return this.flowStmt(item);
    }
  }

  private agent(a: A.AgentDecl): Doc {
    return [
      'agent ',
      printName(a.name.name),
      a.host ? [' on ', this.expr(a.host)] : '',
      ' ',
      this.bracedLines(a, a.items, (item) => this.topItem(item as A.AgentItem)),
    ];
  }

  private component(c: A.ComponentDecl): Doc {
    return [c.role, ' ', printName(c.name.name), ' : ', printTypeRef(c.type), c.body ? [' ', this.block(c.body)] : ''];
  }

  // ---- Blocks and values ------------------------------------------------------------------

  private isSimpleEntry(e: A.Entry): boolean {
    const simple = (v: A.Expr): boolean =>
      v.kind === 'Block' ? false : v.kind === 'List' ? v.items.every((i) => i.kind !== 'List' && i.kind !== 'Block') : true;
    return simple(e.value);
  }

  /**
   * `{ a = 1, b = 2 }` when it has a few simple entries and no comments and fits; otherwise
   * one entry per line, without separators. `breakFirst` breaks an inline block on purpose
   * (the last block of a flow, hugged to the flow's line).
   */
  private block(b: A.Block, breakFirst = false): Doc {
    const inline =
      b.entries.length > 0 &&
      b.entries.length <= MAX_INLINE_ENTRIES &&
      b.entries.every((e) => this.isSimpleEntry(e)) &&
      !this.hasCommentWithin(b.span);
    if (!inline) return this.bracedLines(b, b.entries, (e) => this.entry(e as A.Entry));
    return group(['{', indent([line, join([ifBreak('', ','), line], b.entries.map((e) => this.entry(e)))]), line, '}'], {
      shouldBreak: breakFirst,
    });
  }

  /** Whether block() would print this block broken whatever the width. */
  private isBrokenBlock(b: A.Block): boolean {
    return docUtils.willBreak(this.block(b));
  }

  private entry(e: A.Entry): Doc {
    const key = printKey(e.key.segments.map((s) => s.name));
    return e.value.kind === 'Block' ? [key, ' ', this.block(e.value)] : [key, ' = ', this.expr(e.value)];
  }

  private expr(v: A.Expr): Doc {
    switch (v.kind) {
      case 'String':
        return printString(v);
      case 'Number':
      case 'Duration':
      case 'Size':
        return v.text; // as written: `1_000_000`, `0.5`, `30s`
      case 'Bool':
        return v.value ? 'true' : 'false';
      case 'Ref':
        return v.path.map((p) => p.name).join('.');
      case 'List':
        return this.commaList(v, v.items, (i) => this.expr(i as A.Expr), { open: '[', close: ']', spaced: false });
      case 'Block':
        return this.block(v);
      case 'Concat': {
        // `a + b + c` is read as `(a + b) + c`: the left operands are flattened.
        const operands: A.Expr[] = [];
        let e: A.Expr = v;
        while (e.kind === 'Concat') {
          operands.unshift(e.right);
          e = e.left;
        }
        operands.unshift(e);
        const [first, ...rest] = operands.map((o) => this.expr(o));
        return group([first!, indent(rest.map((r) => [line, '+ ', r]))]);
      }
      case 'Call':
        return [v.callee.name, '(', join(', ', v.args.map((a) => this.expr(a))), ')'];
    }
  }

  // ---- Flows ------------------------------------------------------------------------------

  /**
   * `head | i1 | i2 -> stage -> stage` on one line when it fits; else with the last stage's
   * block broken (`-> failover g { ... } with {` ... `}`); else one step per line:
   *
   *     head
   *       | i1
   *       -> stage
   */
  private flowStmt(f: A.FlowStmt): Doc {
    const steps: { node: Node; prefix: string; doc: (breakLast: boolean) => Doc }[] = [
      { node: f.head, prefix: '', doc: () => printName(f.head.name) },
      ...f.interceptors.map((p) => ({ node: p as Node, prefix: '| ', doc: () => this.pipe(p) })),
      ...f.stages.map((s, i) => ({
        node: s as Node,
        prefix: '-> ',
        doc: (breakLast: boolean) => this.stage(s, breakLast && i === f.stages.length - 1),
      })),
    ];
    // One step per line: a step's own lines (a broken block) line up with the text after its
    // `| ` or `-> `. On one line, they line up with the statement.
    const stepDoc = (s: (typeof steps)[number], layout: 'flat' | 'hug' | 'expanded'): Doc => [
      ...this.before(s.node),
      s.prefix,
      layout === 'expanded' ? align(s.prefix.length, s.doc(false)) : s.doc(layout === 'hug'),
      ...this.after(s.node),
    ];
    const [head, ...rest] = steps;
    const expanded = [stepDoc(head!, 'expanded'), indent(rest.map((s) => [hardline, stepDoc(s, 'expanded')]))];

    const lastStep = steps[steps.length - 1]!;
    // Comments that need a line end, and blocks that break before the last step, put every
    // step on its own line. So do comments among a stage's targets: a broken target list has
    // no place in a flow kept on its line.
    const mustExpand =
      steps.some((s) => this.hasOwnLineComments(s.node)) ||
      f.stages.some((s) => s.kind === 'Targets' && s.targets.some((t) => this.hasOwnLineComments(t))) ||
      steps.slice(0, -1).some((s) => docUtils.willBreak(s.doc(false)));
    if (mustExpand) return expanded;

    const flat = (layout: 'flat' | 'hug') => [stepDoc(head!, layout), ...rest.map((s) => [' ', stepDoc(s, layout)])];
    const states: Doc[] = [flat('flat')];
    if (this.canHug(lastStep.node)) states.push(flat('hug'));
    states.push(expanded);
    return conditionalGroup(states);
  }

  /** Whether the last stage ends in a block that may break while the flow stays on its line. */
  private canHug(stage: Node): boolean {
    if (stage.kind === 'Targets') return stage.options !== undefined && !this.isBrokenBlock(stage.options);
    if (stage.kind === 'Group') return stage.options ? !this.isBrokenBlock(stage.options) : stage.members.length > 0;
    return false;
  }

  private pipe(p: A.PipeStep): Doc {
    return [printTypeRef(p.target), p.body ? [' ', this.block(p.body)] : ''];
  }

  private stage(s: A.Stage, breakLast: boolean): Doc {
    switch (s.kind) {
      case 'Targets':
        return [this.targets(s.targets), this.with(s.options, breakLast)];
      case 'Route':
        return [
          'route header ',
          printString(s.header),
          ' ',
          this.bracedLines(s, s.cases, (c) => this.routeCase(c as A.RouteCase)),
          this.with(s.options, breakLast),
        ];
      case 'Group': {
        const members =
          s.policy === 'failover'
            ? this.commaList(s, s.members, (m) => this.member(m as A.GroupMember), {
                open: '{',
                close: '}',
                spaced: true,
                forceBreak: breakLast && !s.options,
              })
            : this.commaList(s, s.members, (m) => this.member(m as A.GroupMember), {
                open: '[',
                close: ']',
                spaced: false,
                forceBreak: breakLast && !s.options,
              });
        return [s.policy, s.name ? [' ', printName(s.name.name)] : '', ' ', members, this.with(s.options, breakLast)];
      }
    }
  }

  private with(options: A.Block | undefined, breakFirst: boolean): Doc {
    return options ? [' with ', this.block(options, breakFirst)] : '';
  }

  private targets(targets: A.Target[]): Doc {
    const parts = targets.map((t, i) => [...this.before(t), this.target(t), i < targets.length - 1 ? ',' : '', ...this.after(t)]);
    return group(join(line, parts));
  }

  private target(t: A.Target): string {
    return `${printName(t.name.name)}${t.optional ? '?' : ''}`;
  }

  private routeCase(c: A.RouteCase): Doc {
    return [c.value ? printString(c.value) : 'default', ' -> ', join(', ', c.targets.map((t) => this.target(t)))];
  }

  private member(m: A.GroupMember): string {
    return m.priority ? `${printName(m.name.name)}: ${m.priority.text}` : printName(m.name.name);
  }
}

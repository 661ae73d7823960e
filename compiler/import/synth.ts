// Builds syntax-tree nodes in memory for the importer. Spans are synthetic but ordered like
// real ones: offsets only grow, a statement starts on a new line, and containers cover their
// children, so that the formatter places comments and blank lines where the importer put them.
import type { Block, Comment, Entry, Expr, Ident, KeyPath, Span, StringLit, Target, TypeRef } from '../../grammar/ast.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/;
const KEYWORDS = new Set([
  'let', 'agent', 'on', 'source', 'channel', 'sink', 'interceptor', 'group', 'filter', 'route', 'header',
  'default', 'with', 'failover', 'balance', 'true', 'false',
]);

export function isPlainName(name: string): boolean {
  return IDENT.test(name) && !KEYWORDS.has(name);
}

export function cover(first: Span, last: Span): Span {
  return { file: first.file, start: first.start, end: last.end };
}

export class Synth {
  private line = 1;
  private offset = 0;
  readonly comments: Comment[] = [];

  constructor(readonly file: string) {}

  /** Moves to a fresh line: the next node starts a statement. */
  newLine(): void {
    this.line += 1;
    this.offset += 1;
  }

  blankLine(): void {
    this.line += 2;
    this.offset += 2;
  }

  /** A one-character span at the cursor, on the current line. */
  span(): Span {
    const start = { line: this.line, col: 1, offset: this.offset };
    this.offset += 1;
    return { file: this.file, start, end: { line: this.line, col: 2, offset: this.offset } };
  }

  /** Comment lines on consecutive lines of their own; the next statement starts below them. */
  comment(text: string): void {
    // A carriage return ends a .flow line comment, but may be in a key or value (Java's `\r`
    // escape): written as that escape, so that the rest of the line stays in the comment.
    for (const line of text.split(/\r?\n/).map((l) => l.replace(/\r/g, '\\r'))) {
      this.newLine();
      this.comments.push({ kind: 'Comment', text: line.length > 0 ? `// ${line}` : '//', block: false, span: this.span() });
    }
  }

  ident(name: string): Ident {
    return { kind: 'Ident', name, span: this.span() };
  }

  typeRef(name: string): TypeRef {
    return { kind: 'TypeRef', name, isClassName: !IDENT.test(name), span: this.span() };
  }

  key(key: string): KeyPath {
    const segments = key.split('.').map((s) => this.ident(s));
    return { kind: 'KeyPath', segments, text: key, span: cover(segments[0]!.span, segments[segments.length - 1]!.span) };
  }

  /** `key = value` on a line of its own; `value` is built by the callback so it follows the key. */
  entry(key: string, value: () => Expr): Entry {
    this.newLine();
    const k = this.key(key);
    const v = value();
    return { kind: 'Entry', key: k, value: v, span: cover(k.span, v.span) };
  }

  /** A block whose entries are built by the callback, so that they fall inside its span. */
  block(build: () => Entry[]): Block {
    const open = this.span();
    const entries = build();
    const close = this.span();
    return { kind: 'Block', entries, span: cover(open, close) };
  }

  string(value: string): StringLit {
    // A raw string keeps regexes and Windows paths readable; it cannot hold a quote or a newline.
    const raw = value.includes('\\') && !/["\n\r]/.test(value);
    return { kind: 'String', value, raw, span: this.span() };
  }

  target(name: string, optional = false): Target {
    const id = this.ident(name);
    return { kind: 'Target', name: id, optional, span: id.span };
  }
}

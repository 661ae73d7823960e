// Between the compiler's positions (1-based lines and columns, in UTF-16 code units, as LSP
// counts them) and the protocol's (0-based). Both split lines at `\n`, `\r\n` and a lone `\r`.
import type { Position as LspPosition, Range } from 'vscode-languageserver';
import type { Position, Span } from '../grammar/ast.js';

export function toLspPosition(p: Position): LspPosition {
  return { line: p.line - 1, character: p.col - 1 };
}

export function toRange(span: Span): Range {
  return { start: toLspPosition(span.start), end: toLspPosition(span.end) };
}

/** Whether `offset` lies in the span, its end included (a cursor right after a name is on it). */
export function touches(span: Span, offset: number): boolean {
  return span.start.offset <= offset && offset <= span.end.offset;
}

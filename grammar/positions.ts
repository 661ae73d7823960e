// Offsets to line/column positions. The lexer only tracks offsets (the cheapest mode in
// chevrotain); lines and columns are computed here, on demand, by binary search over the
// line starts, so that a 60,000-line file pays for positions only where nodes need them.
import type { Position, Span } from './ast.js';

export class LineMap {
  /** Offset at which each line starts; line N (1-based) starts at `starts[N - 1]`. */
  private readonly starts: number[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // `\r\n`, `\n` and a lone `\r` each end a line, as chevrotain and editors count them.
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** The line of the last lookup: nodes are built in file order, so the next is usually close. */
  private hint = 0;
  /** When set, every position made is also added here (the incremental parser moves them later). */
  recorder: Position[] | undefined;

  position(offset: number): Position {
    const at = offset < 0 ? 0 : offset > this.text.length ? this.text.length : offset;
    const starts = this.starts;
    let line = this.hint;
    if (!(starts[line]! <= at && (line + 1 === starts.length || at < starts[line + 1]!))) {
      line = this.search(at);
      this.hint = line;
    }
    const position = { line: line + 1, col: at - starts[line]! + 1, offset: at };
    this.recorder?.push(position);
    return position;
  }

  /** The 0-based index of the line holding `offset`. */
  private search(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The span from `start` (inclusive) to `end` (exclusive). */
  span(start: number, end: number): Span {
    return { file: this.file, start: this.position(start), end: this.position(end) };
  }

  lineOf(offset: number): number {
    return this.position(offset).line;
  }
}

/** Whether a line break lies between two offsets: used to tell statements apart. */
export function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

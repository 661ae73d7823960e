// Renders diagnostics the way rustc and Elm do: a header with the code, the location, a code
// frame with a caret under the span, then help and note lines.
import type { Diagnostic } from './diagnostic.js';
import type { Span } from '../../grammar/ast.js';

export interface TextRenderOptions {
  color: boolean;
  /** File text by path, for the code frames. */
  sources: ReadonlyMap<string, string>;
}

interface Palette {
  error(s: string): string;
  warning(s: string): string;
  accent(s: string): string;
  bold(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const colorPalette: Palette = {
  error: (s) => ansi(1, 22)(ansi(31, 39)(s)),
  warning: (s) => ansi(1, 22)(ansi(33, 39)(s)),
  accent: (s) => ansi(1, 22)(ansi(34, 39)(s)),
  bold: ansi(1, 22),
};
const plainPalette: Palette = { error: (s) => s, warning: (s) => s, accent: (s) => s, bold: (s) => s };

/** Whether to colour output written to `stream`: only on a TTY, never with NO_COLOR. */
export function shouldColor(stream: { isTTY?: boolean }): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function renderDiagnostic(d: Diagnostic, options: TextRenderOptions): string {
  const p = options.color ? colorPalette : plainPalette;
  const paint = d.severity === 'error' ? p.error : p.warning;
  const lines: string[] = [paint(`${d.severity}[${d.code}]`) + p.bold(`: ${d.message}`)];
  const spans: { span: Span; label: string | undefined; primary: boolean }[] = [];
  if (d.span) spans.push({ span: d.span, label: d.label, primary: true });
  for (const r of d.related ?? []) spans.push({ span: r.span, label: r.message, primary: false });

  const gutterWidth = Math.max(
    1,
    ...spans.map((s) => String(s.span.start.line).length),
  );
  const gutter = (text = '') => p.accent(`${text.padStart(gutterWidth)} |`);

  for (const [i, s] of spans.entries()) {
    const arrow = i === 0 ? '-->' : ':::';
    lines.push(`${' '.repeat(gutterWidth)}${p.accent(arrow)} ${locationOf(s.span)}`);
    const frame = codeFrame(s.span, options.sources.get(s.span.file));
    if (!frame) continue;
    lines.push(gutter());
    const mark = s.primary ? paint : p.accent;
    const caretChar = s.primary ? '^' : '-';
    for (const row of frame) {
      lines.push(`${gutter(String(row.line))} ${row.text}`);
      if (row.caretWidth > 0) {
        const caret = caretChar.repeat(row.caretWidth);
        const label = row.last && s.label ? ` ${s.label}` : '';
        lines.push(`${gutter()} ${' '.repeat(row.caretStart)}${mark(caret + label)}`);
      }
    }
  }
  if (spans.length === 0 && d.file !== undefined) lines.push(`${' '.repeat(gutterWidth)}${p.accent('-->')} ${d.file}`);
  const trailer = [...(d.help ?? []).map((h) => ['help', h]), ...(d.notes ?? []).map((n) => ['note', n])];
  if (trailer.length > 0) {
    const framed = spans.length > 0 || d.file !== undefined;
    if (framed) lines.push(gutter());
    for (const [kind, text] of trailer) {
      const pad = ' '.repeat(framed ? gutterWidth + 1 : 0);
      const [first, ...rest] = text!.split('\n');
      lines.push(`${pad}${p.accent('=')} ${p.bold(kind + ':')} ${first}`);
      for (const more of rest) lines.push(`${pad}  ${' '.repeat(kind!.length + 2)}${more}`);
    }
  }
  return lines.join('\n');
}

export function locationOf(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`;
}

interface FrameRow {
  line: number;
  text: string;
  caretStart: number;
  caretWidth: number;
  last: boolean;
}

// Shows at most three lines of a multi-line span: enough to see where it starts.
const MAX_FRAME_LINES = 3;
const MAX_LINE_WIDTH = 160;

function codeFrame(span: Span, text: string | undefined): FrameRow[] | undefined {
  if (text === undefined) return undefined;
  const lineStarts = lineStartOffsets(text, span.start.offset);
  const firstLine = span.start.line;
  const lastLine = Math.min(span.end.line, firstLine + MAX_FRAME_LINES - 1);
  const rows: FrameRow[] = [];
  let offset = lineStarts;
  for (let line = firstLine; line <= lastLine; line++) {
    const eol = findLineEnd(text, offset);
    const raw = text.slice(offset, eol);
    const visible = expandTabs(raw).slice(0, MAX_LINE_WIDTH);
    const startCol = line === firstLine ? span.start.col : 1;
    const endCol = line === span.end.line ? span.end.col : raw.length + 1;
    const caretStart = visualWidth(raw.slice(0, startCol - 1));
    const caretEnd = visualWidth(raw.slice(0, Math.max(startCol - 1, endCol - 1)));
    rows.push({
      line,
      text: visible,
      caretStart,
      caretWidth: Math.max(1, caretEnd - caretStart),
      last: line === lastLine,
    });
    offset = nextLineStart(text, eol);
    if (offset >= text.length && line < lastLine) break;
  }
  return rows;
}

function lineStartOffsets(text: string, offset: number): number {
  let i = Math.min(offset, text.length);
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function findLineEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function nextLineStart(text: string, eol: number): number {
  if (text[eol] === '\r' && text[eol + 1] === '\n') return eol + 2;
  return eol + 1;
}

function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

function visualWidth(s: string): number {
  return expandTabs(s).length;
}

export function renderSummary(errors: number, warnings: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

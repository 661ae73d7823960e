// Machine-readable diagnostics, shaped like `terraform validate -json` so that editors and CI
// tools that already read that shape can read ours.
import type { Diagnostic } from './diagnostic.js';
import type { Span } from '../../grammar/ast.js';

interface JsonPos {
  line: number;
  column: number;
  byte: number;
}

export interface JsonDiagnostic {
  severity: 'error' | 'warning';
  code: string;
  summary: string;
  detail: string;
  range?: { filename: string; start: JsonPos; end: JsonPos };
  /** For a diagnostic about a whole file (no position in it). */
  filename?: string;
}

export interface JsonReport {
  format_version: '1.0';
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: JsonDiagnostic[];
}

export function toJsonReport(diagnostics: readonly Diagnostic[]): JsonReport {
  const errorCount = diagnostics.filter((d) => d.severity === 'error').length;
  return {
    format_version: '1.0',
    valid: errorCount === 0,
    error_count: errorCount,
    warning_count: diagnostics.length - errorCount,
    diagnostics: diagnostics.map(toJsonDiagnostic),
  };
}

function toJsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  const detail = [
    ...(d.label ? [d.label] : []),
    ...(d.help ?? []).map((h) => `help: ${h}`),
    ...(d.notes ?? []).map((n) => `note: ${n}`),
  ].join('\n');
  const out: JsonDiagnostic = { severity: d.severity, code: d.code, summary: d.message, detail };
  if (d.span) out.range = toRange(d.span);
  else if (d.file !== undefined) out.filename = d.file;
  return out;
}

function toRange(span: Span) {
  const pos = (p: Span['start']): JsonPos => ({ line: p.line, column: p.col, byte: p.offset });
  return { filename: span.file, start: pos(span.start), end: pos(span.end) };
}

import type { Span } from '../../grammar/ast.js';

export type Severity = 'error' | 'warning';

export interface RelatedSpan {
  span: Span;
  message: string;
}

/** The file a diagnostic is about, from its span or, for a file-level one, its `file`. */
export function fileOf(d: Diagnostic): string | undefined {
  return d.span?.file ?? d.file;
}

export interface Diagnostic {
  severity: Severity;
  /** `FLOW001`...; stable, documented in docs/diagnostics.md. */
  code: string;
  /** One sentence that stands alone. */
  message: string;
  span?: Span;
  /** The file a diagnostic without a span is about (a file that defines nothing, cannot be read...). */
  file?: string;
  /** The text under the caret, e.g. "unknown kind". */
  label?: string;
  related?: RelatedSpan[];
  /** `help:` lines: how to fix it, did-you-mean. */
  help?: string[];
  /** `note:` lines: why it matters. */
  notes?: string[];
}

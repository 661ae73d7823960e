import type { Span } from '../../grammar/ast.js';

export type Severity = 'error' | 'warning';

export interface RelatedSpan {
  span: Span;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  /** `FLOW001`...; stable, documented in docs/diagnostics.md. */
  code: string;
  /** One sentence that stands alone. */
  message: string;
  span?: Span;
  /** The text under the caret, e.g. "unknown kind". */
  label?: string;
  related?: RelatedSpan[];
  /** `help:` lines: how to fix it, did-you-mean. */
  help?: string[];
  /** `note:` lines: why it matters. */
  notes?: string[];
}

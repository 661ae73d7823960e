// The checker's diagnostics as the protocol's: the same codes and messages as `flowc check`,
// with help and notes appended, and the related spans as related information.
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { Analysis } from './analysis.js';
import { toRange } from './positions.js';

/** Codes of things Flume ignores or that are never used: shown faded, as editors do for dead code. */
const unnecessary = new Set(['FLOW021', 'FLOW045']);

export function toLspDiagnostics(analysis: Analysis): LspDiagnostic[] {
  return analysis.result.diagnostics.map((d) => toLspDiagnostic(d, analysis));
}

function toLspDiagnostic(d: Diagnostic, analysis: Analysis): LspDiagnostic {
  const range = d.span ? toRange(d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const lines = [d.message, ...(d.help ?? []).map((h) => `help: ${h}`), ...(d.notes ?? []).map((n) => `note: ${n}`)];
  const out: LspDiagnostic = {
    range,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: 'flowc',
    message: lines.join('\n'),
    // The fixes read the structured diagnostic back from here (code actions get only what we sent).
    data: { help: d.help ?? [], label: d.label },
  };
  if (unnecessary.has(d.code)) out.tags = [DiagnosticTag.Unnecessary];
  if (d.related && d.related.length > 0) {
    out.relatedInformation = d.related.map((r) => ({
      location: { uri: r.span.file === analysis.path ? analysis.document.uri : uriOf(r.span.file), range: toRange(r.span) },
      message: r.message,
    }));
  }
  return out;
}

function uriOf(path: string): string {
  return path.includes('://') ? path : pathToFileURL(path).href;
}

/**
 * Runs the checker after edits, and publishes. An edit arriving while the checker runs (or
 * while more edits are queued) is coalesced with them: the check starts once the queue of
 * incoming messages is drained, so a burst of keystrokes costs one check, and a single
 * keystroke is checked at once. `delayMs` adds a quiet period on top, for slow machines.
 */
export class DiagnosticsScheduler {
  private readonly pending = new Map<string, NodeJS.Timeout | NodeJS.Immediate>();

  constructor(
    private readonly run: (uri: string) => void,
    private readonly delayMs: () => number,
  ) {}

  schedule(uri: string): void {
    this.cancel(uri);
    const delay = this.delayMs();
    const fire = () => {
      this.pending.delete(uri);
      this.run(uri);
    };
    this.pending.set(uri, delay > 0 ? setTimeout(fire, delay) : setImmediate(fire));
  }

  cancel(uri: string): void {
    const handle = this.pending.get(uri);
    if (handle === undefined) return;
    clearTimeout(handle as NodeJS.Timeout);
    clearImmediate(handle as NodeJS.Immediate);
    this.pending.delete(uri);
  }
}

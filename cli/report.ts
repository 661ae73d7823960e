// Prints diagnostics for the CLI: text with code frames, or terraform-style JSON.
import { fileOf, type Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { toJsonReport } from '../compiler/diagnostics/render-json.js';
import { renderDiagnostic, renderSummary, shouldColor } from '../compiler/diagnostics/render-text.js';
import type { InputProblem } from './inputs.js';

export type Format = 'text' | 'json';

/** More than this many diagnostics for one file are summarised, not printed. */
const MAX_SHOWN_PER_FILE = 50;

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly sources = new Map<string, string>();

  constructor(
    private readonly format: Format,
    private readonly out: NodeJS.WriteStream,
  ) {}

  addFile(path: string, text: string, diagnostics: Diagnostic[]): void {
    this.sources.set(path, text);
    this.diagnostics.push(...diagnostics);
  }

  addProblem(p: InputProblem): void {
    const d: Diagnostic = { severity: 'error', code: 'FLOW090', message: p.message, file: p.path };
    if (p.help) d.help = [p.help];
    this.diagnostics.push(d);
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  print(successLine?: string): void {
    if (this.format === 'json') {
      this.out.write(`${JSON.stringify(toJsonReport(this.diagnostics), null, 2)}\n`);
      return;
    }
    const color = shouldColor(this.out);
    const shownPerFile = new Map<string, number>();
    const hidden = new Map<string, number>();
    const blocks: string[] = [];
    for (const d of this.diagnostics) {
      const file = fileOf(d);
      if (file === undefined) {
        // About no file (a clash between inputs): always shown.
        blocks.push(renderDiagnostic(d, { color, sources: this.sources }));
        continue;
      }
      const shown = shownPerFile.get(file) ?? 0;
      if (shown >= MAX_SHOWN_PER_FILE) {
        hidden.set(file, (hidden.get(file) ?? 0) + 1);
        continue;
      }
      shownPerFile.set(file, shown + 1);
      blocks.push(renderDiagnostic(d, { color, sources: this.sources }));
    }
    for (const [file, n] of hidden) blocks.push(`... and ${n} more problem${n === 1 ? '' : 's'} in ${file}`);
    if (blocks.length > 0) this.out.write(`${blocks.join('\n\n')}\n\n`);
    const errors = this.errorCount;
    const warnings = this.diagnostics.length - errors;
    if (errors > 0 || warnings > 0 || !successLine) this.out.write(`${renderSummary(errors, warnings)}\n`);
    if (errors === 0 && successLine) this.out.write(`${successLine}\n`);
  }
}

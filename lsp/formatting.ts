// Formatting: the printer behind `flowc fmt` and the prettier plugin (one document, so the
// three agree). A file with syntax errors is left alone, as `flowc fmt` leaves it.
import type { FormattingOptions, TextEdit } from 'vscode-languageserver';
import { formatText } from '../compiler/format/printer.js';
import type { Analysis } from './analysis.js';

export function formatDocument(analysis: Analysis, options: FormattingOptions, printWidth: number): TextEdit[] {
  const text = analysis.document.getText();
  const formatted = formatText(text, analysis.path, { indent: options.insertSpaces === false ? 2 : options.tabSize, printWidth });
  if (formatted.diagnostics.some((d) => d.severity === 'error') || formatted.text === text) return [];
  const end = analysis.document.positionAt(text.length);
  return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted.text }];
}

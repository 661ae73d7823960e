// The pipeline in one place: parse → resolve → check. The CLI, the tests and (later) the
// language server call these; none of them strings the stages together by itself.
import { parseFlow, type ItemsParser } from '../grammar/index.js';
import { check } from './check/index.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './model.js';
import { resolve } from './resolve.js';

export interface CompileResult {
  program: Program;
  diagnostics: Diagnostic[];
  errorCount: number;
}

/** `parseItems` lets the language server reuse the parse of unchanged parts (grammar/incremental.ts). */
export function compileText(text: string, path: string, parseItems?: ItemsParser): CompileResult {
  const parsed = parseFlow(text, path, parseItems);
  const resolved = resolve([parsed.file]);
  for (const agent of resolved.program.agents) {
    const { start, end } = agent.decl.span;
    agent.hasSyntaxErrors = parsed.diagnostics.some(
      (d) => d.severity === 'error' && d.span !== undefined && d.span.start.offset >= start.offset && d.span.start.offset <= end.offset,
    );
  }
  // After a syntax error the tree is partial; resolving and checking it still finds the
  // mistakes in the parts that did parse.
  const diagnostics = [...parsed.diagnostics, ...resolved.diagnostics, ...check(resolved.program)];
  diagnostics.sort(byPosition);
  if (parsed.file.items.length === 0 && parsed.diagnostics.length === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'FLOW093',
      file: path,
      message: `\`${path}\` defines no agent`,
      notes: ['a .flow file declares agents: `agent a1 { ... }`'],
    });
  }
  return { program: resolved.program, diagnostics, errorCount: diagnostics.filter((d) => d.severity === 'error').length };
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  if (!a.span || !b.span) return a.span ? -1 : b.span ? 1 : 0;
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
  return a.span.start.offset - b.span.start.offset;
}

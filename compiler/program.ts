// The pipeline in one place: parse → resolve → check. The CLI, the tests and (later) the
// language server call these; none of them strings the stages together by itself.
import { parseFlow, type ParseReuse } from '../grammar/index.js';
import { check, type AgentCheckReuse } from './check/index.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './model.js';
import { resolve, type AgentReuse } from './resolve.js';

export interface CompileResult {
  program: Program;
  diagnostics: Diagnostic[];
  errorCount: number;
}

/** What the language server keeps between versions of a file to compile the next one faster (compiler/incremental.ts). */
export interface CompileReuse {
  parse: ParseReuse;
  agents: AgentReuse;
  checks: AgentCheckReuse;
}

export function compileText(text: string, path: string, reuse?: CompileReuse): CompileResult {
  const parsed = parseFlow(text, path, reuse?.parse);
  const resolved = resolve([parsed.file], reuse?.agents);
  for (const agent of resolved.program.agents) {
    const { start, end } = agent.decl.span;
    agent.hasSyntaxErrors = parsed.diagnostics.some(
      (d) => d.severity === 'error' && d.span !== undefined && d.span.start.offset >= start.offset && d.span.start.offset <= end.offset,
    );
  }
  // After a syntax error the tree is partial; resolving and checking it still finds the
  // mistakes in the parts that did parse.
  const diagnostics = [...parsed.diagnostics, ...resolved.diagnostics, ...check(resolved.program, reuse?.checks)];
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

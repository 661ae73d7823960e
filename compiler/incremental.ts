// What the language server keeps from one version of a file to the next, so that an edit costs
// about what the edited agent costs: the parse of each unchanged part (grammar/incremental.ts),
// and each unchanged agent resolved and checked. The rules across agents (ports, directories,
// links) and the ordering of diagnostics run in full every time. Results equal a fresh compile's
// (test/lsp-incremental.test.ts).
import type { AgentDecl, LetDecl } from '../grammar/ast.js';
import { IncrementalParser } from '../grammar/incremental.js';
import type { AgentCheckReuse } from './check/index.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Agent } from './model.js';
import { compileText, type CompileReuse, type CompileResult } from './program.js';
import type { AgentReuse, ResolvedAgent } from './resolve.js';

interface Resolution {
  constants: readonly LetDecl[];
  resolved: ResolvedAgent;
}

interface Findings {
  hasSyntaxErrors: boolean;
  diagnostics: Diagnostic[];
}

/** Compiles successive versions of one document. Only what the last compile used is kept. */
export class IncrementalCompiler {
  readonly parser = new IncrementalParser();
  private resolutions = new Map<AgentDecl, Resolution>();
  private nextResolutions = new Map<AgentDecl, Resolution>();
  private findings = new Map<Agent, Findings>();
  private nextFindings = new Map<Agent, Findings>();
  /** How many agents the last compile resolved and checked afresh, for the tests. */
  stats = { agents: 0, resolvedAgain: 0, checkedAgain: 0 };

  private readonly agents: AgentReuse = {
    resolved: (decl, constants) => {
      this.stats.agents++;
      const kept = this.resolutions.get(decl);
      if (!kept || !sameList(kept.constants, constants)) return undefined;
      this.nextResolutions.set(decl, kept);
      return kept.resolved;
    },
    remember: (decl, constants, resolved) => {
      this.stats.resolvedAgain++;
      this.nextResolutions.set(decl, { constants: [...constants], resolved });
    },
  };

  private readonly checks: AgentCheckReuse = {
    checked: (agent) => {
      const kept = this.findings.get(agent);
      if (!kept || kept.hasSyntaxErrors !== agent.hasSyntaxErrors) return undefined;
      this.nextFindings.set(agent, kept);
      return kept.diagnostics;
    },
    remember: (agent, diagnostics) => {
      this.stats.checkedAgain++;
      this.nextFindings.set(agent, { hasSyntaxErrors: agent.hasSyntaxErrors, diagnostics });
    },
  };

  private readonly reuse: CompileReuse = { parse: this.parser, agents: this.agents, checks: this.checks };

  compile(text: string, path: string): CompileResult {
    this.stats = { agents: 0, resolvedAgain: 0, checkedAgain: 0 };
    const result = compileText(text, path, this.reuse);
    this.resolutions = this.nextResolutions;
    this.nextResolutions = new Map();
    this.findings = this.nextFindings;
    this.nextFindings = new Map();
    return result;
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

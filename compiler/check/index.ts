// Runs every rule over a resolved program. Each rule lives in its own module.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Agent, Program } from '../model.js';
import { checkCapacity } from './capacity.js';
import { checkComponents } from './components.js';
import { checkDirectories, checkGraph, checkPorts } from './graph.js';
import { checkHeaderFlow } from './headers.js';
import { checkLinks } from './links.js';

/**
 * Lets the language server reuse the findings of the rules on one agent: they depend on that
 * agent alone (and on whether it has syntax errors), not on the rest of the program.
 */
export interface AgentCheckReuse {
  checked(agent: Agent): Diagnostic[] | undefined;
  remember(agent: Agent, diagnostics: Diagnostic[]): void;
}

export function check(program: Program, reuse?: AgentCheckReuse): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const agent of program.agents) {
    let own = reuse?.checked(agent);
    if (!own) {
      own = [];
      checkComponents(agent, own);
      checkGraph(agent, own);
      checkCapacity(agent, own);
      checkHeaderFlow(agent, own);
      reuse?.remember(agent, own);
    }
    for (const d of own) diagnostics.push(d);
  }
  checkPorts(program, diagnostics);
  checkDirectories(program, diagnostics);
  checkLinks(program, diagnostics);
  return diagnostics;
}

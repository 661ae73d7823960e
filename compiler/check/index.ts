// Runs every rule over a resolved program. Each rule lives in its own module.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Program } from '../model.js';
import { checkCapacity } from './capacity.js';
import { checkComponents } from './components.js';
import { checkDirectories, checkGraph, checkPorts } from './graph.js';
import { checkHeaderFlow } from './headers.js';
import { checkLinks } from './links.js';

export function check(program: Program): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const agent of program.agents) {
    checkComponents(agent, diagnostics);
    checkGraph(agent, diagnostics);
    checkCapacity(agent, diagnostics);
    checkHeaderFlow(agent, diagnostics);
  }
  checkPorts(program, diagnostics);
  checkDirectories(program, diagnostics);
  checkLinks(program, diagnostics);
  return diagnostics;
}

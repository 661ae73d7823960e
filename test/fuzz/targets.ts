// The in-process targets by name (the worker and the replay both load them from here).
import { makeFlowTarget } from './flow-target.js';
import { makeImportTarget } from './import-target.js';
import { makeCanaryTarget } from './canary-target.js';
import type { FuzzTarget } from './target.js';

export const IN_PROCESS_TARGETS = ['flow', 'import'] as const;

export function loadTarget(name: string): FuzzTarget {
  switch (name) {
    case 'flow':
      return makeFlowTarget();
    case 'import':
      return makeImportTarget();
    case 'canary':
      return makeCanaryTarget();
    default:
      throw new Error(`unknown in-process fuzz target \`${name}\``);
  }
}

// A compiled .flow program seen the way Flume would see it: its emitted properties, read back
// with Flume's rules. This is what `diff` and conformance compare against a properties file.
import { emitProperties } from '../emit/properties.js';
import type { Program } from '../model.js';
import type { FlumeConfigFile } from './config.js';
import { readFlumeConfig } from './read-config.js';

export function programAsFlumeConfig(program: Program, path: string): FlumeConfigFile {
  const merged: FlumeConfigFile = { path, agents: [], rejected: [], trailingComments: [], diagnostics: [] };
  for (const emitted of emitProperties(program)) {
    const file = readFlumeConfig(emitted.text, `${path} (${emitted.name})`);
    merged.agents.push(...file.agents);
    merged.rejected.push(...file.rejected);
    merged.diagnostics.push(...file.diagnostics);
  }
  return merged;
}

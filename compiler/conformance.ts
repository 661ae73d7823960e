// The round trip that proves an import safe: properties → .flow → properties, compared by
// what Flume would run. Also checks that the imported .flow is already formatted.
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { diffEffective, type ConfigDifference } from './flume/diff.js';
import { effectiveConfig } from './flume/effective.js';
import { programAsFlumeConfig } from './flume/from-program.js';
import { readFlumeConfig } from './flume/read-config.js';
import { formatFlow, formatText } from './format/printer.js';
import { importConfig } from './import/import.js';
import { compileText } from './program.js';

export interface RoundTripResult {
  /** The imported .flow text. */
  flow: string;
  /** Errors of `flowc check` on the imported file: the import must always compile. */
  compileErrors: Diagnostic[];
  /** Differences in effective configuration between the original and the rebuilt file. */
  differences: ConfigDifference[];
  /** Whether formatting the imported text changes it (it must not). */
  formatStable: boolean;
}

export function roundTrip(bytes: Buffer, path: string): RoundTripResult {
  const original = readFlumeConfig(bytes, path);
  const flowPath = path.replace(/(\.properties)?(\.\w+)?$/, '.flow');
  const flow = formatFlow(importConfig(original, flowPath));
  const compiled = compileText(flow, flowPath);
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error');
  const formatStable = formatText(flow, flowPath).text === flow;
  if (compileErrors.length > 0) return { flow, compileErrors, differences: [], formatStable };
  const rebuilt = programAsFlumeConfig(compiled.program, flowPath);
  const differences = diffEffective(effectiveConfig(original), effectiveConfig(rebuilt));
  return { flow, compileErrors, differences, formatStable };
}

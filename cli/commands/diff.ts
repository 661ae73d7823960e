// `flowc diff a b`: compares what Flume 1.11 would actually run for two configurations, each
// a flume.properties file or a .flow file (compiled, then read back like a properties file).
import { Option, type Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { renderDiagnostic, shouldColor } from '../../compiler/diagnostics/render-text.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { FlumeConfigFile } from '../../compiler/flume/config.js';
import { diffEffective, renderDifferences } from '../../compiler/flume/diff.js';
import { effectiveConfig, type EffectiveConfig } from '../../compiler/flume/effective.js';
import { programAsFlumeConfig } from '../../compiler/flume/from-program.js';
import { decodeConfigText, readFlumeConfig } from '../../compiler/flume/read-config.js';
import { compileText } from '../../compiler/program.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { MAX_INPUT_BYTES, decodeText, describeFsError } from '../inputs.js';
import { Reporter } from '../report.js';

interface DiffOptions {
  format: 'text' | 'json';
  agent?: string;
}

/** A usage or I/O problem, already explained to the user. */
class InputError extends Error {}

export function registerDiff(program: Command, version: string): void {
  program
    .command('diff')
    .description('compare what Flume would run for two configurations (.properties or .flow)')
    .argument('<a>', 'a flume.properties file or a .flow file')
    .argument('<b>', 'a flume.properties file or a .flow file')
    .addOption(new Option('--format <format>', 'how to print the differences').choices(['text', 'json']).default('text'))
    .option('--agent <name>', 'compare only this agent')
    .version(version, '-V, --version')
    .exitOverride()
    .action((a: string, b: string, opts: DiffOptions) => {
      process.exitCode = runDiff(a, b, opts);
    });
}

function runDiff(a: string, b: string, opts: DiffOptions): number {
  let left: EffectiveConfig;
  let right: EffectiveConfig;
  try {
    left = effectiveConfig(load(a, opts));
    right = effectiveConfig(load(b, opts));
  } catch (e) {
    if (e instanceof InputError) return EXIT_USAGE;
    throw e;
  }
  if (opts.agent !== undefined) {
    const name = opts.agent;
    if (!Object.hasOwn(left.agents, name) && !Object.hasOwn(right.agents, name)) {
      const known = [...new Set([...Object.keys(left.agents), ...Object.keys(right.agents)])].sort();
      process.stderr.write(`error: no active agent \`${name}\` in \`${a}\` or \`${b}\`${known.length > 0 ? ` (agents: ${known.join(', ')})` : ''}\n`);
      return EXIT_USAGE;
    }
    left = only(left, name);
    right = only(right, name);
  }
  const differences = diffEffective(left, right);
  const equal = differences.length === 0;
  if (opts.format === 'json') {
    process.stdout.write(`${JSON.stringify({ equal, differences }, null, 2)}\n`);
  } else if (equal) {
    process.stdout.write(`no differences: Flume runs the same configuration for \`${a}\` and \`${b}\`\n`);
  } else {
    const n = differences.length;
    process.stdout.write(`${renderDifferences(differences, { color: shouldColor(process.stdout) })}\n\n${n} difference${n === 1 ? '' : 's'}\n`);
  }
  return equal ? EXIT_OK : EXIT_ERRORS;
}

function only(config: EffectiveConfig, agent: string): EffectiveConfig {
  return { agents: Object.hasOwn(config.agents, agent) ? Object.fromEntries([[agent, config.agents[agent]!]]) : {} };
}

function fail(message: string): never {
  process.stderr.write(`error[FLOW090]: ${message}\n`);
  throw new InputError(message);
}

function readBytes(path: string): Buffer {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) fail(`cannot read \`${path}\`: it is a folder (give one file)`);
    if (stat.size > MAX_INPUT_BYTES) fail(`\`${path}\` is ${(stat.size / 1024 / 1024).toFixed(1)} MB, larger than the ${MAX_INPUT_BYTES / 1024 / 1024} MB flowc reads`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return fail(describeFsError(e, path));
  }
}

function load(path: string, opts: DiffOptions): FlumeConfigFile {
  const bytes = readBytes(path);
  if (path.endsWith('.flow')) return loadFlow(path, bytes, opts);
  // Properties files may be Latin-1, so only NUL bytes mark binary data here.
  if (bytes.includes(0)) fail(`\`${path}\` is not a text file (it contains binary data)`);
  const file = readFlumeConfig(bytes, path);
  if (opts.format === 'text') explain(file, decodeConfigText(bytes));
  return file;
}

/** Compiles a .flow file and reads each emitted agent file back the way Flume would. */
function loadFlow(path: string, bytes: Buffer, opts: DiffOptions): FlumeConfigFile {
  const text = decodeText(bytes);
  if (text === undefined) fail(`\`${path}\` is not a text file (it contains binary data)`);
  const result = compileText(text, path);
  if (result.errorCount > 0) {
    const reporter = new Reporter(opts.format, process.stderr);
    reporter.addFile(path, text, result.diagnostics);
    reporter.print();
    process.stderr.write(`error: \`${path}\` does not compile, so there is nothing to compare\n`);
    throw new InputError('compile errors');
  }
  return programAsFlumeConfig(result.program, path);
}

/** Says on stderr what Flume drops or ignores in a properties file, since it shapes the diff. */
function explain(file: FlumeConfigFile, text: string): void {
  if (file.diagnostics.length === 0) return;
  const color = shouldColor(process.stderr);
  const sources = new Map([[file.path, text]]);
  const shown: Diagnostic[] = file.diagnostics.slice(0, 50);
  const blocks = shown.map((d) => renderDiagnostic(d, { color, sources }));
  if (file.diagnostics.length > shown.length) blocks.push(`... and ${file.diagnostics.length - shown.length} more in ${file.path}`);
  const errors = file.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = file.diagnostics.length - errors;
  process.stderr.write(
    `${blocks.join('\n\n')}\n\nnote: \`${file.path}\`: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (what Flume drops or ignores; the comparison reflects them)\n\n`,
  );
}

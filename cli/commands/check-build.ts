// `flowc check` and `flowc build`.
import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { compileText } from '../../compiler/program.js';
import { emitProperties } from '../../compiler/emit/properties.js';
import { writeFileAtomic } from '../../compiler/util/atomic-write.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { collectInputs } from '../inputs.js';
import { Reporter, type Format } from '../report.js';
import { planBundle, writeBundles, type BundlePlan } from '../../compiler/emit/bundle.js';
import type { Program } from '../../compiler/model.js';

export const formatOption = () => new Option('--format <format>', 'how to print diagnostics').choices(['text', 'json']).default('text');

export function registerCheck(program: Command, version: string): void {
  program
    .command('check')
    .description('check .flow files and report every problem')
    .argument('<paths...>', '.flow files or folders')
    .addOption(formatOption())
    .version(version, '-V, --version')
    .exitOverride()
    .action((paths: string[], opts: { format: Format }) => {
      process.exitCode = runCheck(paths, opts.format);
    });
}

export function registerBuild(program: Command, version: string): void {
  program
    .command('build')
    .description('compile .flow files to Flume properties (one file per agent)')
    .argument('<paths...>', '.flow files or folders')
    .addOption(new Option('-t, --target <target>', 'what to build').choices(['properties', 'bundle']).default('properties'))
    .requiredOption('-o, --out <dir>', 'output folder')
    .addOption(formatOption())
    .version(version, '-V, --version')
    .exitOverride()
    .action(async (paths: string[], opts: { target: string; out: string; format: Format }) => {
      process.exitCode = await runBuild(paths, opts);
    });
}

function runCheck(paths: string[], format: Format): number {
  const reporter = new Reporter(format, process.stdout);
  const { files, problems } = collectInputs(paths);
  problems.forEach((p) => reporter.addProblem(p));
  for (const f of files) reporter.addFile(f.path, f.text, compileText(f.text, f.path).diagnostics);
  reporter.print(`checked ${files.length} file${files.length === 1 ? '' : 's'}: no errors`);
  if (problems.length > 0) return EXIT_USAGE;
  return reporter.errorCount > 0 ? EXIT_ERRORS : EXIT_OK;
}

interface BuildInput {
  path: string;
  text: string;
  program: Program;
}

async function runBuild(paths: string[], opts: { target: string; out: string; format: Format }): Promise<number> {
  const reporter = new Reporter(opts.format, process.stderr);
  const inputs = compileForBuild(paths, reporter);
  if (typeof inputs === 'number') return inputs;
  // The bundle target refuses kinds the runtime lacks (FLOW095): every agent of every input is
  // checked first, and nothing is written unless all of them can be.
  const bundled: BundlePlan['agents'] = [];
  if (opts.target === 'bundle') {
    for (const input of inputs) {
      const plan = planBundle(input.program);
      reporter.addFile(input.path, input.text, plan.diagnostics);
      bundled.push(...plan.agents);
    }
    if (reporter.errorCount > 0) {
      reporter.print();
      process.stderr.write('nothing was written\n');
      return EXIT_ERRORS;
    }
  }
  const written: string[] = [];
  try {
    if (opts.target === 'bundle') {
      for (const o of await writeBundles(bundled, opts.out)) written.push(o.tsPath, o.mjsPath);
    } else {
      for (const input of inputs) {
        for (const emitted of emitProperties(input.program)) {
          const target = join(opts.out, emitted.name);
          writeFileAtomic(target, emitted.text);
          written.push(target);
        }
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(`error[FLOW090]: cannot write to \`${opts.out}\`: ${err.code === 'EACCES' ? 'permission denied' : err.message}\n`);
    return EXIT_USAGE;
  }
  if (reporter.diagnostics.length > 0) reporter.print();
  for (const w of written) process.stdout.write(`wrote ${w}\n`);
  return EXIT_OK;
}

/**
 * Reads and compiles every input of a build. Nothing is written unless every file compiles
 * and no two files declare the same agent (each agent becomes a file of its own).
 */
function compileForBuild(paths: string[], reporter: Reporter): BuildInput[] | number {
  const { files, problems } = collectInputs(paths);
  problems.forEach((p) => reporter.addProblem(p));
  const inputs: BuildInput[] = [];
  const agents = new Map<string, string>();
  for (const f of files) {
    const result = compileText(f.text, f.path);
    reporter.addFile(f.path, f.text, result.diagnostics);
    if (result.errorCount > 0) continue;
    for (const a of result.program.agents) {
      const clash = agents.get(a.name);
      if (clash) {
        reporter.addProblem({
          path: f.path,
          message: `agent \`${a.name}\` would be written by both \`${clash}\` and \`${f.path}\``,
          help: 'agent names must be unique across the files of one build',
        });
      }
      agents.set(a.name, f.path);
    }
    inputs.push({ path: f.path, text: f.text, program: result.program });
  }
  if (problems.length > 0 || reporter.errorCount > 0) {
    reporter.print();
    process.stderr.write('nothing was written\n');
    return problems.length > 0 ? EXIT_USAGE : EXIT_ERRORS;
  }
  return inputs;
}


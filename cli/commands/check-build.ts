// `flowc check` and `flowc build`.
import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { compileText } from '../../compiler/program.js';
import { emitProperties } from '../../compiler/emit/properties.js';
import { writeFileAtomic } from '../../compiler/util/atomic-write.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { collectInputs } from '../inputs.js';
import { Reporter, type Format } from '../report.js';
import { runBundleBuild } from './run.js';

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
    .action((paths: string[], opts: { target: string; out: string; format: Format }) => {
      process.exitCode = runBuild(paths, opts);
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

function runBuild(paths: string[], opts: { target: string; out: string; format: Format }): number {
  if (opts.target === 'bundle') return runBundleBuild(paths, opts);
  const reporter = new Reporter(opts.format, process.stderr);
  const { files, problems } = collectInputs(paths);
  problems.forEach((p) => reporter.addProblem(p));
  const outputs = new Map<string, { text: string; from: string }>();
  for (const f of files) {
    const result = compileText(f.text, f.path);
    reporter.addFile(f.path, f.text, result.diagnostics);
    if (result.errorCount > 0) continue;
    for (const emitted of emitProperties(result.program)) {
      const clash = outputs.get(emitted.name);
      if (clash) {
        reporter.addProblem({
          path: f.path,
          message: `agent file \`${emitted.name}\` would be written by both \`${clash.from}\` and \`${f.path}\``,
          help: 'agent names must be unique across the files of one build',
        });
        continue;
      }
      outputs.set(emitted.name, { text: emitted.text, from: f.path });
    }
  }
  if (problems.length > 0 || reporter.errorCount > 0) {
    reporter.print();
    process.stderr.write('nothing was written\n');
    return problems.length > 0 ? EXIT_USAGE : EXIT_ERRORS;
  }
  const written: string[] = [];
  try {
    for (const [name, { text }] of outputs) {
      const target = join(opts.out, name);
      writeFileAtomic(target, text);
      written.push(target);
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


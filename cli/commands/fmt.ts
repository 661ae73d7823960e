// `flowc fmt`: rewrites .flow files in the canonical style (docs/formatting.md).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatText } from '../../compiler/format/printer.js';
import { writeFileAtomic } from '../../compiler/util/atomic-write.js';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { collectInputs } from '../inputs.js';
import { Reporter } from '../report.js';

interface FmtOptions {
  check: boolean;
  width: number;
}

function parseWidth(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 20 || n > 1000) throw new InvalidArgumentError('the width must be a whole number from 20 to 1000.');
  return n;
}

export function registerFmt(program: Command, version: string): void {
  program
    .command('fmt')
    .description('format .flow files in place (only files that change are written)')
    .argument('<paths...>', '.flow files or folders')
    .option('--check', 'write nothing; list the files that are not formatted and exit 1 if there are any', false)
    .addOption(new Option('--width <columns>', 'the line length to fit in').argParser(parseWidth).default(100))
    .version(version, '-V, --version')
    .exitOverride()
    .action((paths: string[], opts: FmtOptions) => {
      process.exitCode = runFmt(paths, opts);
    });
}

function runFmt(paths: string[], opts: FmtOptions): number {
  const reporter = new Reporter('text', process.stderr);
  const { files, problems } = collectInputs(paths);
  problems.forEach((p) => reporter.addProblem(p));
  let unformatted = 0;
  let writeFailed = false;
  for (const f of files) {
    const result = formatText(f.text, f.path, { printWidth: opts.width });
    if (result.diagnostics.some((d) => d.severity === 'error')) {
      // Not formatted: the reader cannot tell what the user meant, and neither can we.
      reporter.addFile(f.path, f.text, result.diagnostics);
      continue;
    }
    if (result.text === f.text) continue;
    unformatted++;
    if (opts.check) {
      process.stdout.write(`would format ${f.path}\n`);
      continue;
    }
    try {
      writeFileAtomic(f.path, result.text);
      process.stdout.write(`formatted ${f.path}\n`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.message;
      process.stderr.write(`error[FLOW090]: cannot write \`${f.path}\`: ${why}\n`);
      writeFailed = true;
    }
  }
  if (reporter.diagnostics.length > 0) {
    reporter.print();
    const skipped = reporter.diagnostics.length - problems.length > 0;
    if (skipped) process.stderr.write('files with syntax errors were not formatted\n');
  }
  if (opts.check && unformatted > 0) {
    process.stderr.write(
      `${unformatted} file${unformatted === 1 ? ' is' : 's are'} not formatted; run \`flowc fmt\` on ${unformatted === 1 ? 'it' : 'them'}\n`,
    );
  }
  if (problems.length > 0 || writeFailed) return EXIT_USAGE;
  if (reporter.errorCount > 0 || (opts.check && unformatted > 0)) return EXIT_ERRORS;
  return EXIT_OK;
}

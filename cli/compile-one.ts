// The start of every command that works on one .flow file (`graph`, `run`): read it, compile
// it, and print the diagnostics; on a problem, say what was not done and give the exit code.
import { compileText, type CompileResult } from '../compiler/program.js';
import { EXIT_ERRORS, EXIT_USAGE } from './exit-codes.js';
import { collectInputs, type InputFile } from './inputs.js';
import type { Reporter } from './report.js';

export interface CompiledFile {
  input: InputFile;
  result: CompileResult;
}

/** The compiled file, or the exit code after the problems have been printed. */
export function compileOneFile(path: string, command: string, reporter: Reporter, nothingDone: string): CompiledFile | number {
  const { files, problems } = collectInputs([path]);
  problems.forEach((p) => reporter.addProblem(p));
  if (problems.length === 0 && files.length !== 1) {
    reporter.addProblem({ path, message: `\`flowc ${command}\` takes one .flow file; \`${path}\` holds ${files.length}`, help: 'name the file' });
  }
  if (reporter.errorCount > 0) {
    reporter.print();
    return EXIT_USAGE;
  }
  const input = files[0]!;
  const result = compileText(input.text, input.path);
  reporter.addFile(input.path, input.text, result.diagnostics);
  if (result.errorCount > 0) {
    reporter.print();
    process.stderr.write(`${nothingDone}\n`);
    return EXIT_ERRORS;
  }
  return { input, result };
}

// The `flowc` command line.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerBuild, registerCheck } from './commands/check-build.js';
import { registerDiff } from './commands/diff.js';
import { registerFmt } from './commands/fmt.js';
import { registerGraph } from './commands/graph.js';
import { registerImport } from './commands/import.js';
import { registerLsp } from './commands/lsp.js';
import { registerRun } from './commands/run.js';
import { registerSend } from './commands/send.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildCli(): Command {
  const program = new Command('flowc')
    .description('Typed configuration, checks and a runtime for Apache Flume agents')
    .version(version, '-V, --version')
    .showHelpAfterError('(run `flowc --help` for usage)')
    .exitOverride();
  registerCheck(program, version);
  registerBuild(program, version);
  registerRun(program, version);
  registerSend(program, version);
  registerDiff(program, version);
  registerFmt(program, version);
  registerImport(program, version);
  registerGraph(program, version);
  registerLsp(program, version);
  return program;
}

async function main(): Promise<void> {
  const cli = buildCli();
  try {
    await cli.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit with 0; usage mistakes with 2.
      process.exitCode = e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    const err = e as Error;
    process.stderr.write(`internal error: ${err.message}\nThis is a bug in flowc; please report it with the input that caused it.\n`);
    if (process.env.FLOWC_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 70;
  }
}

await main();

// The `flowc` command line.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Register = (program: Command, version: string) => void;

/**
 * Every command, in the order `flowc --help` lists them, with the module that defines it. A run
 * loads only the module of its command: the compiler, esbuild, the runtime and the language
 * server cost start-up time only to the commands that use them.
 */
const commands: [name: string, load: () => Promise<Register>][] = [
  ['check', async () => (await import('./commands/check-build.js')).registerCheck],
  ['build', async () => (await import('./commands/check-build.js')).registerBuild],
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['send', async () => (await import('./commands/send.js')).registerSend],
  ['diff', async () => (await import('./commands/diff.js')).registerDiff],
  ['fmt', async () => (await import('./commands/fmt.js')).registerFmt],
  ['import', async () => (await import('./commands/import.js')).registerImport],
  ['graph', async () => (await import('./commands/graph.js')).registerGraph],
  ['lsp', async () => (await import('./commands/lsp.js')).registerLsp],
];

/** The command line, with the commands `argv` needs: its own, all of them for help, none for `--version`. */
export async function buildCli(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('flowc')
    .description('Typed configuration, checks and a runtime for Apache Flume agents')
    .version(version, '-V, --version')
    .showHelpAfterError('(run `flowc --help` for usage)')
    .exitOverride();
  const first = argv[2];
  const own = commands.find(([name]) => name === first);
  const wanted = own ? [own] : first === '-V' || first === '--version' ? [] : commands;
  for (const register of await Promise.all(wanted.map(([, load]) => load()))) register(program, version);
  return program;
}

async function main(): Promise<void> {
  try {
    const cli = await buildCli();
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

// Not awaited at the top level, so that the command line bundles as CommonJS (scripts/bundle-cli.mjs).
void main();

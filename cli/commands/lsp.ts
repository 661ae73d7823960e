// `flowc lsp --stdio`: the language server, for VS Code (which starts it with --node-ipc) and
// any editor that speaks LSP (Neovim, Helix, Emacs...). Loaded only when asked for.
import { Option, type Command } from 'commander';

export function registerLsp(program: Command, version: string): void {
  program
    .command('lsp')
    .description('run the language server (diagnostics, completion, hover, rename... for .flow files)')
    .addOption(new Option('--stdio', 'speak the protocol over standard input and output (the default)'))
    .addOption(new Option('--node-ipc', "speak it over Node's IPC channel (for VS Code)").conflicts('stdio'))
    .version(version, '-V, --version')
    .exitOverride()
    .action(async (opts: { stdio?: boolean; nodeIpc?: boolean }) => {
      if (opts.nodeIpc && typeof process.send !== 'function') {
        process.stderr.write('error: --node-ipc needs a parent process with an IPC channel (use --stdio from a terminal or another editor)\n');
        process.exitCode = 2;
        return;
      }
      const { runLanguageServer } = await import('../../lsp/main.js');
      runLanguageServer(opts.nodeIpc ? 'node-ipc' : 'stdio', version);
    });
}

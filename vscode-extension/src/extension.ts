// The extension: starts the language server (the compiler, bundled) over IPC and registers
// the commands. Everything about .flow is the server's; this is glue.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { buildProperties, importProperties, runAgent } from './commands';
import { GraphPreview } from './preview';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.mjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'flow' }],
    initializationOptions: { printWidth: vscode.workspace.getConfiguration('flowc').get<number>('format.printWidth', 100) },
  };
  client = new LanguageClient('flowc', 'flowc language server', serverOptions, clientOptions);
  await client.start();
  const started = client;

  const preview = new GraphPreview(context, started);
  context.subscriptions.push(
    preview,
    vscode.commands.registerCommand('flowc.showGraphPreview', () => preview.show()),
    vscode.commands.registerCommand('flowc.buildProperties', () => buildProperties(started)),
    vscode.commands.registerCommand('flowc.importProperties', (uri?: vscode.Uri) => importProperties(started, uri)),
    vscode.commands.registerCommand('flowc.runAgent', () => runAgent(preview)),
  );
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

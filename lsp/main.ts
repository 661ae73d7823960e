// Starts the language server over stdio (`flowc lsp --stdio`, for any editor) or over Node's
// IPC channel (`--node-ipc`, as the VS Code extension runs it).
import { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer } from './server.js';

export type Transport = 'stdio' | 'node-ipc';

export function runLanguageServer(transport: Transport, version: string): void {
  const connection =
    transport === 'node-ipc'
      ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process))
      : createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  // Nothing else may write to stdout: it carries the protocol.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = console.log;
  startServer(connection, version);
}

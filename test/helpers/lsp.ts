// A language-server client for tests: starts the real `flowc lsp --stdio` as a child process
// and speaks JSON-RPC to it over its standard input and output, as an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export interface LspClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  /** Opens a document; returns its URI. */
  open(name: string, text: string): Promise<string>;
  /** Replaces the whole text (a new version). */
  replace(uri: string, text: string): void;
  /** Diagnostics published for `uri` at `version` or later (waits for them). */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]>;
  request<R>(method: string, params: unknown): Promise<R>;
  stop(): Promise<void>;
}

export async function startLsp(options: { initializationOptions?: unknown } = {}): Promise<LspClient> {
  const child = spawn(process.execPath, [resolve('bin/flowc.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; version: number; resolve: (d: Diagnostic[]) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && (p.version ?? 0) >= w.version) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: options.initializationOptions,
  });
  await connection.sendNotification('initialized', {});
  const versions = new Map<string, number>();

  return {
    connection,
    child,
    async open(name, text) {
      const uri = pathToFileURL(resolve('test-output/lsp', name)).href;
      versions.set(uri, 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 1, text } });
      return uri;
    },
    replace(uri, text) {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      void connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    },
    diagnostics(uri, version = versions.get(uri) ?? 1) {
      const latest = published.get(uri);
      if (latest && (latest.version ?? 0) >= version) return Promise.resolve(latest.diagnostics);
      return new Promise((res, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}; server stderr: ${stderr}`)), 20_000);
        waiters.push({ uri, version, resolve: (d) => (clearTimeout(timer), res(d)) });
      });
    },
    request: (method, params) => connection.sendRequest(method, params),
    async stop() {
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      connection.dispose();
      await new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => (clearTimeout(timer), res()));
      });
    },
  };
}

// The language server: wires the protocol to the features. Every feature reads the analysis
// of the document's current version, computed once (analysis.ts).
import {
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { Workspace, type Analysis } from './analysis.js';
import { codeActions } from './code-actions.js';
import { complete } from './completion.js';
import { DiagnosticsScheduler, toLspDiagnostics } from './diagnostics.js';
import { formatDocument } from './formatting.js';
import { hover } from './hover.js';
import { definition, prepareRename, references, rename } from './navigation.js';
import { documentSymbols } from './outline.js';
import { BuildPropertiesRequest, buildProperties, graphOf, GraphRequest, importProperties, ImportRequest, type GraphParams, type GraphResult, type ImportParams } from './requests.js';

export interface ServerOptions {
  /** Extra quiet time before checking after an edit (ms); by default it adapts to the file. */
  diagnosticsDelay?: number;
  /** The line length formatting fits in; default 100, as `flowc fmt`. */
  printWidth?: number;
}

export function startServer(connection: Connection, version: string): void {
  const workspace = new Workspace();
  let options: ServerOptions = {};
  /** How long the last check took: a file that is slow to check is checked less often while typing. */
  let lastCheckMs = 0;

  const publish = (uri: string) => {
    const started = performance.now();
    const analysis = workspace.analysis(uri);
    if (!analysis) return;
    lastCheckMs = performance.now() - started;
    void connection.sendDiagnostics({ uri, version: analysis.document.version, diagnostics: toLspDiagnostics(analysis) });
  };
  // An edit is checked at once, unless edits come faster than checks finish (fast typing in a
  // large file): then the check waits for a pause as long as one check takes, so that checks
  // never queue up behind each other and requests stay answered.
  let lastChangeAt = 0;
  const delay = () => {
    if (options.diagnosticsDelay !== undefined) return options.diagnosticsDelay;
    const now = performance.now();
    const sincePrevious = now - lastChangeAt;
    lastChangeAt = now;
    return sincePrevious < lastCheckMs ? Math.min(lastCheckMs, 400) : 0;
  };
  const scheduler = new DiagnosticsScheduler(publish, delay);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    options = { ...((params.initializationOptions as ServerOptions | undefined) ?? {}) };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [':', '=', '>', '|', ',', '.', ' '] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'flowc', version },
    };
  });

  connection.onDidOpenTextDocument(({ textDocument: d }) => {
    workspace.open(d.uri, d.version, d.text);
    publish(d.uri);
  });
  connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
    if (workspace.change(d.uri, d.version, contentChanges)) scheduler.schedule(d.uri);
  });
  connection.onDidCloseTextDocument(({ textDocument: d }) => {
    scheduler.cancel(d.uri);
    workspace.close(d.uri);
    void connection.sendDiagnostics({ uri: d.uri, diagnostics: [] });
  });

  const withAnalysis =
    <P extends { textDocument: { uri: string } }, R>(feature: (a: Analysis, p: P) => R, none: R) =>
    (params: P): R => {
      const analysis = workspace.analysis(params.textDocument.uri);
      return analysis ? feature(analysis, params) : none;
    };

  connection.onCompletion(withAnalysis((a, p) => complete(a, p.position), []));
  connection.onHover(withAnalysis((a, p) => hover(a, p.position), null));
  connection.onDefinition(withAnalysis((a, p) => definition(a, p.position), null));
  connection.onReferences(withAnalysis((a, p) => references(a, p.position, p.context.includeDeclaration), []));
  connection.onPrepareRename(withAnalysis((a, p) => prepareRename(a, p.position), null));
  connection.onRenameRequest(withAnalysis((a, p) => rename(a, p.position, p.newName), null));
  connection.onDocumentSymbol(withAnalysis((a) => documentSymbols(a), []));
  connection.onDocumentFormatting(withAnalysis((a, p) => formatDocument(a, p.options, options.printWidth ?? 100), []));
  connection.onCodeAction(withAnalysis((a, p) => codeActions(a, p), []));

  connection.onRequest(GraphRequest, withAnalysis((a, p: GraphParams): Promise<GraphResult | null> => graphOf(a, p), Promise.resolve(null)));
  connection.onRequest(BuildPropertiesRequest, withAnalysis((a) => buildProperties(a), null));
  connection.onRequest(ImportRequest, (params: ImportParams) => importProperties(params));

  connection.listen();
}

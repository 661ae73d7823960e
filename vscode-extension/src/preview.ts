// "Flow: Show Graph Preview": the graph of `flowc graph --format html` in a webview beside the
// editor, redrawn as the file changes. Its viewer script and style are the compiler's own
// (written to media/ at build time) and load through asWebviewUri under a strict content
// security policy. Clicking a node reveals its declaration. While `Flow: Run Agent` runs the
// file, the live view's frames (rates, channel fill, failures) are read from `flowc run --ui`
// by the extension host and handed to the live script of `flowc run --ui`, unchanged.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphRequest, type GraphResult } from './protocol';

const LIVE_INTERVAL_MS = 1000;

export class GraphPreview implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private last: GraphResult | undefined;
  private livePort: number | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private redrawTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document) this.scheduleRedraw();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || editor?.document.languageId !== 'flow' || editor.document === this.document) return;
        this.document = editor.document;
        this.last = undefined;
        this.stopLive();
        this.scheduleRedraw(0);
      }),
    );
  }

  async show(document?: vscode.TextDocument, livePort?: number): Promise<void> {
    const target = document ?? (vscode.window.activeTextEditor?.document.languageId === 'flow' ? vscode.window.activeTextEditor.document : this.document);
    if (!target) {
      void vscode.window.showErrorMessage('Open a .flow file first.');
      return;
    }
    if (target !== this.document) this.last = undefined;
    this.document = target;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('flowc.graphPreview', 'Flow Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'media')],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.stopLive();
      });
      this.panel.webview.onDidReceiveMessage((m: { type: string; id?: string }) => {
        if (m.type === 'reveal' && m.id) void this.reveal(m.id);
      });
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    if (livePort !== undefined) this.startLive(livePort);
    await this.redraw();
  }

  private scheduleRedraw(delay = 250): void {
    clearTimeout(this.redrawTimer);
    this.redrawTimer = setTimeout(() => void this.redraw(), delay);
  }

  private async redraw(): Promise<void> {
    const panel = this.panel;
    const document = this.document;
    if (!panel || !document) return;
    const result = await this.client.sendRequest<GraphResult | null>(GraphRequest, { textDocument: { uri: document.uri.toString() }, live: this.livePort !== undefined });
    if (!result || panel !== this.panel || document !== this.document) return;
    const name = document.uri.path.split('/').pop() ?? 'flow';
    panel.title = `Graph: ${name}`;
    if (result.svg === null) {
      // Keep the last good drawing, and say why it is not current.
      if (this.last) {
        void panel.webview.postMessage({ type: 'status', text: `${result.errorCount} error${result.errorCount === 1 ? '' : 's'} in ${name}: showing the graph as it was before` });
        return;
      }
    } else {
      this.last = result;
    }
    panel.webview.html = this.html(panel.webview, this.last ?? result);
  }

  private html(webview: vscode.Webview, result: GraphResult): string {
    const nonce = randomBytes(16).toString('base64');
    const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', file)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    const live = this.livePort !== undefined;
    const svg = result.svg === null ? `<p class="empty">${result.errorCount} error${result.errorCount === 1 ? '' : 's'} in this file: fix ${result.errorCount === 1 ? 'it' : 'them'} to see its graph.</p>` : result.svg.replace(/<style>/g, `<style nonce="${nonce}">`);
    const graphJson = JSON.stringify(result.graph ?? { nodes: [], edges: [], agents: [] }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
    return [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      `<link rel="stylesheet" href="${media('viewer.css')}" nonce="${nonce}">`,
      live ? `<link rel="stylesheet" href="${media('live.css')}" nonce="${nonce}">` : '',
      `<link rel="stylesheet" href="${media('preview.css')}" nonce="${nonce}">`,
      '</head>',
      '<body>',
      `<div id="stage">\n${svg}\n</div>`,
      '<aside id="panel" hidden></aside>',
      '<div id="bar"><button id="fit" type="button">fit</button><span id="status"></span></div>',
      `<script type="application/json" id="flowc-graph">${graphJson}</script>`,
      `<script nonce="${nonce}" src="${media('preview.js')}"></script>`,
      result.svg === null ? '' : `<script nonce="${nonce}" src="${media('viewer.js')}"></script>`,
      live && result.svg !== null ? `<script nonce="${nonce}" src="${media('live.js')}"></script>` : '',
      '</body>',
      '</html>',
    ].join('\n');
  }

  private async reveal(id: string): Promise<void> {
    const at = this.last?.nodes[id];
    const document = this.document;
    if (!at || !document) return;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const position = new vscode.Position(at.line, at.character);
    await vscode.window.showTextDocument(document, {
      viewColumn: editor?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(position, position),
      preserveFocus: false,
    });
  }

  // ---- live rates while the agent runs ------------------------------------------------------

  private startLive(port: number): void {
    this.stopLive();
    this.livePort = port;
    let seen = false;
    let misses = 0;
    const poll = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/state`, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(String(response.status));
        const frame: unknown = await response.json();
        seen = true;
        misses = 0;
        void this.panel?.webview.postMessage({ type: 'frame', frame });
      } catch {
        // Not started yet, or stopped: after it has been seen, a few misses in a row mean it ended.
        if (seen && ++misses >= 3) {
          void this.panel?.webview.postMessage({ type: 'bye' });
          this.stopLive(false);
        }
      }
    };
    this.liveTimer = setInterval(() => void poll(), LIVE_INTERVAL_MS);
    void poll();
  }

  private stopLive(forget = true): void {
    clearInterval(this.liveTimer);
    this.liveTimer = undefined;
    if (forget) this.livePort = undefined;
  }

  dispose(): void {
    this.stopLive();
    clearTimeout(this.redrawTimer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

// Build Properties, Import flume.properties… and Run Agent.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { GraphPreview } from './preview';
import { BuildPropertiesRequest, ImportRequest, type BuildResult, type ImportResult } from './protocol';

function activeFlowEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === 'flow') return editor;
  void vscode.window.showErrorMessage('Open a .flow file first.');
  return undefined;
}

export async function buildProperties(client: LanguageClient): Promise<void> {
  const editor = activeFlowEditor();
  if (!editor) return;
  const document = editor.document;
  const result = await client.sendRequest<BuildResult | null>(BuildPropertiesRequest, { textDocument: { uri: document.uri.toString() } });
  if (!result) return;
  if (result.errorCount > 0) {
    void vscode.window.showErrorMessage(`${document.uri.path.split('/').pop()} has ${result.errorCount} error${result.errorCount === 1 ? '' : 's'}; nothing was written.`, 'Show Problems').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return;
  }
  const folder = outputFolder(document);
  await vscode.workspace.fs.createDirectory(folder);
  const written: vscode.Uri[] = [];
  for (const file of result.files) {
    const target = vscode.Uri.joinPath(folder, file.name);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(file.text));
    written.push(target);
  }
  const names = written.map((u) => vscode.workspace.asRelativePath(u)).join(', ');
  const choice = await vscode.window.showInformationMessage(`Wrote ${names}`, 'Open');
  if (choice && written[0]) await vscode.window.showTextDocument(written[0]);
}

/** The configured folder (relative to the workspace folder), or the .flow file's own. */
function outputFolder(document: vscode.TextDocument): vscode.Uri {
  const configured = vscode.workspace.getConfiguration('flowc', document.uri).get<string>('build.outputFolder', '').trim();
  const beside = vscode.Uri.joinPath(document.uri, '..');
  if (!configured) return beside;
  if (isAbsolute(configured)) return vscode.Uri.file(configured);
  const root = vscode.workspace.getWorkspaceFolder(document.uri)?.uri ?? beside;
  return vscode.Uri.joinPath(root, configured);
}

export async function importProperties(client: LanguageClient, uri?: vscode.Uri): Promise<void> {
  const picked =
    uri ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Import', filters: { 'Flume properties': ['properties', 'template', 'conf'], 'All files': ['*'] } }))?.[0];
  if (!picked) return;
  const bytes = await vscode.workspace.fs.readFile(picked);
  if (bytes.includes(0)) {
    void vscode.window.showErrorMessage(`${picked.fsPath} is not a text file.`);
    return;
  }
  const result = await client.sendRequest<ImportResult>(ImportRequest, { base64: Buffer.from(bytes).toString('base64'), path: picked.fsPath });
  if (result.text === null) {
    void vscode.window.showErrorMessage(result.problems[result.problems.length - 1] ?? 'nothing to import');
    return;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'flow', content: result.text });
  await vscode.window.showTextDocument(document);
  if (result.problems.length > 0) {
    const channel = output();
    channel.clear();
    channel.appendLine(`flowc import ${picked.fsPath}`);
    for (const p of result.problems) channel.appendLine(p);
    void vscode.window.showWarningMessage(`Imported with ${result.problems.length} remark${result.problems.length === 1 ? '' : 's'} about the properties file.`, 'Show').then((c) => c && channel.show());
  }
}

let channel: vscode.OutputChannel | undefined;
function output(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('flowc');
  return channel;
}

export async function runAgent(preview: GraphPreview): Promise<void> {
  const editor = activeFlowEditor();
  if (!editor) return;
  const document = editor.document;
  if (document.isUntitled) {
    void vscode.window.showErrorMessage('Save the file first: flowc runs the file on disk.');
    return;
  }
  if (document.isDirty) await document.save();
  const config = vscode.workspace.getConfiguration('flowc', document.uri);
  const port = config.get<number>('run.uiPort', 0) || (await freePort());
  const cwd = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? dirname(document.uri.fsPath);
  const terminal = vscode.window.createTerminal({ name: `flowc run ${document.uri.path.split('/').pop()}`, cwd });
  terminal.show(true);
  terminal.sendText(`${flowcCommand(cwd, config.get<string>('run.command', ''))} run ${quote(document.uri.fsPath)} --ui-port ${port}`);
  await preview.show(document, port);
}

function flowcCommand(cwd: string, configured: string): string {
  if (configured.trim()) return configured.trim();
  const local = join(cwd, 'node_modules', '.bin', 'flowc');
  return existsSync(local) ? quote(local) : 'flowc';
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

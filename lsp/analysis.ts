// One open document and what the compiler makes of it. The analysis of a version is computed
// once, when a feature first needs it, and shared by every request on that version. Each
// document keeps an IncrementalCompiler: an edit re-does only the agents it touched, with the
// same results as a fresh compile (compiler/incremental.ts).
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FlowFile } from '../grammar/ast.js';
import { IncrementalCompiler } from '../compiler/incremental.js';
import { compileText, type CompileResult } from '../compiler/program.js';
import { buildNameIndex, type NameIndex } from './names.js';

export interface Analysis {
  document: TextDocument;
  /** The path diagnostics and spans name: the file's path for `file:` URIs, else the URI. */
  path: string;
  file: FlowFile;
  result: CompileResult;
  /** Agents, components and constants, with every place that names them (built on first use). */
  readonly names: NameIndex;
}

export function pathOf(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

/** `compiler` keeps what it made of the document's previous version, to reuse what an edit left unchanged. */
export function analyze(document: TextDocument, compiler?: IncrementalCompiler): Analysis {
  const path = pathOf(document.uri);
  const result = compiler ? compiler.compile(document.getText(), path) : compileText(document.getText(), path);
  const file = result.program.files[0]!;
  let names: NameIndex | undefined;
  return {
    document,
    path,
    file,
    result,
    // Publishing diagnostics does not need it; navigation, hover and rename do.
    get names() {
      return (names ??= buildNameIndex(file));
    },
  };
}

/** The open documents, each with the analysis of its latest version (computed on demand). */
export class Workspace {
  private readonly documents = new Map<string, TextDocument>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly compilers = new Map<string, IncrementalCompiler>();

  open(uri: string, version: number, text: string): TextDocument {
    const document = TextDocument.create(uri, 'flow', version, text);
    this.documents.set(uri, document);
    this.analyses.delete(uri);
    this.compilers.set(uri, new IncrementalCompiler());
    return document;
  }

  change(uri: string, version: number, changes: Parameters<typeof TextDocument.update>[1]): TextDocument | undefined {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const updated = TextDocument.update(document, changes, version);
    this.documents.set(uri, updated);
    this.analyses.delete(uri);
    return updated;
  }

  close(uri: string): void {
    this.documents.delete(uri);
    this.analyses.delete(uri);
    this.compilers.delete(uri);
  }

  document(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  analysis(uri: string): Analysis | undefined {
    const document = this.documents.get(uri);
    if (!document) return undefined;
    const cached = this.analyses.get(uri);
    if (cached && cached.document === document) return cached;
    const fresh = analyze(document, this.compilers.get(uri));
    this.analyses.set(uri, fresh);
    return fresh;
  }
}

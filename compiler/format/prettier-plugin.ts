// A prettier 3 plugin for .flow files: `prettier --plugin flowc/prettier --write app.flow`.
// It prints the very document `flowc fmt` prints (printer.ts), so both give the same text;
// `printWidth` defaults to 100 as in flowc, and `tabWidth` is the indentation.
import type { AstPath, Doc, Parser, ParserOptions, Plugin, Printer, SupportLanguage } from 'prettier';
import type { FlowFile } from '../../grammar/ast.js';
import { parseFlow } from '../../grammar/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { DEFAULT_PRINT_WIDTH, flowDoc } from './printer.js';

/**
 * The root handed to prettier. The file is wrapped, so that prettier's own comment handling
 * (which takes and deletes `comments` from the root) leaves ours alone.
 */
export interface FlowcRoot {
  kind: 'FlowcRoot';
  file: FlowFile;
  start: number;
  end: number;
}

type Located = { span?: { start: { offset: number }; end: { offset: number } }; start?: number; end?: number };

export const languages: SupportLanguage[] = [
  {
    name: 'flow-agent',
    aliases: ['flowc'],
    parsers: ['flowc'],
    extensions: ['.flow'],
    vscodeLanguageIds: ['flow'],
  },
];

/** The error prettier shows for a file flowc cannot parse: `file:line:col: error[CODE]: message`. */
export class FlowSyntaxError extends SyntaxError {
  /** Read by prettier to print a code frame. */
  readonly loc?: { start: { line: number; column: number } };

  constructor(
    readonly diagnostics: Diagnostic[],
    path: string,
  ) {
    const lines = diagnostics.map((d) => {
      const at = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}` : path;
      return `${at}: ${d.severity}[${d.code}]: ${d.message}`;
    });
    super(lines.join('\n'));
    this.name = 'SyntaxError';
    const first = diagnostics.find((d) => d.span);
    if (first?.span) this.loc = { start: { line: first.span.start.line, column: first.span.start.col } };
  }
}

const flowcParser: Parser<FlowcRoot> = {
  parse(text: string, options: ParserOptions<FlowcRoot>): FlowcRoot {
    const path = typeof options?.filepath === 'string' ? options.filepath : '<input>.flow';
    const { file, diagnostics } = parseFlow(text, path);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new FlowSyntaxError(errors, path);
    return { kind: 'FlowcRoot', file, start: 0, end: text.length };
  },
  astFormat: 'flowc-ast',
  locStart: (node: Located) => node.span?.start.offset ?? node.start ?? 0,
  locEnd: (node: Located) => node.span?.end.offset ?? node.end ?? 0,
};

export const parsers: Record<string, Parser<FlowcRoot>> = { flowc: flowcParser };

const flowcPrinter: Printer<FlowcRoot> = {
  print(path: AstPath<FlowcRoot>): Doc {
    const node = path.node;
    // flowDoc builds the whole file's document in one go, comments included.
    return flowDoc(node.file) as Doc;
  },
};

export const printers: Record<string, Printer<FlowcRoot>> = { 'flowc-ast': flowcPrinter };

export const defaultOptions = { printWidth: DEFAULT_PRINT_WIDTH };

const plugin: Plugin<FlowcRoot> = { languages, parsers, printers, defaultOptions };
export default plugin;

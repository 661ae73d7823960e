// Document symbols: constants, and agents holding their constants and components, for the
// outline and breadcrumbs.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { ComponentRole, FlowFile, Ident, Span } from '../grammar/ast.js';
import type { Analysis } from './analysis.js';
import { toRange } from './positions.js';

const roleKind: Record<ComponentRole, SymbolKind> = {
  source: SymbolKind.Event,
  channel: SymbolKind.Interface,
  sink: SymbolKind.Function,
  interceptor: SymbolKind.Operator,
  group: SymbolKind.Array,
  filter: SymbolKind.Struct,
};

function symbol(name: Ident, detail: string, kind: SymbolKind, span: Span, children?: DocumentSymbol[]): DocumentSymbol {
  const s: DocumentSymbol = { name: name.name, detail, kind, range: toRange(span), selectionRange: toRange(name.span) };
  if (children) s.children = children;
  return s;
}

export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  return symbolsOf(analysis.file);
}

export function symbolsOf(file: FlowFile): DocumentSymbol[] {
  return file.items.map((item) => {
    if (item.kind === 'Let') return symbol(item.name, 'let', SymbolKind.Constant, item.span);
    const children: DocumentSymbol[] = [];
    for (const inner of item.items) {
      if (inner.kind === 'Let') children.push(symbol(inner.name, 'let', SymbolKind.Constant, inner.span));
      else if (inner.kind === 'Component') children.push(symbol(inner.name, `${inner.role} : ${inner.type.name}`, roleKind[inner.role], inner.span));
      else for (const stage of inner.stages) if (stage.kind === 'Group' && stage.name) children.push(symbol(stage.name, `group : ${stage.policy}`, SymbolKind.Array, stage.span));
    }
    return symbol(item.name, 'agent', SymbolKind.Module, item.span, children);
  });
}

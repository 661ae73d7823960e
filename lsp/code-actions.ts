// Quick fixes: apply a did-you-mean, add a missing required property with a placeholder value,
// and write a bare number of seconds, milliseconds or bytes as a duration or size.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic as LspDiagnostic, type TextEdit } from 'vscode-languageserver';
import { findProperty } from '../compiler/catalog/index.js';
import type { ComponentDecl } from '../grammar/ast.js';
import type { Analysis } from './analysis.js';
import { agentAt, blockAt } from './blocks.js';
import { quantityText } from './describe.js';
import { toLspPosition, toRange, touches } from './positions.js';

interface DiagnosticData {
  help?: string[];
}

const DID_YOU_MEAN = /^did you mean `([^`]+)`\?$/;
const ADD_PROPERTY = /^add `([^`]+ = [^`]+)`/;

export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    if (d.source !== 'flowc') continue;
    const help = (d.data as DiagnosticData | undefined)?.help ?? [];
    for (const line of help) {
      const guess = DID_YOU_MEAN.exec(line);
      if (guess) actions.push(fix(analysis, `Change to \`${guess[1]}\``, [{ range: d.range, newText: guess[1]! }], d, true));
    }
    if (d.code === 'FLOW022') {
      const entry = help.map((h) => ADD_PROPERTY.exec(h)?.[1]).find((e) => e !== undefined);
      const edit = entry && addEntry(analysis, d, entry);
      if (edit) actions.push(fix(analysis, `Add \`${entry}\``, [edit], d, false));
    }
  }
  const unit = numberToQuantity(analysis, params);
  if (unit) actions.push(unit);
  return actions;
}

function fix(analysis: Analysis, title: string, edits: TextEdit[], diagnostic: LspDiagnostic | undefined, preferred: boolean): CodeAction {
  const action: CodeAction = { title, kind: CodeActionKind.QuickFix, edit: { changes: { [analysis.document.uri]: edits } } };
  if (diagnostic) action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}

/** Adds `entry` to the block of the component the diagnostic is about (made if it has none). */
function addEntry(analysis: Analysis, d: LspDiagnostic, entry: string): TextEdit | undefined {
  const offset = analysis.document.offsetAt(d.range.start);
  const agent = agentAt(analysis.file, offset);
  const decl = agent?.items.find((i): i is ComponentDecl => i.kind === 'Component' && i.name.span.start.offset === offset);
  if (!decl) return undefined;
  const text = analysis.file.text;
  const body = decl.body;
  if (!body) return { range: { start: toLspPosition(decl.type.span.end), end: toLspPosition(decl.type.span.end) }, newText: ` { ${entry} }` };
  const last = body.entries[body.entries.length - 1];
  if (body.span.start.line === body.span.end.line) {
    if (!last) return { range: toRange(body.span), newText: `{ ${entry} }` };
    return { range: { start: toLspPosition(last.span.end), end: toLspPosition(last.span.end) }, newText: `, ${entry}` };
  }
  const lineStart = (o: number) => text.lastIndexOf('\n', o - 1) + 1;
  const declIndent = /^[ \t]*/.exec(text.slice(lineStart(decl.span.start.offset)))![0];
  const indent = last ? /^[ \t]*/.exec(text.slice(lineStart(last.span.start.offset)))![0] : `${declIndent}  `;
  const close = body.span.end.offset - 1;
  const closeLine = lineStart(close);
  if (/^[ \t]*$/.test(text.slice(closeLine, close))) {
    const at = analysis.document.positionAt(closeLine);
    return { range: { start: at, end: at }, newText: `${indent}${entry}\n` };
  }
  const after = last ? last.span.end : body.span.start;
  return { range: { start: toLspPosition(after), end: toLspPosition(after) }, newText: `\n${indent}${entry}` };
}

function numberToQuantity(analysis: Analysis, params: CodeActionParams): CodeAction | undefined {
  const offset = analysis.document.offsetAt(params.range.start);
  const block = blockAt(analysis.file, analysis.result.program, offset);
  if (!block?.spec) return undefined;
  const entry = block.block.entries.find((e) => e.value.kind !== 'Block' && touches(e.span, offset));
  if (!entry || entry.value.kind !== 'Number' || !entry.value.isInteger) return undefined;
  const spec = findProperty(block.spec, block.prefix + entry.key.text);
  if (!spec?.unit) return undefined;
  const written = quantityText(entry.value.value, spec.unit);
  if (!written) return undefined;
  const what = spec.unit === 'bytes' ? 'size' : 'duration';
  return fix(analysis, `Write ${entry.value.text} ${spec.unit} as the ${what} \`${written}\``, [{ range: toRange(entry.value.span), newText: written }], undefined, false);
}

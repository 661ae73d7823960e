// Go to definition, find references and rename, for agents, components and `let` constants,
// across the file (a .flow file is compiled on its own, so its names end at its end).
import { ResponseError, ErrorCodes, type Location, type Position, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { KEYWORDS, printName } from '../compiler/format/printer.js';
import type { Analysis } from './analysis.js';
import { toRange } from './positions.js';

export function definition(analysis: Analysis, position: Position): Location | null {
  const at = analysis.names.at(analysis.document.offsetAt(position));
  const declaration = at?.thing.occurrences.find((o) => o.declaration);
  return declaration ? { uri: analysis.document.uri, range: toRange(declaration.span) } : null;
}

export function references(analysis: Analysis, position: Position, includeDeclaration: boolean): Location[] {
  const at = analysis.names.at(analysis.document.offsetAt(position));
  if (!at) return [];
  return at.thing.occurrences
    .filter((o) => includeDeclaration || !o.declaration)
    .sort((a, b) => a.span.start.offset - b.span.start.offset)
    .map((o) => ({ uri: analysis.document.uri, range: toRange(o.span) }));
}

export function prepareRename(analysis: Analysis, position: Position): { range: Range; placeholder: string } | null {
  const at = analysis.names.at(analysis.document.offsetAt(position));
  return at ? { range: toRange(at.occurrence.span), placeholder: at.thing.name } : null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$/;

export function rename(analysis: Analysis, position: Position, newName: string): WorkspaceEdit {
  const at = analysis.names.at(analysis.document.offsetAt(position));
  if (!at) throw new ResponseError(ErrorCodes.InvalidRequest, 'there is no agent, component or constant here to rename');
  const { thing } = at;
  if (newName.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, 'a name cannot be empty');
  const written = printName(newName);
  const bare = IDENT.test(newName) && !KEYWORDS.has(newName);
  if (!bare && (thing.kind === 'constant' || thing.occurrences.some((o) => o.inExpression))) {
    const why = KEYWORDS.has(newName) ? `\`${newName}\` is a keyword` : `\`${newName}\` is not a plain name (letters, digits, \`_\` and inner \`-\`)`;
    throw new ResponseError(ErrorCodes.InvalidParams, `${why}, and \`${thing.name}\` is used where a name cannot be quoted; choose another name`);
  }
  const clash = analysis.names.things.find((t) => t !== thing && t.kind === thing.kind && t.name === newName && t.agent === thing.agent);
  if (clash) throw new ResponseError(ErrorCodes.InvalidParams, `\`${newName}\` is already the name of another ${thing.kind === 'component' ? 'component of this agent' : thing.kind}`);
  const edits: TextEdit[] = thing.occurrences.map((o) => ({ range: toRange(o.span), newText: written }));
  return { changes: { [analysis.document.uri]: edits } };
}

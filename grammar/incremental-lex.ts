// Lexing a file again after an edit, reusing the tokens of every stretch whose text did not change.
//
// The file is cut before each line that starts with `agent`. Only whitespace and block comments
// span lines, so a stretch lexes alone into the tokens a lexer of the whole file would make
// there, unless a block comment runs across the cut: then the stretch ends in an unterminated
// comment, and the whole file is lexed instead. Reused tokens are moved to their new offsets.
import type { ILexingError, ILexingResult, IToken } from './chevrotain.js';
import { tokenizeFlow, UnterminatedComment, type Tokenizer } from './lexer.js';

interface Stretch {
  text: string;
  offset: number;
  tokens: IToken[];
  comments: IToken[];
  unexpected: IToken[];
  errors: ILexingError[];
}

/** A line break, then a line starting with `agent` (after blanks); a cut need not be an agent. */
const CUT = /[\n\r][ \t]*agent\b/g;

export class IncrementalLexer {
  private previous = new Map<string, Stretch[]>();

  readonly tokenize: Tokenizer = (text) => {
    const current = new Map<string, Stretch[]>();
    const stretches: Stretch[] = [];
    const cuts = [0];
    for (const m of text.matchAll(CUT)) cuts.push(m.index! + 1);
    cuts.push(text.length);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const piece = text.slice(cuts[i]!, cuts[i + 1]!);
      const stretch = this.take(piece, cuts[i]!) ?? lexStretch(piece, cuts[i]!);
      if (i + 2 < cuts.length && stretch.comments.some((c) => c.tokenType === UnterminatedComment)) {
        this.previous = new Map();
        return tokenizeFlow(text);
      }
      stretches.push(stretch);
      const same = current.get(piece);
      if (same) same.push(stretch);
      else current.set(piece, [stretch]);
    }
    this.previous = current;
    return {
      tokens: join(stretches, (s) => s.tokens),
      groups: {
        comments: join(stretches, (s) => s.comments),
        unexpected: join(stretches, (s) => s.unexpected),
      },
      errors: join(stretches, (s) => s.errors),
    };
  };

  private take(text: string, offset: number): Stretch | undefined {
    const stretch = this.previous.get(text)?.pop();
    if (!stretch || stretch.offset === offset) return stretch;
    const delta = offset - stretch.offset;
    for (const list of [stretch.tokens, stretch.comments, stretch.unexpected]) for (const t of list) move(t, delta);
    for (const e of stretch.errors) e.offset += delta;
    stretch.offset = offset;
    return stretch;
  }
}

function lexStretch(text: string, offset: number): Stretch {
  const result = tokenizeFlow(text);
  const stretch: Stretch = {
    text,
    offset: 0,
    tokens: result.tokens,
    comments: result.groups['comments'] ?? [],
    unexpected: result.groups['unexpected'] ?? [],
    errors: result.errors,
  };
  if (offset === 0) return stretch;
  for (const list of [stretch.tokens, stretch.comments, stretch.unexpected]) for (const t of list) move(t, offset);
  for (const e of stretch.errors) e.offset += offset;
  stretch.offset = offset;
  return stretch;
}

function move(token: IToken, delta: number): void {
  token.startOffset += delta;
  if (typeof token.endOffset === 'number') token.endOffset += delta;
}

/** The lists one after another; not flatMap, which in V8 takes milliseconds over a file's tokens. */
function join<P, T>(parts: P[], list: (part: P) => T[]): T[] {
  const out: T[] = [];
  for (const part of parts) for (const item of list(part)) out.push(item);
  return out;
}

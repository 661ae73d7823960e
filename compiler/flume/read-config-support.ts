// Small pieces the flume.properties reader needs: Java's string rules (Flume trims and splits
// with Java semantics, which differ from JavaScript's at the edges), Java's HashSet order
// (Flume keeps several lists in HashSets, and that order is what runs), and spans that point
// back at the properties file.
import type { Position, Span } from '../../grammar/ast.js';
import type { Diagnostic, RelatedSpan } from '../diagnostics/diagnostic.js';
import type { PropertyLine } from '../properties/reader.js';

// ---- Java string rules ---------------------------------------------------------------------

/** String.trim(): strips every char up to U+0020, and nothing else (not U+00A0, not U+FEFF). */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/**
 * `split("\\s+")` on a trimmed value: Java's `\s` is ASCII whitespace only. Flume always
 * splits trimmed values, so there is no leading empty item to keep.
 */
export function splitJavaWhitespace(s: string): string[] {
  return s.split(/[ \t\n\x0B\f\r]+/).filter((part) => part.length > 0);
}

/** `new StringTokenizer(s, " ")`: only the space separates; tabs stay inside names. */
export function splitSpaces(s: string): string[] {
  return s.split(' ').filter((part) => part.length > 0);
}

/** Java's String.hashCode over UTF-16 code units. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function tableSizeFor(capacity: number): number {
  let n = 1;
  while (n < capacity) n *= 2;
  return n;
}

/**
 * The iteration order of a java.util.HashSet<String> filled with `items` in order (Java 8-17).
 * Buckets come in index order, and within a bucket entries keep their insertion order, which
 * a resize preserves; so only the final table size matters. `fromCollection` is for
 * `new HashSet<>(collection)`, whose first table is sized for the collection (duplicates
 * included). Bins turned into trees (8+ collisions in one bucket) are not modelled.
 */
export function javaHashSetOrder(items: readonly string[], fromCollection = false): string[] {
  const unique = [...new Set(items)];
  let n = tableSizeFor(fromCollection ? Math.max(Math.floor(items.length / 0.75) + 1, 16) : 16);
  while (unique.length > n * 0.75) n *= 2;
  const bucket = (s: string) => {
    const h = javaHash(s);
    return (h ^ (h >>> 16)) & (n - 1);
  };
  return unique
    .map((s, i) => ({ s, i, b: bucket(s) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((x) => x.s);
}

// ---- text decoding -------------------------------------------------------------------------

/**
 * The text exactly as `parseProperties` decodes it (UTF-8, else Latin-1; BOM dropped), so that
 * the lines and columns it reports can be turned into offsets and code frames.
 */
export function decodeConfigText(input: string | Buffer): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let bytes = input;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

// ---- spans ---------------------------------------------------------------------------------

/** Turns the reader's line/column positions into spans with offsets. */
export class Locator {
  private readonly lineStarts: number[] = [0];
  /** Where each line ends (its line break, or the end of the text). */
  private readonly lineEnds: number[] = [];
  /** The items of a list value's first line, with their offsets in it; made on first use. */
  private readonly listItems = new WeakMap<PropertyLine, Map<string, number>>();

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      this.lineEnds.push(i);
      if (c === '\r' && text[i + 1] === '\n') i++;
      this.lineStarts.push(i + 1);
    }
    this.lineEnds.push(text.length);
  }

  position(line: number, col: number): Position {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    return { line, col, offset: Math.min(start + col - 1, this.text.length) };
  }

  private lineEnd(line: number): Position {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const end = this.lineEnds[line - 1] ?? this.text.length;
    return { line, col: end - start + 1, offset: end };
  }

  /** The key as written on its first line (up to the separator). */
  key(pl: PropertyLine): Span {
    const start = this.position(pl.line, pl.col);
    let i = start.offset;
    let escaped = false;
    for (; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === '\n' || c === '\r') break;
      if (!escaped && (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f')) break;
      escaped = c === '\\' ? !escaped : false;
    }
    return { file: this.file, start, end: { line: pl.line, col: pl.col + (i - start.offset), offset: i } };
  }

  /** The value, to the end of the entry's last line. */
  value(pl: PropertyLine): Span {
    const start = this.position(pl.valueLine, pl.valueCol);
    const end = this.lineEnd(Math.max(pl.endLine, pl.valueLine));
    return { file: this.file, start, end: end.offset < start.offset ? start : end };
  }

  /** The whole entry, key to end of value. */
  entry(pl: PropertyLine): Span {
    return { file: this.file, start: this.position(pl.line, pl.col), end: this.lineEnd(Math.max(pl.endLine, pl.line)) };
  }

  /**
   * One name inside a whitespace list value (`a1.sources = r1 r2`), when it can be found on
   * the value's first line; else the whole value.
   */
  listItem(pl: PropertyLine, name: string): Span {
    const whole = this.value(pl);
    const lineText = () => this.text.slice(whole.start.offset, this.lineEnd(pl.valueLine).offset);
    // One pass over the line for all its items: a look-up per item would scan the line each time.
    let items = this.listItems.get(pl);
    if (!items) {
      items = new Map();
      for (const m of lineText().matchAll(/\S+/g)) if (!items.has(m[0])) items.set(m[0], m.index);
      this.listItems.set(pl, items);
    }
    const at = /\s/.test(name) ? findListItem(lineText(), name) : (items.get(name) ?? -1);
    if (at < 0) return whole;
    const from = whole.start.offset + at;
    const col = whole.start.col + (from - whole.start.offset);
    return {
      file: this.file,
      start: { line: pl.valueLine, col, offset: from },
      end: { line: pl.valueLine, col: col + name.length, offset: from + name.length },
    };
  }
}

/**
 * Where `name` stands as a whole item of a whitespace list, or -1. A plain scan: names can be
 * any length, and a regular expression built from one can exceed the engine's limits.
 */
export function findListItem(text: string, name: string): number {
  if (name.length === 0) return -1;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at === 0 ? undefined : text[at - 1];
    const after = text[at + name.length];
    if ((before === undefined || isSpace(before)) && (after === undefined || isSpace(after))) return at;
  }
  return -1;
}

// ---- diagnostics ---------------------------------------------------------------------------

export interface DiagnosticInit {
  label?: string;
  help: string[];
  notes?: string[];
  related?: (RelatedSpan | undefined)[];
}

export function makeDiagnostic(
  severity: Diagnostic['severity'],
  code: string,
  message: string,
  span: Span | undefined,
  init: DiagnosticInit,
): Diagnostic {
  const d: Diagnostic = { severity, code, message, help: init.help };
  if (span) d.span = span;
  if (init.label) d.label = init.label;
  if (init.notes && init.notes.length > 0) d.notes = init.notes;
  const related = (init.related ?? []).filter((r): r is RelatedSpan => r !== undefined);
  if (related.length > 0) d.related = related;
  return d;
}

/** `did you mean ...?`, or nothing. */
export function didYouMean(guess: string | undefined): string[] {
  return guess ? [`did you mean \`${guess}\`?`] : [];
}

// ---- look-ups by name ----------------------------------------------------------------------

const nameIndexes = new WeakMap<readonly { name: string }[], { size: number; byName: Map<string, { name: string }> }>();

/**
 * The first unit of `list` called `name`, in constant time: an index is made on first use and
 * again when the list has grown (units are only ever appended). A linear search per look-up
 * made reading and importing an agent of n components take n² steps.
 */
export function named<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let index = nameIndexes.get(list);
  if (!index || index.size !== list.length) {
    const byName = new Map<string, { name: string }>();
    for (const u of list) if (!byName.has(u.name)) byName.set(u.name, u);
    nameIndexes.set(list, (index = { size: list.length, byName }));
  }
  return index.byName.get(name) as T | undefined;
}

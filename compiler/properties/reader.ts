// A reader for flume.properties that gives exactly the keys and values Flume sees.
//
// Flume hands the file to java.util.Properties.load, whose grammar has corners that a
// regex-based reader gets wrong (continuations, escaped separators, comments that are
// not comments after a continuation, a trailing backslash at end of file). Each rule
// below names the Java behaviour it reproduces; the rules were taken from OpenJDK's
// Properties.LineReader.readLine, load0 and loadConvert, and are checked against a
// real JVM in test/properties-format.test.ts. On top of Java we keep positions and
// comments, so that diagnostics can point at the file and a formatter can keep them.

export interface PropertyLine {
  key: string;
  value: string;
  /** 1-based line where the key starts. */
  line: number;
  /** 1-based column (UTF-16 code units) of the key's first char. */
  col: number;
  /** Where the value starts; for an empty value, just after the last char of the entry. */
  valueLine: number;
  valueCol: number;
  /** Last physical line of the entry (continuations included). */
  endLine: number;
  /** Comment lines directly above the entry (since the previous entry or blank line),
   *  without the leading `#`/`!` and one optional space. */
  comments: string[];
}

export interface PropertiesProblem {
  message: string;
  line: number;
  col: number;
}

export interface ParsedProperties {
  /** Every entry in file order, duplicates included. */
  entries: PropertyLine[];
  /** Last one wins, as in Java (Properties is a Hashtable: put replaces). */
  map: Map<string, PropertyLine>;
  duplicates: { key: string; first: PropertyLine; later: PropertyLine }[];
  /** Every comment line after the last entry (blank lines between them do not drop any:
   *  they have no entry to attach to, and a formatter must not lose them). */
  trailingComments: string[];
  problems: PropertiesProblem[];
  encoding: 'utf-8' | 'latin-1';
}

/** Java's message, so that users who search for it find the Java explanations. */
const MALFORMED_U = 'Malformed \\uxxxx encoding.';

// Java treats only these three as whitespace here: not \v, not U+00A0, not other Unicode spaces.
function isWhite(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

interface Pos {
  line: number;
  col: number;
}

interface PhysicalLine {
  text: string;
  line: number;
  /** The input ends with this line: it has no terminator, or its terminator is a lone
   *  `\n`/`\r` that is the very last char. Java treats a continuation there specially. */
  endsInput: boolean;
}

export function parseProperties(input: string | Buffer): ParsedProperties {
  const { text, encoding } = decode(input);
  const result: ParsedProperties = {
    entries: [],
    map: new Map(),
    duplicates: [],
    trailingComments: [],
    problems: [],
    encoding,
  };

  let pending: string[] = []; // comments for the next entry; a blank line clears them
  let sinceLastEntry: string[] = [];
  // The logical line being built, one position per char, so that every char of a
  // key or value (and every malformed escape) can be traced to its physical place.
  let chars: string[] | null = null;
  let positions: Pos[] = [];

  const finish = (endLine: number, fallback: Pos): void => {
    const entry = splitEntry(chars ?? [], positions, fallback, endLine, pending, result.problems);
    chars = null;
    positions = [];
    pending = [];
    if (!entry) return;
    sinceLastEntry = [];
    const earlier = result.map.get(entry.key);
    if (earlier) result.duplicates.push({ key: entry.key, first: earlier, later: entry });
    result.entries.push(entry);
    result.map.set(entry.key, entry);
  };

  for (const phys of physicalLines(text)) {
    let i = 0;
    // Java drops leading whitespace of every natural line, continuations included.
    while (i < phys.text.length && isWhite(phys.text[i]!)) i++;

    if (chars === null) {
      if (i === phys.text.length) {
        pending = [];
        continue;
      }
      const first = phys.text[i]!;
      // Only the first char of a logical line can open a comment. A comment ends at its
      // line break even when it ends in a backslash: Java never continues a comment.
      if (first === '#' || first === '!') {
        const comment = phys.text.slice(i + 1).replace(/^ /, '');
        pending.push(comment);
        sinceLastEntry.push(comment);
        continue;
      }
      chars = [];
      positions = [];
    }

    // Java flips a flag on every backslash appended from this natural line, so only
    // this line's run counts (earlier lines always leave an even run behind).
    let backslashes = 0;
    for (; i < phys.text.length; i++) {
      const c = phys.text[i]!;
      chars.push(c);
      positions.push({ line: phys.line, col: i + 1 });
      backslashes = c === '\\' ? backslashes + 1 : 0;
    }
    if (backslashes % 2 === 0) {
      finish(phys.line, endOf(phys));
      continue;
    }
    // An odd run: the last backslash joins the next natural line and is not kept.
    chars.pop();
    const joint = positions.pop()!;
    if (phys.endsInput) {
      // Java checks for end of input before continuing, and then returns what it has
      // even if that is nothing: a lone `\` as the last line is the entry "" = "".
      finish(phys.line, joint);
    } else if (chars.length === 0) {
      // Java is "still on a new logical line" when nothing was kept, so the next line
      // may be blank or a comment as if this one had never been there.
      chars = null;
    }
  }
  // A continuation into the end of input (e.g. `a\` then CRLF, then EOF) keeps what it has.
  if (chars !== null && (chars as string[]).length > 0) {
    const last = positions[positions.length - 1]!;
    finish(last.line, { line: last.line, col: last.col + 1 });
  }
  result.trailingComments = sinceLastEntry;
  return result;
}

/**
 * Why not Latin-1 like Java's `load(InputStream)`: Flume does not call that one. Its
 * PropertiesFileConfigurationProvider wraps the file in a `FileReader`, i.e. the
 * platform charset, which is UTF-8 on the Linux hosts Flume runs on (and the default
 * everywhere since Java 18). So we read UTF-8, and fall back to Latin-1 only for bytes
 * that are not UTF-8 at all: those files were written for Java's byte-stream load
 * (or by a Latin-1 editor), and under UTF-8 Flume would see U+FFFD there anyway.
 *
 * The BOM is stripped although Java's UTF-8 decoder does not strip it (Flume would
 * see it as part of the first key): what the user meant is the key without it.
 */
function decode(input: string | Buffer): { text: string; encoding: 'utf-8' | 'latin-1' } {
  if (typeof input === 'string') {
    return { text: input.charCodeAt(0) === 0xfeff ? input.slice(1) : input, encoding: 'utf-8' };
  }
  let bytes = input;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: bytes.toString('latin1'), encoding: 'latin-1' };
  }
}

/** Natural lines end in `\n`, `\r` or `\r\n`, as in Java. */
function* physicalLines(text: string): Generator<PhysicalLine> {
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    const body = text.slice(start, end);
    if (end === text.length) {
      yield { text: body, line, endsInput: true };
      return;
    }
    const crlf = text[end] === '\r' && text[end + 1] === '\n';
    const next = end + (crlf ? 2 : 1);
    // Java reads ahead after a line break only to find end of input; after `\r\n` the
    // `\n` is still unread at that moment, so CRLF at the very end does not count.
    yield { text: body, line, endsInput: !crlf && next === text.length };
    start = next;
    line++;
  }
}

function endOf(phys: PhysicalLine): Pos {
  return { line: phys.line, col: phys.text.length + 1 };
}

/** load0: split a logical line into key and value, then unescape both. */
function splitEntry(
  chars: string[],
  positions: Pos[],
  fallback: Pos,
  endLine: number,
  comments: string[],
  problems: PropertiesProblem[],
): PropertyLine | undefined {
  const limit = chars.length;
  let keyLen = 0;
  let valueStart = limit;
  let hasSep = false;
  let escaped = false;
  // The key ends at the first unescaped `=`, `:` or whitespace.
  while (keyLen < limit) {
    const c = chars[keyLen]!;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyLen + 1;
      hasSep = true;
      break;
    }
    if (!escaped && isWhite(c)) {
      valueStart = keyLen + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
    keyLen++;
  }
  // Then whitespace, at most one `=`/`:`, whitespace: `a = = b` has the value `= b`.
  while (valueStart < limit) {
    const c = chars[valueStart]!;
    if (!isWhite(c)) {
      if (hasSep || (c !== '=' && c !== ':')) break;
      hasSep = true;
    }
    valueStart++;
  }
  const key = unescape(chars, positions, 0, keyLen);
  const value = typeof key === 'string' ? unescape(chars, positions, valueStart, limit) : key;
  // Java throws here and loses the whole file; we report the spot and drop this entry only.
  if (typeof key !== 'string' || typeof value !== 'string') {
    const at = typeof key !== 'string' ? key : (value as Pos);
    problems.push({ message: MALFORMED_U, line: at.line, col: at.col });
    return undefined;
  }
  const keyPos = positions[0] ?? fallback;
  const end = positions[limit - 1];
  const valuePos = positions[valueStart] ?? (end ? { line: end.line, col: end.col + 1 } : fallback);
  return {
    key,
    value,
    line: keyPos.line,
    col: keyPos.col,
    valueLine: valuePos.line,
    valueCol: valuePos.col,
    endLine,
    comments,
  };
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** loadConvert: the unescaped text, or the position of a malformed `\u` escape. */
function unescape(chars: string[], positions: Pos[], from: number, to: number): string | Pos {
  let out = '';
  let i = from;
  while (i < to) {
    const c = chars[i++]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    // Never out of range: the reader leaves no unpaired backslash at the end.
    const e = chars[i++]!;
    if (e !== 'u') {
      // Any other escaped char stands for itself (`\=`, `\ `, `\#`; also `\b` is `b`).
      out += SIMPLE_ESCAPES[e] ?? e;
      continue;
    }
    // Exactly four hex digits, within this key or value only: `\u00=x` is malformed
    // because the key stops at the `=`. A single `u` only (`\uu0041` is malformed).
    const hex = chars.slice(i, i + 4).join('');
    if (i + 4 > to || !/^[0-9a-fA-F]{4}$/.test(hex)) return positions[i - 2]!;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 4;
  }
  return out;
}

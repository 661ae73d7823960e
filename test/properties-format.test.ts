import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProperties, type ParsedProperties } from '../compiler/properties/reader.js';
import {
  escapePropertyKey,
  escapePropertyValue,
  formatPropertyLine,
} from '../compiler/properties/writer.js';

/** key → value, as Java's Properties would hold them. */
function kv(input: string | Buffer): Record<string, string> {
  const parsed = parseProperties(input);
  return Object.fromEntries([...parsed.map].map(([k, e]) => [k, e.value]));
}

describe('parseProperties: separators and keys', () => {
  it('accepts =, : and whitespace as separators, with whitespace around them', () => {
    expect(kv('a=1\nb:2\nc 3\nd\t4\ne \t= \t5\nf\f:\f6\n')).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '4',
      e: '5',
      f: '6',
    });
  });

  it('eats only one separator: the second = or : belongs to the value', () => {
    expect(kv('a = = b\nc::d\ne :=f\ng   h = i\n')).toEqual({ a: '= b', c: ':d', e: '=f', g: 'h = i' });
  });

  it('does not trim the value end (Flume trims later)', () => {
    expect(kv('a = b  \t\n')).toEqual({ a: 'b  \t' });
  });

  it('takes escaped separators and spaces into the key', () => {
    expect(kv('my\\ key\\=x\\:y = v\n\\#not-a-comment = 1\n\\ lead = 2\n')).toEqual({
      'my key=x:y': 'v',
      '#not-a-comment': '1',
      ' lead': '2',
    });
  });

  it('gives a key with no value the empty string, whether or not it has a separator', () => {
    const text = 'cheeses\nbread =\n  wine:   \n';
    expect(kv(text)).toEqual({ cheeses: '', bread: '', wine: '' });
    const parsed = parseProperties(text);
    const wine = parsed.map.get('wine')!;
    expect([wine.line, wine.col, wine.valueLine, wine.valueCol]).toEqual([3, 3, 3, 11]);
  });

  it('reads a line that starts with = as the empty key', () => {
    expect(kv('=v\n  : w\n')).toEqual({ '': 'w' });
  });

  it('positions keys and values (1-based, UTF-16 columns)', () => {
    const parsed = parseProperties('# head\n\n  a1.sources = r1\n\tb:é😀=x\n');
    const [a, b] = parsed.entries;
    expect(a).toMatchObject({ key: 'a1.sources', line: 3, col: 3, valueLine: 3, valueCol: 16, endLine: 3 });
    expect(b).toMatchObject({ key: 'b', value: 'é😀=x', line: 4, col: 2, valueLine: 4, valueCol: 4 });
  });
});

describe('parseProperties: escapes', () => {
  it('decodes \\t \\n \\r \\f \\\\ and \\uXXXX, and drops the backslash elsewhere', () => {
    expect(kv(String.raw`k = a\tb\nc\rd\fe\\f\u00e9\u00C9\b\z\"\'`)).toEqual({
      k: 'a\tb\nc\rd\fe\\féÉbz"\'',
    });
  });

  it('builds astral characters from two \\u escapes (UTF-16 code units)', () => {
    expect(kv('k = \\uD83D\\uDE00\n')).toEqual({ k: '😀' });
  });

  it('reports a malformed \\u with the position of its backslash and keeps going', () => {
    const parsed = parseProperties('a = 1\nb = x\\u12G4\nc\\u00=3\nd = 4\n');
    expect(kv('a = 1\nb = x\\u12G4\nc\\u00=3\nd = 4\n')).toEqual({ a: '1', d: '4' });
    expect(parsed.problems).toEqual([
      { message: 'Malformed \\uxxxx encoding.', line: 2, col: 6 },
      // The key ends at `=`, so only two hex digits are left for it.
      { message: 'Malformed \\uxxxx encoding.', line: 3, col: 2 },
    ]);
  });

  it('finds a malformed \\u on a continuation line', () => {
    const parsed = parseProperties('k = abc\\\n    \\u00\n');
    expect(parsed.problems).toEqual([{ message: 'Malformed \\uxxxx encoding.', line: 2, col: 5 }]);
    expect(parsed.entries).toEqual([]);
  });
});

describe('parseProperties: continuation lines', () => {
  it('joins lines that end in an odd number of backslashes and drops the leading whitespace', () => {
    const parsed = parseProperties('a1.sinks = k1 \\\n           k2 \\\n\t\fk3\nnext = 1\n');
    expect(parsed.map.get('a1.sinks')).toMatchObject({ value: 'k1 k2 k3', line: 1, endLine: 3 });
    expect(parsed.map.get('next')?.line).toBe(4);
  });

  it('does not continue after an escaped backslash (even run)', () => {
    expect(kv('path = C:\\\\temp\\\\\nnext = 1\n')).toEqual({ path: 'C:\\temp\\', next: '1' });
    expect(kv('odd = a\\\\\\\n  b\n')).toEqual({ odd: 'a\\b' });
  });

  it('continues the key too, and may move the value to the next line', () => {
    const parsed = parseProperties('long\\\n  key = \\\n   value\n');
    expect(parsed.entries[0]).toMatchObject({ key: 'longkey', value: 'value', valueLine: 3, valueCol: 4 });
  });

  it('treats # on a continuation line as text, not a comment', () => {
    expect(kv('a = b\\\n  # c\n')).toEqual({ a: 'b# c' });
  });

  it('never continues a comment, even one that ends in a backslash', () => {
    const parsed = parseProperties('# note \\\nkey = v\n! other \\\n');
    expect(kv('# note \\\nkey = v\n! other \\\n')).toEqual({ key: 'v' });
    expect(parsed.entries[0]!.comments).toEqual(['note \\']);
    expect(parsed.trailingComments).toEqual(['other \\']);
  });

  it('ends a continuation at a blank line', () => {
    expect(kv('a = b\\\n\nc = d\n')).toEqual({ a: 'b', c: 'd' });
  });

  it('drops a trailing backslash at end of input', () => {
    expect(kv('a = b\\')).toEqual({ a: 'b' });
    expect(kv('a = b\\\n')).toEqual({ a: 'b' });
  });
});

describe('parseProperties: line ends, encodings', () => {
  it('reads CRLF files, CR-only files and mixed ones alike', () => {
    const lf = kv('a = 1\nb = x\\\n  y\n');
    expect(kv('a = 1\r\nb = x\\\r\n  y\r\n')).toEqual(lf);
    expect(kv('a = 1\rb = x\\\r  y\r')).toEqual(lf);
    expect(kv('a = 1\r\nb = x\\\r  y\n')).toEqual(lf);
    expect(parseProperties('a = 1\r\n\r\nb = 2').map.get('b')?.line).toBe(3);
  });

  it('strips a UTF-8 BOM from a Buffer and from a string', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a = é\n', 'utf8')]);
    expect(kv(bytes)).toEqual({ a: 'é' });
    expect(parseProperties(bytes).encoding).toBe('utf-8');
    expect(kv('\uFEFFa = 1\n')).toEqual({ a: '1' });
  });

  it('falls back to Latin-1 for bytes that are not UTF-8', () => {
    const bytes = Buffer.from([...Buffer.from('caf'), 0xe9, ...Buffer.from(' = cr'), 0xe8, 0x6d, 0x65, 0x0a]);
    const parsed = parseProperties(bytes);
    expect(parsed.encoding).toBe('latin-1');
    expect(kv(bytes)).toEqual({ café: 'crème' });
  });

  it('reads non-ASCII UTF-8 comments and values', () => {
    const parsed = parseProperties(Buffer.from('# Größe des Kanals — 日本語\nc.capacity = 1000\n', 'utf8'));
    expect(parsed.encoding).toBe('utf-8');
    expect(parsed.entries[0]!.comments).toEqual(['Größe des Kanals — 日本語']);
  });

  it('reads an empty file, and a file of only comments and blanks', () => {
    expect(parseProperties('')).toMatchObject({ entries: [], problems: [], trailingComments: [] });
    expect(parseProperties(Buffer.alloc(0)).entries).toEqual([]);
    expect(parseProperties('\n  \n# a\n\n!b\n').trailingComments).toEqual(['a', 'b']);
  });
});

describe('parseProperties: comments and duplicates', () => {
  it('attaches the comments directly above an entry; a blank line detaches them', () => {
    const text = [
      '# file header',
      '',
      '# the source',
      '#   indented stays indented',
      '  !bang comment',
      'a1.sources = r1',
      '#no space',
      'a1.sinks = k1',
      'a1.channels = c1',
      '# trailing one',
      '',
      '# trailing two',
    ].join('\n');
    const parsed = parseProperties(text);
    expect(parsed.entries.map((e) => e.comments)).toEqual([
      ['the source', '  indented stays indented', 'bang comment'],
      ['no space'],
      [],
    ]);
    expect(parsed.trailingComments).toEqual(['trailing one', 'trailing two']);
  });

  it('keeps every duplicate in entries, the last in map, and reports both lines', () => {
    const parsed = parseProperties('a.type = memory\nb = 1\na.type = file\na.type = jdbc\n');
    expect(parsed.entries).toHaveLength(4);
    expect(parsed.map.get('a.type')?.value).toBe('jdbc');
    expect(parsed.duplicates.map((d) => [d.key, d.first.line, d.later.line])).toEqual([
      ['a.type', 1, 3],
      ['a.type', 3, 4],
    ]);
  });

  it('sees keys that differ only by escapes as the same key', () => {
    const parsed = parseProperties('a\\.b = 1\na.b = 2\n');
    expect(parsed.duplicates).toHaveLength(1);
  });
});

describe('writer', () => {
  it('escapes like Properties.store, but leaves = : # ! bare in values for readability', () => {
    expect(escapePropertyKey('a b=c:d#e!f\\g\th')).toBe('a\\ b\\=c\\:d\\#e\\!f\\\\g\\th');
    expect(escapePropertyValue('  a b=c:d#e!')).toBe('\\  a b=c:d#e!');
    expect(formatPropertyLine('k', '=v:#!')).toBe('k = =v:#!');
    expect(parseProperties(formatPropertyLine('k', '=v:#!')).map.get('k')?.value).toBe('=v:#!');
    expect(escapePropertyValue('\n\r\f\u0001é\u007f')).toBe('\\n\\r\\f\\u0001\\u00E9\\u007F');
    expect(escapePropertyValue('😀')).toBe('\\uD83D\\uDE00');
    expect(formatPropertyLine('a1.sources', 'r1 r2')).toBe('a1.sources = r1 r2');
    expect(formatPropertyLine('k', '')).toBe('k =');
    expect(formatPropertyLine('', 'v')).toBe('= v');
  });

  const tricky = [
    '',
    ' ',
    '   leading spaces',
    'trailing spaces   ',
    '=starts with equals',
    ':colon',
    '#hash',
    '!bang',
    'a = b : c # d ! e',
    '\ttab\t',
    'line1\nline2\r\nline3\r',
    '\f',
    'back\\slash\\',
    '\\u0041 literal',
    '\\',
    'café crème Größe 日本語',
    'emoji 😀 and 👍🏽',
    '\uD800 lone surrogate',
    '\u0000\u001F\u007F\u0080\u00FF\uFEFF',
    'C:\\Program Files\\flume',
    '${ENV_VAR}',
  ];

  it('round-trips tricky keys and values through parseProperties', () => {
    for (const key of tricky) {
      for (const value of tricky) {
        const line = formatPropertyLine(key, value);
        const parsed = parseProperties(`# c\n${line}\n`);
        expect(parsed.problems).toEqual([]);
        expect([...parsed.map].map(([k, e]) => [k, e.value])).toEqual([[key, value]]);
      }
    }
  });

  it('writes only printable ASCII, so any charset reads it back', () => {
    for (const s of tricky) expect(formatPropertyLine(s, s)).toMatch(/^[\x20-\x7e]*$/);
  });
});

// ---------------------------------------------------------------------------------------
// Against a real JVM: the proof that the reader is exact, not just plausible.

const hasJava =
  spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

// Loads each file with Properties.load (Reader in UTF-8, as Flume on a UTF-8 host, or the
// Latin-1 InputStream) and prints one JSON line per file: sorted entries, then the error.
const JAVA_LOADER = String.raw`
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class LoadProps {
  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
      Properties p = new Properties();
      String error = null;
      try (InputStream in = new FileInputStream(new File(args[1], i + ".properties"))) {
        if (mode.equals("stream")) p.load(in);
        else p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        error = e.getMessage();
      }
      List<String> keys = new ArrayList<>(p.stringPropertyNames());
      Collections.sort(keys);
      out.append("{\"entries\":[");
      for (int k = 0; k < keys.size(); k++) {
        if (k > 0) out.append(',');
        out.append('[').append(json(keys.get(k))).append(',').append(json(p.getProperty(keys.get(k)))).append(']');
      }
      out.append("],\"error\":").append(error == null ? "null" : json(error)).append("}\n");
    }
    System.out.print(out);
  }
}
`;

interface JavaResult {
  entries: [string, string][];
  error: string | null;
}

function loadWithJava(files: (string | Buffer)[], mode: 'reader' | 'stream'): JavaResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'flowc-props-'));
  try {
    writeFileSync(join(dir, 'LoadProps.java'), JAVA_LOADER);
    const javac = spawnSync('javac', ['-d', dir, join(dir, 'LoadProps.java')], { encoding: 'utf8' });
    if (javac.status !== 0) throw new Error(`javac failed: ${javac.stderr}`);
    files.forEach((f, i) => writeFileSync(join(dir, `${i}.properties`), f));
    const run = spawnSync('java', ['-cp', dir, 'LoadProps', mode, dir, String(files.length)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`java failed: ${run.stderr}`);
    return run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JavaResult);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What Java would hold: on a malformed escape Java stops, keeping the entries before it. */
function asJavaWould(parsed: ParsedProperties): JavaResult {
  const stop = parsed.problems[0];
  const map = new Map<string, string>();
  for (const e of parsed.entries) if (!stop || e.line < stop.line) map.set(e.key, e.value);
  const entries = [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { entries, error: stop ? stop.message : null };
}

// Deterministic, so that a failure can be replayed.
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAND_WRITTEN = [
  'a1.sources = r1\na1.sinks = k1 \\\n    k2\n# comment \\\nx = y\n',
  'a = b\\\n  # not a comment\n!c = d\n  #e\nf\\ g\\=h = i = j\n',
  'k\\\r\n  ey : v\\\r\n\r\n\rnext\tval\r',
  'esc = \\t\\n\\r\\f\\\\\\u00e9\\b\\z\\"\n\\u0041\\u0062c = 1\n',
  'dup = 1\ndup = 2\ndup\n',
  '\\\n',
  '\\',
  '\\\r\n',
  '\\\r',
  '\\\n# after an empty continuation\nk = v\n',
  'a\\\n\\\n\\\nb\n',
  'a = 1\nb = x\\u12\nc = 3\n',
  '  \f\t\n\n\r\n',
  '=\n:\n  = x\n',
  'emoji = 😀 \\uD83D\\uDE00\nnbsp\u00a0key = v\n',
  'trail = back\\\\\nodd = back\\\\\\\n  more\n',
];

describe('parseProperties agrees with java.util.Properties.load', () => {
  it.runIf(hasJava)('on hand-written files and 1000 random ones (runs only when javac/java are on PATH)', () => {
    const random = mulberry32(0x5eed);
    const alphabet = ['a', 'b', 'k', ' ', ' ', '\t', '\f', '=', ':', '\\', '\\', '#', '!', '\n', '\n', '\r', 'u', '0', 'F', 'é', '😀'];
    const fuzz = Array.from({ length: 1000 }, () => {
      const n = Math.floor(random() * 40);
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return s;
    });
    const texts = [...HAND_WRITTEN, ...fuzz];
    const java = loadWithJava(
      texts.map((t) => Buffer.from(t, 'utf8')),
      'reader',
    );
    expect(java).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      expect(asJavaWould(parseProperties(text)), JSON.stringify(text)).toEqual(java[i]);
    });
  });

  it.runIf(hasJava)('on Latin-1 bytes, like load(InputStream) (runs only when javac/java are on PATH)', () => {
    const files = [
      Buffer.from([...Buffer.from('caf'), 0xe9, ...Buffer.from(' = cr'), 0xe8, 0x6d, 0x65, 0x0a]),
      Buffer.from([0x23, 0xff, 0x0a, 0x6b, 0x3d, 0xa0, 0x76, 0x5c, 0x0a, 0x20, 0xfc, 0x0d, 0x0a]),
    ];
    const java = loadWithJava(files, 'stream');
    files.forEach((bytes, i) => {
      const parsed = parseProperties(bytes);
      expect(parsed.encoding).toBe('latin-1');
      expect(asJavaWould(parsed)).toEqual(java[i]);
    });
  });

  it.runIf(hasJava)('writer output loads in Java to the same strings (runs only when javac/java are on PATH)', () => {
    const strings = [' lead', 'a=b:c#d!e', '\ttab\nnl\r\f', 'é😀\u0000', 'back\\', '', '# x', '  '];
    const files = strings.map((s) => Buffer.from(strings.map((v) => formatPropertyLine(s + '|' + v, v)).join('\n')));
    const java = loadWithJava(files, 'stream');
    strings.forEach((s, i) => {
      const expected = strings.map((v) => [s + '|' + v, v] as [string, string]).sort(([a], [b]) => (a < b ? -1 : 1));
      expect(java[i]).toEqual({ entries: expected, error: null });
    });
  });

  it.runIf(hasJava)('documents the one deliberate difference: Java keeps a BOM in the first key (runs only when javac/java are on PATH)', () => {
    const bytes = Buffer.from('\uFEFFa1.sources = r1\n', 'utf8');
    expect(loadWithJava([bytes], 'reader')[0]!.entries).toEqual([['\uFEFFa1.sources', 'r1']]);
    expect(kv(bytes)).toEqual({ 'a1.sources': 'r1' });
  });
});

// Escaping for flume.properties lines, following java.util.Properties.store (saveConvert)
// so that files we emit look like what Java tools emit and load back unchanged, in any
// charset: everything outside printable ASCII becomes \uXXXX.

/**
 * Java's saveConvert with escapeUnicode on. `escapeSpace` is true for keys (a space
 * would end the key) and false for values, where only a leading space needs it (the
 * reader would otherwise skip it as part of the separator).
 */
function saveConvert(text: string, escapeSpace: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case ' ':
        out += i === 0 || escapeSpace ? '\\ ' : ' ';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      // In a key these would end it or start a comment. Java's store() escapes them in
      // values too, but there the reader never needs it: we always write ` = ` as the
      // separator, so the value's own first `=` or `:` is not taken for one. Leaving them
      // bare keeps URLs and paths in emitted files readable.
      case '=':
      case ':':
      case '#':
      case '!':
        out += escapeSpace ? '\\' + c : c;
        break;
      default:
        // Per UTF-16 code unit, as Java does: an emoji becomes a surrogate pair of escapes.
        out += code < 0x20 || code > 0x7e ? '\\u' + code.toString(16).toUpperCase().padStart(4, '0') : c;
    }
  }
  return out;
}

export function escapePropertyKey(key: string): string {
  return saveConvert(key, true);
}

/** Only safe after a ` = ` separator, as `formatPropertyLine` writes it. */
export function escapePropertyValue(value: string): string {
  return saveConvert(value, false);
}

/**
 * `key = value`. Java writes `key=value`; the spaced form reads back the same, since the
 * reader skips whitespace around one separator. No trailing space for an empty value,
 * no leading space for an empty key, so that the emitted file has no stray whitespace.
 */
export function formatPropertyLine(key: string, value: string): string {
  const k = escapePropertyKey(key);
  const v = escapePropertyValue(value);
  return (k === '' ? '=' : `${k} =`) + (v === '' ? '' : ` ${v}`);
}

// Character sets by their Java names, for decoding input and encoding bodies.
import { ConfigError } from '../core/config.js';

/** A TextDecoder for a Java charset name; throws ConfigError for one Node does not know. */
export function decoderFor(charset: string, where: string): TextDecoder {
  try {
    return new TextDecoder(charset.toLowerCase() === 'utf-16' ? 'utf-16be' : charset);
  } catch {
    throw new ConfigError(`${where}: unknown character set \`${charset}\``);
  }
}

export function isUtf8(charset: string): boolean {
  const c = charset.toLowerCase().replace(/[-_]/g, '');
  return c === 'utf8';
}

/** Encodes text the way Java's String.getBytes(charset) does, for the charsets Node supports. */
export function encodeText(text: string, charset: string): Buffer {
  return encoderFor(charset)(text);
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** `encodeText` for one charset, the name looked at once (for encoding many texts). */
export function encoderFor(charset: string): (text: string) => Buffer {
  const c = charset.toLowerCase().replace(/_/g, '-');
  if (c === 'utf-8' || c === 'utf8') return utf8;
  return (text) => encodeWith(text, c);
}

function encodeWith(text: string, c: string): Buffer {
  switch (c) {
    case 'iso-8859-1':
    case 'latin1':
    case 'iso8859-1':
      return Buffer.from(text, 'latin1');
    case 'us-ascii':
    case 'ascii':
      return Buffer.from(text, 'ascii');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'utf-16':
      // Java writes a byte-order mark, then big-endian.
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    case 'utf-32':
    case 'utf-32be': {
      const cps = [...text].map((ch) => ch.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => b.writeUInt32BE(cp, i * 4));
      return b;
    }
    default:
      return Buffer.from(text, 'utf8');
  }
}

/** Decodes UTF-32 (big-endian, or little-endian with a BOM), which TextDecoder lacks. */
export function decodeUtf32(b: Buffer): string {
  let le = false;
  let i = 0;
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) {
    le = true;
    i = 4;
  } else if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) {
    i = 4;
  }
  if ((b.length - i) % 4 !== 0) throw new Error('truncated UTF-32 text');
  let out = '';
  for (; i < b.length; i += 4) out += String.fromCodePoint(le ? b.readUInt32LE(i) : b.readUInt32BE(i));
  return out;
}

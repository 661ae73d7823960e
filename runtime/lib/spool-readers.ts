// How the spooling directory source cuts one file into events (Flume's deserializers), each
// reader able to say where it is and to go back there after a restart:
//   LINE  one event per line (without the newline; a '\r' stays, as in Flume); a line longer
//         than maxLineLength characters is cut into pieces of that length, one event each.
//         Position: byte offset of the current line's start, and pieces of it already read.
//   BLOB  the file's bytes as one event, in pieces of maxBlobLength. Position: byte offset.
//   AVRO  one event per record of an Avro container file, the record's binary encoding as the
//         body, with flume.avro.schema.hash (or .literal). Position: block offset and record.
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '../core/config.js';
import { newHeaders, type Event } from '../core/event.js';
import { AvroContainerReader, canonicalForm, crc64AvroHex, javaSchemaString, type ContainerPosition } from './avro-container.js';
import { encoderFor } from './charset.js';

export type ReaderPosition = { line: number; piece: number } | { offset: number } | ContainerPosition;

export interface Read {
  events: Event[];
  /** Where to go on from once these events are committed. */
  position: ReaderPosition;
  /** Whether the file has no more events after these. */
  end: boolean;
}

export interface SpoolReader {
  read(max: number): Read;
  seek(pos: ReaderPosition): void;
  close(): void;
}

export interface ReaderOptions {
  deserializer: 'LINE' | 'BLOB' | 'AVRO';
  maxLineLength: number;
  maxBlobLength: number;
  inputCharset: string;
  outputCharset: string;
  decodeErrorPolicy: 'FAIL' | 'REPLACE' | 'IGNORE';
  schemaType: 'HASH' | 'LITERAL';
}

export const BLOB_CLASS = 'org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder';

export function deserializerKind(name: string, where: string): ReaderOptions['deserializer'] {
  const n = name.trim();
  if (n.toUpperCase() === 'LINE' || n === 'org.apache.flume.serialization.LineDeserializer$Builder') return 'LINE';
  if (n.toUpperCase() === 'AVRO' || n === 'org.apache.flume.serialization.AvroEventDeserializer$Builder') return 'AVRO';
  if (n.toUpperCase() === 'BLOB' || n === BLOB_CLASS) return 'BLOB';
  throw new ConfigError(`${where}: the deserializer \`${n}\` is not in the flowc runtime (LINE, AVRO, ${BLOB_CLASS}); run this agent on Flume`);
}

export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Reads a file sequentially from a byte offset, in chunks. */
class ByteSource {
  private readonly fd: number;
  buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  base = 0;
  eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  seek(offset: number): void {
    this.buf = Buffer.alloc(0);
    this.base = offset;
    this.eof = false;
  }

  /** Makes at least `want` bytes from `from` (a file offset) available, unless the file ends. */
  fill(from: number, want: number): void {
    const rel = from - this.base;
    if (rel + want <= this.buf.length || this.eof) return;
    const keep = this.buf.subarray(Math.max(0, rel));
    const next = Buffer.allocUnsafe(Math.max(want, 256 * 1024));
    keep.copy(next);
    let got = keep.length;
    const pos = this.base + Math.max(0, rel) + keep.length;
    for (;;) {
      const n = readSync(this.fd, next, got, next.length - got, pos + got - keep.length);
      if (n === 0) {
        this.eof = true;
        break;
      }
      got += n;
      if (got >= want) break;
    }
    this.buf = next.subarray(0, got);
    this.base = from;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Where the newline sequence is in an input charset: a byte, or two bytes at even offsets. */
function newlineOf(charset: string): { bytes: number[]; unit: number } {
  const c = charset.toLowerCase().replace(/_/g, '-');
  if (c === 'utf-16le') return { bytes: [0x0a, 0x00], unit: 2 };
  if (c === 'utf-16be' || c === 'utf-16') return { bytes: [0x00, 0x0a], unit: 2 };
  if (c.startsWith('utf-32')) throw new ConfigError(`inputCharset ${charset} is not supported by the spooling directory source of the flowc runtime`);
  return { bytes: [0x0a], unit: 1 };
}

class LineReader implements SpoolReader {
  private readonly src: ByteSource;
  private line = 0;
  private piece = 0;
  private readonly decoder: TextDecoder;
  private readonly encode: (s: string) => Buffer;
  private readonly nl: { bytes: number[]; unit: number };

  constructor(
    private readonly path: string,
    private readonly o: ReaderOptions,
  ) {
    this.nl = newlineOf(o.inputCharset);
    const label = o.inputCharset.toLowerCase() === 'utf-16' ? 'utf-16be' : o.inputCharset;
    try {
      this.decoder = new TextDecoder(label, { fatal: o.decodeErrorPolicy === 'FAIL' });
    } catch {
      throw new ConfigError(`unknown inputCharset \`${o.inputCharset}\``);
    }
    this.encode = encoderFor(o.outputCharset);
    this.src = new ByteSource(path);
  }

  seek(pos: ReaderPosition): void {
    const p = pos as { line: number; piece: number };
    this.line = p.line;
    this.piece = p.piece;
    this.src.seek(p.line);
  }

  /** End (exclusive, without the newline) and next line start of the line at `start`, or null at end of file. */
  private findLine(start: number): { end: number; next: number } | null {
    const { bytes, unit } = this.nl;
    let want = 64 * 1024;
    for (;;) {
      this.src.fill(start, want);
      const buf = this.src.buf;
      const rel = start - this.src.base;
      const avail = buf.length - rel;
      if (avail <= 0) return null;
      let i = unit === 1 ? buf.indexOf(bytes[0]!, rel) : -1;
      if (unit === 2) {
        for (let k = rel; k + 1 < buf.length; k += 2) {
          if (buf[k] === bytes[0] && buf[k + 1] === bytes[1]) {
            i = k;
            break;
          }
        }
      }
      if (i >= 0) return { end: this.src.base + i, next: this.src.base + i + unit };
      if (this.src.eof) return { end: this.src.base + buf.length, next: this.src.base + buf.length };
      want = avail * 2 + 64 * 1024;
    }
  }

  private decode(start: number, end: number): string {
    const rel = start - this.src.base;
    const bytes = this.src.buf.subarray(rel, rel + (end - start));
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      throw new DecodeError(`${this.path}: bytes at offset ${start} are not valid ${this.o.inputCharset} (decodeErrorPolicy = FAIL)`);
    }
    if (this.o.decodeErrorPolicy === 'IGNORE') text = text.replace(/\uFFFD/g, '');
    return text;
  }

  read(max: number): Read {
    const events: Event[] = [];
    const maxLen = this.o.maxLineLength;
    while (events.length < max) {
      const found = this.findLine(this.line);
      if (!found) return { events, position: { line: this.line, piece: 0 }, end: true };
      const text = this.decode(this.line, found.end);
      // As Flume's LineDeserializer: the newline counts against maxLineLength, so a line of L
      // characters ending in a newline gives floor(L / max) + 1 pieces of max characters (the
      // last one, the rest, may be empty); a last line without a newline gives ceil(L / max).
      const pieces = found.next > found.end ? Math.floor(text.length / maxLen) + 1 : Math.ceil(text.length / maxLen);
      while (this.piece < pieces && events.length < max) {
        const part = pieces === 1 ? text : text.slice(this.piece * maxLen, (this.piece + 1) * maxLen);
        events.push({ headers: newHeaders(), body: this.encode(part) });
        this.piece++;
      }
      if (this.piece < pieces) break;
      this.line = found.next;
      this.piece = 0;
    }
    const atEnd = this.findLine(this.line) === null;
    return { events, position: { line: this.line, piece: this.piece }, end: atEnd };
  }

  close(): void {
    this.src.close();
  }
}

class BlobReader implements SpoolReader {
  private readonly src: ByteSource;
  private offset = 0;

  constructor(
    path: string,
    private readonly o: ReaderOptions,
  ) {
    this.src = new ByteSource(path);
  }

  seek(pos: ReaderPosition): void {
    this.offset = (pos as { offset: number }).offset;
    this.src.seek(this.offset);
  }

  read(max: number): Read {
    const events: Event[] = [];
    while (events.length < max) {
      this.src.fill(this.offset, this.o.maxBlobLength);
      const rel = this.offset - this.src.base;
      const n = Math.min(this.src.buf.length - rel, this.o.maxBlobLength);
      if (n <= 0) break;
      events.push({ headers: newHeaders(), body: Buffer.from(this.src.buf.subarray(rel, rel + n)) });
      this.offset += n;
    }
    this.src.fill(this.offset, 1);
    const end = this.src.buf.length - (this.offset - this.src.base) <= 0;
    return { events, position: { offset: this.offset }, end };
  }

  close(): void {
    this.src.close();
  }
}

class AvroReader implements SpoolReader {
  private readonly file: AvroContainerReader;
  private readonly header: [string, string];

  constructor(path: string, o: ReaderOptions) {
    this.file = new AvroContainerReader(path);
    this.header =
      o.schemaType === 'LITERAL'
        ? ['flume.avro.schema.literal', javaSchemaString(this.file.schemaJson)]
        : ['flume.avro.schema.hash', crc64AvroHex(canonicalForm(this.file.schemaJson))];
  }

  seek(pos: ReaderPosition): void {
    this.file.seek(pos as ContainerPosition);
  }

  read(max: number): Read {
    const records = this.file.next(max);
    const events = records.map((body) => {
      const headers = newHeaders();
      headers[this.header[0]] = this.header[1];
      return { headers, body };
    });
    return { events, position: this.file.position(), end: !this.file.hasMore() };
  }

  close(): void {
    this.file.close();
  }
}

export function openReader(path: string, o: ReaderOptions): SpoolReader {
  switch (o.deserializer) {
    case 'LINE':
      return new LineReader(path, o);
    case 'BLOB':
      return new BlobReader(path, o);
    case 'AVRO':
      return new AvroReader(path, o);
  }
}

export function startPosition(o: ReaderOptions): ReaderPosition {
  return o.deserializer === 'LINE' ? { line: 0, piece: 0 } : o.deserializer === 'BLOB' ? { offset: 0 } : { block: 0, record: 0 };
}

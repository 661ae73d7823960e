// A bounds-checked reader of Avro binary data received from the network. Every count and
// length is checked against the bytes that are actually there before anything is allocated,
// so a hostile peer cannot make the decoder loop or allocate beyond the frame it sent
// (a general-purpose Avro decoder trusts block counts; this one does not).
// The input is one buffer, or the buffers of a frame in order (`AvroReader.over`), read as one
// byte stream without joining them first. Byte values are slices of the input, never copies,
// except a value cut across two buffers, which is copied into a buffer of its own.
import { newHeaders } from '../core/event.js';
import { bufferView } from '../lib/buffer-view.js';

/** The data ended early, or a count or length cannot be right. */
export class AvroDecodeError extends Error {
  override name = 'AvroDecodeError';

  constructor(
    message: string,
    /** The data ended early (Java reports this as java.io.EOFException). */
    readonly endOfData = false,
  ) {
    super(message);
  }
}

const endOfData = () => new AvroDecodeError('the data ends early', true);

const NO_PARTS: readonly Buffer[] = [];
const EMPTY = Buffer.alloc(0);

export class AvroReader {
  /** The part being read, and the read position and end in it. */
  private buf: Buffer;
  private pos: number;
  private end: number;
  /** The part's memory and where the part begins in it (byte values are views of it). */
  private memory: ArrayBufferLike;
  private memoryOffset: number;
  /** Every part (a multi-part input), the index of the next one, and the bytes from it on. */
  private parts: readonly Buffer[] = NO_PARTS;
  private nextPart = 0;
  private restBytes = 0;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.memory = buf.buffer;
    this.memoryOffset = buf.byteOffset;
    this.pos = start;
    this.end = end;
  }

  /** A reader of `parts` in order, as if they were one buffer. */
  static over(parts: readonly Buffer[]): AvroReader {
    const r = new AvroReader(parts.length > 0 ? parts[0]! : EMPTY);
    if (parts.length > 1) {
      r.parts = parts;
      r.nextPart = 1;
      for (let i = 1; i < parts.length; i++) r.restBytes += parts[i]!.length;
    }
    return r;
  }

  get remaining(): number {
    return this.end - this.pos + this.restBytes;
  }

  /** Moves to the next part that holds bytes; false at the end of the input. */
  private advance(): boolean {
    while (this.nextPart < this.parts.length) {
      const b = this.parts[this.nextPart++]!;
      this.restBytes -= b.length;
      if (b.length === 0) continue;
      this.buf = b;
      this.memory = b.buffer;
      this.memoryOffset = b.byteOffset;
      this.pos = 0;
      this.end = b.length;
      return true;
    }
    return false;
  }

  /** A zig-zag varint long; values beyond 2^53 are refused. */
  long(): number {
    let b = this.byte();
    let n = b & 0x7f;
    let shift = 7;
    let mul = 128;
    while (b & 0x80) {
      if (shift > 56) throw new AvroDecodeError('a number is longer than a long');
      b = this.byte();
      n += (b & 0x7f) * mul;
      mul *= 128;
      shift += 7;
    }
    if (n > Number.MAX_SAFE_INTEGER) throw new AvroDecodeError('a number is beyond 2^53');
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  }

  byte(): number {
    if (this.pos >= this.end && !this.advance()) throw endOfData();
    return this.buf[this.pos++]!;
  }

  boolean(): boolean {
    const b = this.byte();
    if (b > 1) throw new AvroDecodeError(`${b} is not a boolean`);
    return b === 1;
  }

  /** A length-prefixed byte string, as a slice of the input. */
  bytes(): Buffer {
    const len = this.long();
    if (len < 0) throw new AvroDecodeError(`negative length ${len}`);
    return this.fixed(len);
  }

  string(): string {
    const len = this.long();
    if (len < 0) throw new AvroDecodeError(`negative length ${len}`);
    if (len > this.remaining) throw endOfData();
    if (this.pos === this.end && len > 0) this.advance();
    if (this.pos + len > this.end) return this.joined(len).toString('utf8');
    const start = this.pos;
    this.pos += len;
    return this.buf.toString('utf8', start, this.pos);
  }

  fixed(len: number): Buffer {
    if (len > this.remaining) throw endOfData();
    if (this.pos === this.end && len > 0) this.advance();
    if (this.pos + len > this.end) return this.joined(len);
    const start = this.pos;
    this.pos += len;
    return bufferView(this.memory, this.memoryOffset + start, len);
  }

  /** The next `len` bytes (there are that many), cut across parts: copied into one buffer. */
  private joined(len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    let at = 0;
    while (at < len) {
      if (this.pos >= this.end) this.advance();
      const n = Math.min(len - at, this.end - this.pos);
      this.buf.copy(out, at, this.pos, this.pos + n);
      this.pos += n;
      at += n;
    }
    return out;
  }

  /**
   * The item count of the next array or map block (0 ends the array). A negative count is
   * followed by the block's byte size, which is skipped. `minItemBytes` is the smallest
   * encoding of one item: a count that could not fit in the rest of the data is refused.
   */
  blockCount(minItemBytes: number): number {
    let n = this.long();
    if (n < 0) {
      n = -n;
      this.long();
    }
    if (n * minItemBytes > this.remaining) throw endOfData();
    return n;
  }

  /** map<string> into a header map (any key, `__proto__` included, is kept as sent). */
  stringMap(): Record<string, string> {
    const out = newHeaders();
    for (let n = this.blockCount(2); n !== 0; n = this.blockCount(2)) {
      for (let i = 0; i < n; i++) {
        const k = this.string();
        out[k] = this.string();
      }
    }
    return out;
  }

  /** map<bytes> into a Map (keys are arbitrary). */
  bytesMap(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (let n = this.blockCount(2); n !== 0; n = this.blockCount(2)) {
      for (let i = 0; i < n; i++) {
        const k = this.string();
        out.set(k, this.bytes());
      }
    }
    return out;
  }

  /** The index of a union branch, checked against the number of branches. */
  unionIndex(branches: number): number {
    const i = this.long();
    if (i < 0 || i >= branches) throw new AvroDecodeError(`union branch ${i} does not exist`);
    return i;
  }

  enumIndex(symbols: number): number {
    const i = this.long();
    if (i < 0 || i >= symbols) throw new AvroDecodeError(`enum symbol ${i} does not exist`);
    return i;
  }
}

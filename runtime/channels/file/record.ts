// The records of the file channel's write-ahead log, and how events are encoded in them.
//
// A record is a 12-byte frame header, then its payload:
//   magic u16 (0xF10C) · type u8 · reserved u8 · payload length u32 · CRC-32 u32
// all little-endian; the CRC covers the type, reserved and length bytes and the payload, so a
// torn or flipped frame is recognised wherever it is. Payloads:
//   PUT      txid f64 · header count u16 · (key length u16, key, value length u32, value)* · body length u32 · body
//   TAKE     txid f64 · count u32 · pointers f64*   (the pointers of the events this transaction took)
//   COMMIT   txid f64 · write-order id f64
//   ROLLBACK txid f64
// One commit writes its whole transaction as one contiguous group (its PUTs, one TAKE, then the
// COMMIT) with one write call: a replay applies a group only when its COMMIT record is intact.
import { crc32 } from 'node:zlib';
import { newHeaders, type Event } from '../../core/event.js';

export const MAGIC = 0xf10c;
export const FRAME = 12;

export const enum RecordType {
  Put = 1,
  Take = 2,
  Commit = 3,
  Rollback = 4,
}

export const RECORD_NAMES: Record<number, string> = { 1: 'PUT', 2: 'TAKE', 3: 'COMMIT', 4: 'ROLLBACK' };

/**
 * Where an event's PUT record is: the log file id and the record's offset, in one number
 * (fileId · 2^31 + offset). Offsets stay below 2^31 (maxFileSize is capped there) and ids
 * below 2^22, so the number is exact.
 */
export const FILE_ID_UNIT = 2 ** 31;
export const MAX_FILE_ID = 2 ** 22 - 1;

export function pointer(fileId: number, offset: number): number {
  return fileId * FILE_ID_UNIT + offset;
}

export function pointerFile(ptr: number): number {
  return Math.floor(ptr / FILE_ID_UNIT);
}

export function pointerOffset(ptr: number): number {
  return ptr % FILE_ID_UNIT;
}

/** A growable byte buffer that records are encoded into; reused across commits. */
export class RecordWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.pos = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a record; returns its offset, to pass to `end`. */
  private begin(type: RecordType, payloadHint: number): number {
    this.ensure(FRAME + payloadHint);
    const at = this.pos;
    this.buf.writeUInt16LE(MAGIC, at);
    this.buf[at + 2] = type;
    this.buf[at + 3] = 0;
    this.pos = at + FRAME;
    return at;
  }

  private end(at: number): void {
    const buf = this.buf;
    buf.writeUInt32LE(this.pos - at - FRAME, at + 4);
    const crc = crc32(buf.subarray(at + FRAME, this.pos), crc32(buf.subarray(at + 2, at + 8)));
    buf.writeUInt32LE(crc, at + 8);
  }

  /** Appends a PUT record; returns its offset in this writer. */
  put(txid: number, e: Event): number {
    const headers = e.headers;
    let hint = 14 + e.body.length;
    let count = 0;
    for (const k in headers) {
      hint += 6 + 3 * (k.length + headers[k]!.length);
      count++;
    }
    const at = this.begin(RecordType.Put, hint);
    const buf = this.buf;
    let p = this.pos;
    buf.writeDoubleLE(txid, p);
    buf.writeUInt16LE(count, p + 8);
    p += 10;
    for (const k in headers) {
      const kn = buf.write(k, p + 2, 'utf8');
      buf.writeUInt16LE(kn, p);
      p += 2 + kn;
      const vn = buf.write(headers[k]!, p + 4, 'utf8');
      buf.writeUInt32LE(vn, p);
      p += 4 + vn;
    }
    buf.writeUInt32LE(e.body.length, p);
    p += 4;
    e.body.copy(buf, p);
    this.pos = p + e.body.length;
    this.end(at);
    return at;
  }

  take(txid: number, pointers: readonly number[]): void {
    const at = this.begin(RecordType.Take, 12 + 8 * pointers.length);
    const buf = this.buf;
    let p = this.pos;
    buf.writeDoubleLE(txid, p);
    buf.writeUInt32LE(pointers.length, p + 8);
    p += 12;
    for (let i = 0; i < pointers.length; i++, p += 8) buf.writeDoubleLE(pointers[i]!, p);
    this.pos = p;
    this.end(at);
  }

  commit(txid: number, writeOrderId: number): void {
    const at = this.begin(RecordType.Commit, 16);
    this.buf.writeDoubleLE(txid, this.pos);
    this.buf.writeDoubleLE(writeOrderId, this.pos + 8);
    this.pos += 16;
    this.end(at);
  }

  rollback(txid: number): void {
    const at = this.begin(RecordType.Rollback, 8);
    this.buf.writeDoubleLE(txid, this.pos);
    this.pos += 8;
    this.end(at);
  }
}

export interface Frame {
  type: number;
  /** Offset of the payload in the buffer. */
  payload: number;
  length: number;
}

/**
 * Reads the frame at `at` of `buf` (which holds bytes up to `limit`). Returns the frame, or why
 * it is not one: 'short' when the buffer ends inside it, 'bad' when it is damaged.
 */
export function readFrame(buf: Buffer, at: number, limit: number, maxLength: number): Frame | 'short' | 'bad' {
  if (at + FRAME > limit) return 'short';
  if (buf.readUInt16LE(at) !== MAGIC) return 'bad';
  const type = buf[at + 2]!;
  if (type < RecordType.Put || type > RecordType.Rollback || buf[at + 3] !== 0) return 'bad';
  const length = buf.readUInt32LE(at + 4);
  if (length > maxLength) return 'bad';
  if (at + FRAME + length > limit) return 'short';
  const crc = crc32(buf.subarray(at + FRAME, at + FRAME + length), crc32(buf.subarray(at + 2, at + 8)));
  if (crc !== buf.readUInt32LE(at + 8)) return 'bad';
  return { type, payload: at + FRAME, length };
}

/** The event in a PUT record's payload. The body is copied out of `buf` unless `share` is set. */
export function decodeEvent(buf: Buffer, payload: number, length: number, share = false): Event {
  let p = payload + 8;
  const count = buf.readUInt16LE(p);
  p += 2;
  const headers = newHeaders();
  for (let i = 0; i < count; i++) {
    const kn = buf.readUInt16LE(p);
    const k = buf.toString('utf8', p + 2, p + 2 + kn);
    p += 2 + kn;
    const vn = buf.readUInt32LE(p);
    headers[k] = buf.toString('utf8', p + 4, p + 4 + vn);
    p += 4 + vn;
  }
  const bn = buf.readUInt32LE(p);
  p += 4;
  if (p + bn > payload + length) throw new Error('event body runs past its record');
  const body = share ? buf.subarray(p, p + bn) : Buffer.from(buf.subarray(p, p + bn));
  return { headers, body };
}

export function payloadTxid(buf: Buffer, payload: number): number {
  return buf.readDoubleLE(payload);
}

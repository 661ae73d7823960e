// Flume's Thrift RPC messages (flume.thrift: ThriftSourceProtocol.append / appendBatch of
// ThriftFlumeEvent { 1: map<string,string> headers, 2: binary body } → Status), in Thrift's
// compact and binary protocols. Hand-written rather than through the `thrift` package: the IDL
// is two calls and one struct, the package needs generated code (and the Thrift compiler) and
// has no frame-size limit on its framed transport, and a server must bound what a peer makes it
// allocate. Decoding is strict about sizes (every count is checked against the bytes left) and
// skips fields it does not know, as Thrift does, with a nesting limit.
import { newHeaders, type Event } from '../core/event.js';

export type ThriftProtocol = 'compact' | 'binary';
export type ThriftStatus = 'OK' | 'FAILED' | 'ERROR' | 'UNKNOWN';
export const STATUS_NAMES: readonly ThriftStatus[] = ['OK', 'FAILED', 'ERROR', 'UNKNOWN'];

export const MESSAGE_CALL = 1;
export const MESSAGE_REPLY = 2;
export const MESSAGE_EXCEPTION = 3;

/** The peer sent bytes that are not a valid message; the connection is closed. */
export class ThriftDecodeError extends Error {
  override name = 'ThriftDecodeError';
}

// Thrift's abstract types (TType), as the binary protocol writes them.
const T_STOP = 0;
const T_BOOL = 2;
const T_BYTE = 3;
const T_DOUBLE = 4;
const T_I16 = 6;
const T_I32 = 8;
const T_I64 = 10;
const T_STRING = 11;
const T_STRUCT = 12;
const T_MAP = 13;
const T_SET = 14;
const T_LIST = 15;

// Compact type ids ↔ TType.
const COMPACT_OF: Record<number, number> = { [T_BOOL]: 1, [T_BYTE]: 3, [T_I16]: 4, [T_I32]: 5, [T_I64]: 6, [T_DOUBLE]: 7, [T_STRING]: 8, [T_LIST]: 9, [T_SET]: 10, [T_MAP]: 11, [T_STRUCT]: 12 };
const TTYPE_OF: Record<number, number> = { 1: T_BOOL, 2: T_BOOL, 3: T_BYTE, 4: T_I16, 5: T_I32, 6: T_I64, 7: T_DOUBLE, 8: T_STRING, 9: T_LIST, 10: T_SET, 11: T_MAP, 12: T_STRUCT };

const MAX_DEPTH = 32;

// ---------------------------------------------------------------- writing

class Writer {
  private buf = Buffer.allocUnsafe(256);
  pos = 4; // room for the frame length
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
  }
  i16be(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }
  i32be(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }
  varint(v: number): void {
    this.ensure(5);
    v >>>= 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  /** The framed message: a 4-byte big-endian length, then the message. */
  frame(): Buffer {
    this.buf.writeInt32BE(this.pos - 4, 0);
    return this.buf.subarray(0, this.pos);
  }
}

/** Writes one protocol's primitives; compact field ids are deltas, so it keeps the last id. */
class Encoder {
  readonly w = new Writer();
  private last: number[] = [];
  private lastId = 0;
  constructor(private readonly protocol: ThriftProtocol) {}

  message(name: string, type: number, seqid: number): void {
    const n = Buffer.from(name, 'utf8');
    if (this.protocol === 'binary') {
      this.w.i32be((0x80010000 | type) | 0);
      this.w.i32be(n.length);
      this.w.bytes(n);
      this.w.i32be(seqid);
    } else {
      this.w.byte(0x82);
      this.w.byte((type << 5) | 1);
      this.w.varint(seqid);
      this.w.varint(n.length);
      this.w.bytes(n);
    }
  }
  structBegin(): void {
    this.last.push(this.lastId);
    this.lastId = 0;
  }
  structEnd(): void {
    this.w.byte(T_STOP);
    this.lastId = this.last.pop() ?? 0;
  }
  field(ttype: number, id: number): void {
    if (this.protocol === 'binary') {
      this.w.byte(ttype);
      this.w.i16be(id);
      return;
    }
    const ct = COMPACT_OF[ttype]!;
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) this.w.byte((delta << 4) | ct);
    else {
      this.w.byte(ct);
      this.w.varint(((id << 1) ^ (id >> 15)) & 0xffff);
    }
    this.lastId = id;
  }
  i32(v: number): void {
    if (this.protocol === 'binary') this.w.i32be(v);
    else this.w.varint((v << 1) ^ (v >> 31));
  }
  binary(b: Buffer): void {
    if (this.protocol === 'binary') this.w.i32be(b.length);
    else this.w.varint(b.length);
    this.w.bytes(b);
  }
  string(s: string): void {
    this.binary(Buffer.from(s, 'utf8'));
  }
  mapBegin(k: number, v: number, size: number): void {
    if (this.protocol === 'binary') {
      this.w.byte(k);
      this.w.byte(v);
      this.w.i32be(size);
    } else if (size === 0) this.w.byte(0);
    else {
      this.w.varint(size);
      this.w.byte((COMPACT_OF[k]! << 4) | COMPACT_OF[v]!);
    }
  }
  listBegin(elem: number, size: number): void {
    if (this.protocol === 'binary') {
      this.w.byte(elem);
      this.w.i32be(size);
    } else if (size < 15) this.w.byte((size << 4) | COMPACT_OF[elem]!);
    else {
      this.w.byte(0xf0 | COMPACT_OF[elem]!);
      this.w.varint(size);
    }
  }
  event(e: Event): void {
    this.structBegin();
    const keys = Object.keys(e.headers);
    this.field(T_MAP, 1);
    this.mapBegin(T_STRING, T_STRING, keys.length);
    for (const k of keys) {
      this.string(k);
      this.string(e.headers[k]!);
    }
    this.field(T_STRING, 2);
    this.binary(e.body);
    this.structEnd();
  }
}

/** A framed call of append (one event) or appendBatch. */
export function encodeCall(protocol: ThriftProtocol, seqid: number, events: readonly Event[], single = false): Buffer {
  const e = new Encoder(protocol);
  e.message(single ? 'append' : 'appendBatch', MESSAGE_CALL, seqid);
  e.structBegin();
  if (single) {
    e.field(T_STRUCT, 1);
    e.event(events[0]!);
  } else {
    e.field(T_LIST, 1);
    e.listBegin(T_STRUCT, events.length);
    for (const ev of events) e.event(ev);
  }
  e.structEnd();
  return e.w.frame();
}

/** A framed reply carrying a Status (result field 0). */
export function encodeReply(protocol: ThriftProtocol, name: string, seqid: number, status: ThriftStatus): Buffer {
  const e = new Encoder(protocol);
  e.message(name, MESSAGE_REPLY, seqid);
  e.structBegin();
  e.field(T_I32, 0);
  e.i32(STATUS_NAMES.indexOf(status));
  e.structEnd();
  return e.w.frame();
}

/** A framed TApplicationException (type 1 = UNKNOWN_METHOD, 7 = PROTOCOL_ERROR). */
export function encodeException(protocol: ThriftProtocol, name: string, seqid: number, message: string, type: number): Buffer {
  const e = new Encoder(protocol);
  e.message(name, MESSAGE_EXCEPTION, seqid);
  e.structBegin();
  e.field(T_STRING, 1);
  e.string(message);
  e.field(T_I32, 2);
  e.i32(type);
  e.structEnd();
  return e.w.frame();
}

// ---------------------------------------------------------------- reading

class Decoder {
  pos = 0;
  private lastIds: number[] = [];
  private lastId = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly protocol: ThriftProtocol,
  ) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new ThriftDecodeError(`the message ends early (needs ${n} more byte(s) at offset ${this.pos})`);
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  i32be(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      if (shift < 32) result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 63) throw new ThriftDecodeError('a varint is longer than 10 bytes');
    }
  }
  i32(): number {
    if (this.protocol === 'binary') return this.i32be();
    const v = this.varint();
    return (v >>> 1) ^ -(v & 1);
  }
  /** A size (length or count) checked against the bytes left: each item takes ≥ minBytes. */
  size(raw: number, minBytes: number): number {
    if (raw < 0) throw new ThriftDecodeError(`a negative size (${raw})`);
    if (raw * minBytes > this.buf.length - this.pos) throw new ThriftDecodeError(`a size of ${raw} is larger than the rest of the message`);
    return raw;
  }
  binary(): Buffer {
    const n = this.size(this.protocol === 'binary' ? this.i32be() : this.varint(), 1);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  string(): string {
    return this.binary().toString('utf8');
  }
  message(): { name: string; type: number; seqid: number } {
    if (this.protocol === 'binary') {
      const first = this.i32be();
      if (first < 0) {
        if ((first & 0xffff0000) !== (0x80010000 | 0)) throw new ThriftDecodeError('not a Thrift binary-protocol message (bad version)');
        const name = this.string();
        return { name, type: first & 0xff, seqid: this.i32be() };
      }
      // The old, non-strict form: name length first.
      this.pos -= 4;
      const name = this.string();
      const type = this.byte();
      return { name, type, seqid: this.i32be() };
    }
    if (this.byte() !== 0x82) throw new ThriftDecodeError('not a Thrift compact-protocol message (is the peer using protocol = binary?)');
    const vt = this.byte();
    if ((vt & 0x1f) !== 1) throw new ThriftDecodeError(`unknown compact-protocol version ${vt & 0x1f}`);
    const seqid = this.varint() | 0;
    return { name: this.string(), type: (vt >> 5) & 0x07, seqid };
  }
  structBegin(depth: number): void {
    if (depth > MAX_DEPTH) throw new ThriftDecodeError(`structures nested deeper than ${MAX_DEPTH}`);
    this.lastIds.push(this.lastId);
    this.lastId = 0;
  }
  structEnd(): void {
    this.lastId = this.lastIds.pop() ?? 0;
  }
  /** The next field's TType and id; TType T_STOP ends the struct. Compact booleans carry their value. */
  field(): { type: number; id: number; bool?: boolean } {
    if (this.protocol === 'binary') {
      const type = this.byte();
      if (type === T_STOP) return { type, id: 0 };
      this.need(2);
      const id = this.buf.readInt16BE(this.pos);
      this.pos += 2;
      return { type, id };
    }
    const b = this.byte();
    if (b === 0) return { type: T_STOP, id: 0 };
    const ct = b & 0x0f;
    const type = TTYPE_OF[ct];
    if (type === undefined) throw new ThriftDecodeError(`unknown compact type ${ct}`);
    const delta = b >> 4;
    let id: number;
    if (delta !== 0) id = this.lastId + delta;
    else {
      const z = this.varint() & 0xffff;
      id = ((z >>> 1) ^ -(z & 1)) << 16 >> 16;
    }
    this.lastId = id;
    return ct === 1 || ct === 2 ? { type, id, bool: ct === 1 } : { type, id };
  }
  mapBegin(): { k: number; v: number; size: number } {
    if (this.protocol === 'binary') {
      const k = this.byte();
      const v = this.byte();
      return { k, v, size: this.size(this.i32be(), 0) };
    }
    const size = this.varint();
    if (size === 0) return { k: T_STRING, v: T_STRING, size: 0 };
    const kv = this.byte();
    const k = TTYPE_OF[kv >> 4];
    const v = TTYPE_OF[kv & 0x0f];
    if (k === undefined || v === undefined) throw new ThriftDecodeError('unknown map element type');
    return { k, v, size: this.size(size, 2) };
  }
  listBegin(): { elem: number; size: number } {
    if (this.protocol === 'binary') {
      const elem = this.byte();
      return { elem, size: this.size(this.i32be(), 1) };
    }
    const b = this.byte();
    const elem = TTYPE_OF[b & 0x0f];
    if (elem === undefined) throw new ThriftDecodeError('unknown list element type');
    let size = b >> 4;
    if (size === 15) size = this.varint();
    return { elem, size: this.size(size, 1) };
  }
  /** Skips a value of a type this code does not read. */
  skip(type: number, depth: number, bool?: boolean): void {
    if (depth > MAX_DEPTH) throw new ThriftDecodeError(`values nested deeper than ${MAX_DEPTH}`);
    const compact = this.protocol === 'compact';
    switch (type) {
      case T_BOOL:
        if (!compact || bool === undefined) this.byte();
        return;
      case T_BYTE:
        this.byte();
        return;
      case T_I16:
      case T_I32:
      case T_I64:
        if (compact) this.varint();
        else {
          const n = type === T_I16 ? 2 : type === T_I32 ? 4 : 8;
          this.need(n);
          this.pos += n;
        }
        return;
      case T_DOUBLE:
        this.need(8);
        this.pos += 8;
        return;
      case T_STRING:
        this.binary();
        return;
      case T_STRUCT: {
        this.structBegin(depth);
        for (;;) {
          const f = this.field();
          if (f.type === T_STOP) break;
          this.skip(f.type, depth + 1, f.bool);
        }
        this.structEnd();
        return;
      }
      case T_MAP: {
        const m = this.mapBegin();
        for (let i = 0; i < m.size; i++) {
          this.skip(m.k, depth + 1);
          this.skip(m.v, depth + 1);
        }
        return;
      }
      case T_SET:
      case T_LIST: {
        const l = this.listBegin();
        for (let i = 0; i < l.size; i++) this.skip(l.elem, depth + 1);
        return;
      }
      default:
        throw new ThriftDecodeError(`unknown type ${type}`);
    }
  }
  event(depth: number): Event {
    this.structBegin(depth);
    const headers = newHeaders();
    let body: Buffer | undefined;
    let sawHeaders = false;
    for (;;) {
      const f = this.field();
      if (f.type === T_STOP) break;
      if (f.id === 1 && f.type === T_MAP) {
        const m = this.mapBegin();
        if (m.size > 0 && (m.k !== T_STRING || m.v !== T_STRING)) throw new ThriftDecodeError('ThriftFlumeEvent.headers is not a map<string,string>');
        for (let i = 0; i < m.size; i++) {
          const k = this.string();
          headers[k] = this.string();
        }
        sawHeaders = true;
      } else if (f.id === 2 && f.type === T_STRING) body = this.binary();
      else this.skip(f.type, depth + 1, f.bool);
    }
    this.structEnd();
    if (!sawHeaders || body === undefined) throw new ThriftDecodeError(`a ThriftFlumeEvent lacks its required ${sawHeaders ? 'body' : 'headers'}`);
    return { headers, body };
  }
}

export interface ThriftCall {
  name: string;
  type: number;
  seqid: number;
  /** The events of append or appendBatch; undefined for a method this protocol has not. */
  events?: Event[];
}

/** Decodes one message (a frame's payload) sent to a ThriftSourceProtocol server. */
export function decodeCall(payload: Buffer, protocol: ThriftProtocol): ThriftCall {
  const d = new Decoder(payload, protocol);
  const { name, type, seqid } = d.message();
  if (name !== 'append' && name !== 'appendBatch') return { name, type, seqid };
  const events: Event[] = [];
  d.structBegin(0);
  for (;;) {
    const f = d.field();
    if (f.type === T_STOP) break;
    if (f.id === 1 && name === 'append' && f.type === T_STRUCT) events.push(d.event(1));
    else if (f.id === 1 && name === 'appendBatch' && f.type === T_LIST) {
      const l = d.listBegin();
      if (l.size > 0 && l.elem !== T_STRUCT) throw new ThriftDecodeError('appendBatch.events is not a list of ThriftFlumeEvent');
      for (let i = 0; i < l.size; i++) events.push(d.event(1));
    } else d.skip(f.type, 1, f.bool);
  }
  d.structEnd();
  if (name === 'append' && events.length !== 1) throw new ThriftDecodeError('append carries no event');
  return { name, type, seqid, events };
}

export type ThriftReply = { name: string; seqid: number } & ({ status: ThriftStatus } | { exception: string });

/** Decodes a server's reply to append or appendBatch. */
export function decodeReply(payload: Buffer, protocol: ThriftProtocol): ThriftReply {
  const d = new Decoder(payload, protocol);
  const { name, type, seqid } = d.message();
  d.structBegin(0);
  let status: ThriftStatus | undefined;
  let message = '';
  for (;;) {
    const f = d.field();
    if (f.type === T_STOP) break;
    if (type === MESSAGE_REPLY && f.id === 0 && f.type === T_I32) status = STATUS_NAMES[d.i32()] ?? 'UNKNOWN';
    else if (type === MESSAGE_EXCEPTION && f.id === 1 && f.type === T_STRING) message = d.string();
    else d.skip(f.type, 1, f.bool);
  }
  d.structEnd();
  if (type === MESSAGE_EXCEPTION) return { name, seqid, exception: message || 'TApplicationException' };
  if (type !== MESSAGE_REPLY) throw new ThriftDecodeError(`unexpected message type ${type} in a reply`);
  if (status === undefined) return { name, seqid, exception: `${name} failed: unknown result` };
  return { name, seqid, status };
}

// ---------------------------------------------------------------- framing

/** Cuts a byte stream into frames (4-byte big-endian length, then the payload). */
export class ThriftFrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  constructor(
    private readonly onFrame: (payload: Buffer) => void,
    private readonly maxFrameBytes: number,
  ) {}
  /** True while part of a frame has arrived. */
  get partial(): boolean {
    return this.buffered > 0;
  }
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const len = head.readInt32BE(0);
      if (len < 0 || len > this.maxFrameBytes) {
        throw new ThriftDecodeError(`a frame of ${len >>> 0} bytes is larger than the limit of ${this.maxFrameBytes} (or the peer does not use the framed transport)`);
      }
      if (this.buffered < 4 + len) return;
      const all = this.peek(4 + len);
      this.consume(4 + len);
      this.onFrame(all.subarray(4));
    }
  }
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) {
      const joined = Buffer.concat(this.chunks);
      this.chunks = [joined];
    }
    return this.chunks[0]!.subarray(0, n);
  }
  private consume(n: number): void {
    const first = this.chunks[0]!;
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
  }
}

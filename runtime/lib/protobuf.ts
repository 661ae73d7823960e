// A minimal Protocol Buffers encoder and decoder: varints, zigzag, fixed-width and
// length-delimited fields. Enough for the handful of Hadoop messages the native HDFS client
// speaks (runtime/lib/hadoop-ipc.ts, hdfs-namenode.ts, hdfs-datatransfer.ts), each written by
// hand with its field numbers; no schema compiler, no generated code.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** Builds one message; fields are written in the order they are added. */
export class ProtoWriter {
  private parts: number[] = [];
  private chunks: Buffer[] = [];

  private flushBytes(): void {
    if (this.parts.length > 0) {
      this.chunks.push(Buffer.from(this.parts));
      this.parts = [];
    }
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (value < 0 || !Number.isInteger(value)) throw new RangeError(`protobuf varint out of range: ${value}`);
      while (value >= 0x80) {
        this.parts.push((value % 0x80) | 0x80);
        value = Math.floor(value / 0x80);
      }
      this.parts.push(value);
      return;
    }
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** uint32, uint64, bool and enum fields (non-negative). */
  uint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** int32/int64 fields: a negative value is its 64-bit two's complement (ten bytes), as protobuf does. */
  int(field: number, value: number): this {
    return value >= 0 ? this.uint(field, value) : this.uint(field, BigInt.asUintN(64, BigInt(value)));
  }

  /** uint32 fields given a possibly negative Java int (Hadoop's call ids -3, -4): its unsigned 32-bit value. */
  uint32(field: number, value: number): this {
    return this.uint(field, value >>> 0);
  }

  /** sint32/sint64 fields (zigzag). */
  sint(field: number, value: number): this {
    return this.uint(field, value >= 0 ? value * 2 : -value * 2 - 1);
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** sfixed64/fixed64 fields. */
  fixed64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_FIXED64);
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(value));
    for (const x of b) this.parts.push(x);
    return this;
  }

  /** sfixed32/fixed32 fields. */
  fixed32(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = Buffer.alloc(4);
    b.writeInt32LE(value | 0);
    for (const x of b) this.parts.push(x);
    return this;
  }

  /** bytes fields, and embedded messages already encoded. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.rawVarint(value.length);
    this.flushBytes();
    this.chunks.push(Buffer.from(value.buffer, value.byteOffset, value.length));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Buffer {
    this.flushBytes();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}

/** The varint encoding of a non-negative length (the prefix of a delimited message). */
export function varint(value: number): Buffer {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Buffer.from(out);
}

/** A message prefixed by its length as a varint (protobuf's writeDelimitedTo). */
export function delimited(message: Buffer): Buffer {
  return Buffer.concat([varint(message.length), message]);
}

/** Reads a varint at `offset` of `buf`; undefined when the buffer ends first. */
export function readVarint(buf: Uint8Array, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, next: i + 1 };
  }
  if (buf.length >= offset + 10) throw new Error('malformed protobuf varint');
  return undefined;
}

/** One decoded field: a varint (as a bigint, exact to 64 bits), fixed bytes, or a length-delimited slice. */
export type ProtoValue = bigint | Buffer;

/** The fields of one message by number, each with every value it had (repeated fields keep order). */
export class ProtoMessage {
  private readonly fields = new Map<number, ProtoValue[]>();

  constructor(buf: Buffer) {
    let i = 0;
    while (i < buf.length) {
      const key = readVarintBig(buf, i);
      i = key.next;
      const field = Number(key.value >> 3n);
      const wire = Number(key.value & 7n);
      let value: ProtoValue;
      if (wire === WIRE_VARINT) {
        const v = readVarintBig(buf, i);
        value = v.value;
        i = v.next;
      } else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
        const n = wire === WIRE_FIXED64 ? 8 : 4;
        if (i + n > buf.length) throw new Error('truncated protobuf message');
        value = buf.subarray(i, i + n);
        i += n;
      } else if (wire === WIRE_BYTES) {
        const len = readVarintBig(buf, i);
        i = len.next;
        const end = i + Number(len.value);
        if (end > buf.length) throw new Error('truncated protobuf message');
        value = buf.subarray(i, end);
        i = end;
      } else {
        throw new Error(`unsupported protobuf wire type ${wire}`);
      }
      const list = this.fields.get(field);
      if (list) list.push(value);
      else this.fields.set(field, [value]);
    }
  }

  has(field: number): boolean {
    return this.fields.has(field);
  }

  private last(field: number): ProtoValue | undefined {
    const list = this.fields.get(field);
    return list?.[list.length - 1];
  }

  /** A uint64 (or any varint) field as a bigint. */
  big(field: number, fallback = 0n): bigint {
    const v = this.last(field);
    return typeof v === 'bigint' ? v : fallback;
  }

  /** A uint32/uint64/enum field as a number (exact below 2^53). */
  uint(field: number, fallback = 0): number {
    const v = this.last(field);
    return typeof v === 'bigint' ? Number(v) : fallback;
  }

  /** An int32/int64 field (two's complement). */
  int(field: number, fallback = 0): number {
    const v = this.last(field);
    return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : fallback;
  }

  /** A sint32/sint64 field (zigzag). */
  sint(field: number, fallback = 0): number {
    const v = this.last(field);
    if (typeof v !== 'bigint') return fallback;
    return Number((v >> 1n) ^ -(v & 1n));
  }

  bool(field: number, fallback = false): boolean {
    const v = this.last(field);
    return typeof v === 'bigint' ? v !== 0n : fallback;
  }

  bytes(field: number): Buffer | undefined {
    const v = this.last(field);
    return Buffer.isBuffer(v) ? v : undefined;
  }

  string(field: number, fallback = ''): string {
    return this.bytes(field)?.toString('utf8') ?? fallback;
  }

  message(field: number): ProtoMessage | undefined {
    const b = this.bytes(field);
    return b ? new ProtoMessage(b) : undefined;
  }

  /** Every value of a repeated length-delimited field (messages, strings, bytes). */
  repeatedBytes(field: number): Buffer[] {
    return (this.fields.get(field) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));
  }

  /** Every value of a repeated varint field, packed or not. */
  repeatedUint(field: number): number[] {
    const out: number[] = [];
    for (const v of this.fields.get(field) ?? []) {
      if (typeof v === 'bigint') out.push(Number(v));
      else {
        for (let i = 0; i < v.length;) {
          const r = readVarintBig(v, i);
          out.push(Number(r.value));
          i = r.next;
        }
      }
    }
    return out;
  }
}

function readVarintBig(buf: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const b = buf[i]!;
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (b < 0x80) return { value: BigInt.asUintN(64, value), next: i + 1 };
  }
  throw new Error(buf.length >= offset + 10 ? 'malformed protobuf varint' : 'truncated protobuf message');
}

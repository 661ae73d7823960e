// Avro object container files, read synchronously block by block (avsc decodes the records;
// the framing is read here): `Obj\x01`, a metadata map (avro.schema, avro.codec), a 16-byte
// sync marker, then blocks of (record count, byte size, records, sync marker). Each record
// comes out as its binary encoding, a slice of the block — what Flume's AVRO deserializer puts
// in an event body. Also: the schema fingerprint Flume puts in `flume.avro.schema.hash`
// (CRC-64-AVRO of the Parsing Canonical Form, as hex of its little-endian bytes), and the
// schema text it puts in `flume.avro.schema.literal` (Java's Schema.toString()).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';

const MAGIC = Buffer.from('Obj\x01', 'latin1');

export class AvroFileError extends Error {
  override name = 'AvroFileError';
}

/** Reads a zig-zag varint long at `pos`; returns [value, next]. */
function readLong(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  let shift = 1;
  let b: number;
  let p = pos;
  do {
    if (p >= buf.length) throw new RangeError('truncated');
    b = buf[p++]!;
    n += (b & 0x7f) * shift;
    shift *= 128;
  } while (b & 0x80);
  return [n % 2 === 0 ? n / 2 : -(n + 1) / 2, p];
}

export interface ContainerPosition {
  /** File offset of the next block to read. */
  block: number;
  /** Records of that block already consumed. */
  record: number;
}

export class AvroContainerReader {
  readonly schemaJson: unknown;
  readonly type: avro.Type;
  readonly codec: string;
  private readonly fd: number;
  private readonly size: number;
  private readonly sync: Buffer;
  private readonly firstBlock: number;
  /** The current block: its records' encodings, and where the next block starts. */
  private records: Buffer[] = [];
  private blockStart = 0;
  private nextBlock: number;
  private index = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.size = fstatSync(this.fd).size;
      const head = this.read(0, Math.min(this.size, 1 << 20));
      if (head.length < 4 || !head.subarray(0, 4).equals(MAGIC)) throw new AvroFileError(`${path} is not an Avro container file (it does not start with Obj\\x01)`);
      const meta = new Map<string, Buffer>();
      let p = 4;
      for (;;) {
        let count: number;
        [count, p] = readLong(head, p);
        if (count === 0) break;
        if (count < 0) {
          count = -count;
          [, p] = readLong(head, p);
        }
        for (let i = 0; i < count; i++) {
          let n: number;
          [n, p] = readLong(head, p);
          const key = head.toString('utf8', p, p + n);
          p += n;
          [n, p] = readLong(head, p);
          meta.set(key, head.subarray(p, p + n));
          p += n;
        }
      }
      this.sync = Buffer.from(head.subarray(p, p + 16));
      this.firstBlock = p + 16;
      this.nextBlock = this.firstBlock;
      const schemaText = meta.get('avro.schema')?.toString('utf8');
      if (!schemaText) throw new AvroFileError(`${path} has no avro.schema in its header`);
      this.schemaJson = JSON.parse(schemaText);
      this.type = avro.Type.forSchema(this.schemaJson as avro.Schema, { wrapUnions: true });
      this.codec = meta.get('avro.codec')?.toString('utf8') || 'null';
      if (this.codec !== 'null' && this.codec !== 'deflate') {
        throw new AvroFileError(`${path} is compressed with the ${this.codec} codec; the flowc runtime reads the null and deflate codecs`);
      }
    } catch (e) {
      closeSync(this.fd);
      if (e instanceof AvroFileError) throw e;
      throw new AvroFileError(`${path} is not a readable Avro container file: ${(e as Error).message}`);
    }
  }

  private read(pos: number, len: number): Buffer {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }

  /** Where reading would go on from (to save, and to pass to `seek` after a restart). */
  position(): ContainerPosition {
    return this.index < this.records.length ? { block: this.blockStart, record: this.index } : { block: this.nextBlock, record: 0 };
  }

  seek(pos: ContainerPosition): void {
    this.records = [];
    this.index = 0;
    this.nextBlock = Math.max(pos.block, this.firstBlock);
    if (pos.record > 0) {
      this.loadBlock();
      this.index = Math.min(pos.record, this.records.length);
    }
  }

  private loadBlock(): boolean {
    if (this.nextBlock >= this.size) return false;
    const start = this.nextBlock;
    const head = this.read(start, 20);
    let count: number;
    let size: number;
    let p: number;
    try {
      [count, p] = readLong(head, 0);
      [size, p] = readLong(head, p);
    } catch {
      throw new AvroFileError(`${this.path}: truncated block header at offset ${start}`);
    }
    const data = this.read(start + p, size + 16);
    if (data.length < size + 16 || !data.subarray(size).equals(this.sync)) {
      throw new AvroFileError(`${this.path}: the block at offset ${start} is truncated or its sync marker does not match`);
    }
    let raw = data.subarray(0, size);
    if (this.codec === 'deflate') raw = inflateRawSync(raw);
    const records: Buffer[] = new Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const r = this.type.decode(raw, at);
      if (r.offset < 0) throw new AvroFileError(`${this.path}: record ${i} of the block at offset ${start} does not decode with the file's schema`);
      records[i] = Buffer.from(raw.subarray(at, r.offset));
      at = r.offset;
    }
    this.records = records;
    this.blockStart = start;
    this.nextBlock = start + p + size + 16;
    this.index = 0;
    return true;
  }

  hasMore(): boolean {
    return this.index < this.records.length || this.nextBlock < this.size;
  }

  /** The binary encodings of up to `max` next records (fewer at the end of the file). */
  next(max: number): Buffer[] {
    const out: Buffer[] = [];
    while (out.length < max) {
      if (this.index >= this.records.length && !this.loadBlock()) break;
      while (this.index < this.records.length && out.length < max) out.push(this.records[this.index++]!);
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

// ---- schema hash and literal, as Flume's AvroEventDeserializer sets them -----------------------

const EMPTY = 0xc15d213aa4d7a795n;
const MASK = (1n << 64n) - 1n;
let table: bigint[] | undefined;

/** The CRC-64-AVRO (Rabin) fingerprint of `text`, as 16 hex digits of its little-endian bytes. */
export function crc64AvroHex(text: string): string {
  if (!table) {
    table = [];
    for (let i = 0; i < 256; i++) {
      let fp = BigInt(i);
      for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
      table.push(fp);
    }
  }
  let fp = EMPTY;
  for (const b of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ table[Number((fp ^ BigInt(b)) & 0xffn)]!;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp & MASK);
  return out.toString('hex');
}

/** The Parsing Canonical Form of a schema (the Avro specification's rules). */
export function canonicalForm(schema: unknown, ns = ''): string {
  const full = (name: string, space: string | undefined) => (name.includes('.') ? name : space ? `${space}.${name}` : name);
  const walk = (s: unknown, space: string): string => {
    if (typeof s === 'string') {
      const prim = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'];
      return JSON.stringify(prim.includes(s) ? s : full(s, space));
    }
    if (Array.isArray(s)) return `[${s.map((x) => walk(x, space)).join(',')}]`;
    const o = s as Record<string, unknown>;
    const type = o.type as string;
    if (typeof o.type !== 'string') return walk(o.type, space);
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const name = full(o.name as string, (o.namespace as string | undefined) ?? space);
      const inner = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
      const parts = [`"name":${JSON.stringify(name)}`, `"type":${JSON.stringify(type === 'error' ? 'record' : type)}`];
      if (type === 'enum') parts.push(`"symbols":${JSON.stringify(o.symbols)}`);
      if (type === 'fixed') parts.push(`"size":${JSON.stringify(o.size)}`);
      if (type === 'record' || type === 'error') {
        const fields = (o.fields as Record<string, unknown>[]).map((f) => `{"name":${JSON.stringify(f.name)},"type":${walk(f.type, inner)}}`);
        parts.push(`"fields":[${fields.join(',')}]`);
      }
      return `{${parts.join(',')}}`;
    }
    if (type === 'array') return `{"type":"array","items":${walk(o.items, space)}}`;
    if (type === 'map') return `{"type":"map","values":${walk(o.values, space)}}`;
    return walk(type, space);
  };
  return walk(schema, ns);
}

/**
 * Java's Schema.toString() of a schema: compact JSON, attributes in Avro-Java's order, a
 * namespace written only where it differs from the enclosing one, each named type written once.
 */
export function javaSchemaString(schema: unknown): string {
  const seen = new Set<string>();
  const walk = (s: unknown, space: string): string => {
    if (typeof s === 'string') return JSON.stringify(s);
    if (Array.isArray(s)) return `[${s.map((x) => walk(x, space)).join(',')}]`;
    const o = s as Record<string, unknown>;
    if (typeof o.type !== 'string') return walk(o.type, space);
    const type = o.type;
    const extra = (skip: string[]) =>
      Object.keys(o)
        .filter((k) => !skip.includes(k))
        .map((k) => `,${JSON.stringify(k)}:${JSON.stringify(o[k])}`)
        .join('');
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const rawName = o.name as string;
      const dot = rawName.lastIndexOf('.');
      const nsOf = dot >= 0 ? rawName.slice(0, dot) : ((o.namespace as string | undefined) ?? space);
      const name = dot >= 0 ? rawName.slice(dot + 1) : rawName;
      const fullName = nsOf ? `${nsOf}.${name}` : name;
      if (seen.has(fullName)) return JSON.stringify(nsOf === space ? name : fullName);
      seen.add(fullName);
      let out = `{"type":${JSON.stringify(type)},"name":${JSON.stringify(name)}`;
      if (nsOf !== space) out += `,"namespace":${JSON.stringify(nsOf)}`;
      if (o.doc !== undefined) out += `,"doc":${JSON.stringify(o.doc)}`;
      if (type === 'enum') out += `,"symbols":${JSON.stringify(o.symbols)}`;
      if (type === 'fixed') out += `,"size":${JSON.stringify(o.size)}`;
      if (type === 'record' || type === 'error') {
        const fields = (o.fields as Record<string, unknown>[]).map((f) => {
          let fo = `{"name":${JSON.stringify(f.name)},"type":${walk(f.type, nsOf)}`;
          if (f.doc !== undefined) fo += `,"doc":${JSON.stringify(f.doc)}`;
          if (f.default !== undefined) fo += `,"default":${JSON.stringify(f.default)}`;
          if (f.order !== undefined && f.order !== 'ascending') fo += `,"order":${JSON.stringify(f.order)}`;
          if (Array.isArray(f.aliases) && f.aliases.length > 0) fo += `,"aliases":${JSON.stringify(f.aliases)}`;
          return `${fo}}`;
        });
        out += `,"fields":[${fields.join(',')}]`;
      }
      if (Array.isArray(o.aliases) && o.aliases.length > 0) out += `,"aliases":${JSON.stringify(o.aliases)}`;
      return `${out}${extra(['type', 'name', 'namespace', 'doc', 'symbols', 'size', 'fields', 'aliases', 'default'])}}`;
    }
    if (type === 'array') return `{"type":"array","items":${walk(o.items, space)}${extra(['type', 'items'])}}`;
    if (type === 'map') return `{"type":"map","values":${walk(o.values, space)}${extra(['type', 'values'])}}`;
    const rest = extra(['type']);
    return rest ? `{"type":${JSON.stringify(type)}${rest}}` : JSON.stringify(type);
  };
  return walk(schema, '');
}

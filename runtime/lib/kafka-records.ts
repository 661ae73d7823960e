// Kafka's record batch (magic 2), written the way Java's producer writes an uncompressed,
// non-transactional batch: one buffer per partition, sized exactly before it is written, with
// the batch CRC (CRC-32C) over everything from the attributes on. Also Java's murmur2, which
// picks a keyed record's partition, so that a key lands where a Java producer would put it.

/** A record to write: value bytes, an optional key, headers (name, value) and timestamp (ms). */
export interface OutRecord {
  key?: Buffer;
  value: Buffer;
  headers?: readonly (readonly [Buffer, Buffer])[];
  timestamp?: number;
}

// Offsets inside a batch's header (Kafka's DefaultRecordBatch layout).
const LENGTH_OFFSET = 8;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const HEADER_SIZE = 61;

function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

function varintSize(n: number): number {
  const u = zigzag32(n);
  return u < 0x80 ? 1 : u < 0x4000 ? 2 : u < 0x200000 ? 3 : u < 0x10000000 ? 4 : 5;
}

/** Zigzag of a 64-bit value held exactly in a double (|n| < 2^52): what Java's writeVarlong encodes. */
function zigzag64(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function varlongSize(n: number): number {
  let u = zigzag64(n);
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  let u = zigzag32(n);
  while (u >= 0x80) {
    buf[at++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[at++] = u;
  return at;
}

function writeVarlong(buf: Buffer, at: number, n: number): number {
  let u = zigzag64(n);
  while (u >= 0x80) {
    buf[at++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[at++] = u;
  return at;
}

function bytesSize(b: Buffer | undefined): number {
  return b === undefined ? 1 : varintSize(b.length) + b.length;
}

function writeBytes(buf: Buffer, at: number, b: Buffer | undefined): number {
  if (b === undefined) return writeVarint(buf, at, -1);
  at = writeVarint(buf, at, b.length);
  b.copy(buf, at);
  return at + b.length;
}

/** Bytes of a record after its length prefix. */
function recordBodySize(r: OutRecord, timestampDelta: number, offsetDelta: number): number {
  let size = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta) + bytesSize(r.key) + bytesSize(r.value);
  const headers = r.headers ?? [];
  size += varintSize(headers.length);
  for (const [name, value] of headers) size += bytesSize(name) + bytesSize(value);
  return size;
}

/**
 * One record batch holding `records` in order, for a producer without idempotence (producer id,
 * epoch and base sequence -1, as Java's). Records without a timestamp get `now`.
 */
export function encodeRecordBatch(records: readonly OutRecord[], now: number): Buffer {
  const count = records.length;
  if (count === 0) throw new RangeError('a record batch needs at least one record');
  const base = records[0]!.timestamp ?? now;
  let max = base;
  const bodySizes = new Array<number>(count);
  let size = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const ts = r.timestamp ?? now;
    if (ts > max) max = ts;
    const body = recordBodySize(r, ts - base, i);
    bodySizes[i] = body;
    size += varintSize(body) + body;
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeBigInt64BE(0n, 0); // base offset: the broker assigns offsets
  buf.writeInt32BE(size - LENGTH_OFFSET - 4, LENGTH_OFFSET);
  buf.writeInt32BE(-1, 12); // partition leader epoch
  buf.writeInt8(2, 16); // magic
  buf.writeInt16BE(0, ATTRIBUTES_OFFSET); // no compression, create time, not transactional
  buf.writeInt32BE(count - 1, 23); // last offset delta
  buf.writeBigInt64BE(BigInt(base), 27);
  buf.writeBigInt64BE(BigInt(max), 35);
  buf.writeBigInt64BE(-1n, 43); // producer id
  buf.writeInt16BE(-1, 51); // producer epoch
  buf.writeInt32BE(-1, 53); // base sequence
  buf.writeInt32BE(count, 57);
  let at = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    at = writeVarint(buf, at, bodySizes[i]!);
    buf[at++] = 0; // record attributes
    at = writeVarlong(buf, at, (r.timestamp ?? now) - base);
    at = writeVarint(buf, at, i);
    at = writeBytes(buf, at, r.key);
    at = writeBytes(buf, at, r.value);
    const headers = r.headers ?? [];
    at = writeVarint(buf, at, headers.length);
    for (const [name, value] of headers) {
      at = writeBytes(buf, at, name);
      at = writeBytes(buf, at, value);
    }
  }
  buf.writeUInt32BE(crc32c(buf, ATTRIBUTES_OFFSET, size), CRC_OFFSET);
  return buf;
}

/** Eight tables of CRC-32C (Castagnoli, reflected 0x82F63B78) for slicing by 8 bytes, in one array. */
const CRC_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();
// Each table as a module constant: unpacking them per call cost as much as the bytes of a 512-byte
// HDFS chunk (this runs once per chunk there).
const T0 = CRC_TABLES.subarray(0, 256);
const T1 = CRC_TABLES.subarray(256, 512);
const T2 = CRC_TABLES.subarray(512, 768);
const T3 = CRC_TABLES.subarray(768, 1024);
const T4 = CRC_TABLES.subarray(1024, 1280);
const T5 = CRC_TABLES.subarray(1280, 1536);
const T6 = CRC_TABLES.subarray(1536, 1792);
const T7 = CRC_TABLES.subarray(1792, 2048);

/** CRC-32C of buf[start, end). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc = T7[a & 0xff]! ^ T6[(a >>> 8) & 0xff]! ^ T5[(a >>> 16) & 0xff]! ^ T4[a >>> 24]! ^ T3[buf[i + 4]!]! ^ T2[buf[i + 5]!]! ^ T1[buf[i + 6]!]! ^ T0[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = T0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** Java's Utils.murmur2 (seed 0x9747b28c), as a signed 32-bit int. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Java's default partitioner gives a keyed record: toPositive(murmur2(key)) % partitions. */
export function keyedPartition(key: Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

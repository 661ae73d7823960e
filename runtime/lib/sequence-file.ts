// Hadoop SequenceFiles as Flume's hdfs sink writes them (hdfs.fileType = SequenceFile), readable
// by Hadoop's own SequenceFile.Reader (checked in test/hdfs-sequence-file.test.ts).
//
// Layout (SequenceFile version 6, uncompressed, as Hadoop 2.10/3.x write it):
//   header: 'SEQ' 6, key class name and value class name (Text.writeString: vint length +
//           UTF-8), compressed = false, blockCompressed = false (one byte each), metadata
//           (int count, then Text name/value pairs), the file's 16-byte sync marker;
//   record: int record length (key + value bytes), int key length, key bytes, value bytes;
//   sync:   int -1 then the marker: before a record once 2000 bytes (SYNC_INTERVAL) have
//           passed since the last one, and at every sync() that follows new records (Flume
//           syncs the writer at the end of each batch, before hflush).
//
// Flume's serializers (HDFSWritableSerializer for hdfs.writeFormat = Writable, the default;
// HDFSTextSerializer for Text) write one record per event: the key a LongWritable holding the
// `timestamp` header (Long.valueOf, so a malformed one fails the event) or the clock when
// there is none; the value the body as a BytesWritable (int length + bytes) or a Text (vint
// length + the body's bytes, untouched).
//
// With a codec (Flume's hdfs.codeC on a SequenceFile) Flume writes BLOCK compression: records
// are buffered until the keys and values pass 1,000,000 bytes (io.seqfile.compress.blocksize)
// or until sync(); a block is the sync marker, a vint record count, then four buffers, each a
// vint length and that buffer compressed on its own: the keys' vint lengths, the keys, the
// values' vint lengths, the values. The header names the codec class. Codecs written here:
// DefaultCodec and DeflateCodec (zlib streams) and GzipCodec (gzip members).
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';

export const LONG_WRITABLE = 'org.apache.hadoop.io.LongWritable';
export const BYTES_WRITABLE = 'org.apache.hadoop.io.BytesWritable';
export const TEXT = 'org.apache.hadoop.io.Text';

/** Hadoop's SequenceFile.SYNC_INTERVAL (Hadoop 2.10, which Flume 1.11 ships with). */
export const SYNC_INTERVAL = 2000;
const SYNC_ESCAPE = -1;
const SYNC_HASH_SIZE = 16;

export type SequenceWriteFormat = 'Writable' | 'Text';

/** Hadoop codecs a block-compressed SequenceFile is written with, by Flume's hdfs.codeC name. */
export const SEQUENCE_CODECS = {
  default: { className: 'org.apache.hadoop.io.compress.DefaultCodec', compress: (b: Buffer) => deflateSync(b) },
  deflate: { className: 'org.apache.hadoop.io.compress.DeflateCodec', compress: (b: Buffer) => deflateSync(b) },
  gzip: { className: 'org.apache.hadoop.io.compress.GzipCodec', compress: (b: Buffer) => gzipSync(b) },
} as const;
export type SequenceCodec = keyof typeof SEQUENCE_CODECS;

/** io.seqfile.compress.blocksize: buffered key and value bytes that end a compressed block. */
export const COMPRESSION_BLOCK_SIZE = 1_000_000;

export interface SequenceFileOptions {
  keyClass?: string;
  valueClass?: string;
  /** Written into the header's metadata, in this order. */
  metadata?: ReadonlyArray<readonly [string, string]>;
  /** The file's sync marker (16 bytes); random by default, as Hadoop's (an MD5 of a UID and the time). */
  syncMarker?: Buffer;
  /** Block compression with this codec (what Flume writes when hdfs.codeC is set); none by default. */
  codec?: SequenceCodec | undefined;
}

/**
 * Writes one SequenceFile as a sequence of byte chunks: header() first, then records; the
 * writer counts the bytes so that sync markers fall where Hadoop puts them. The caller sends
 * the chunks to the file in order.
 */
export class SequenceFileWriter {
  readonly syncMarker: Buffer;
  private pos = 0;
  private lastSyncPos = 0;
  private started = false;

  constructor(private readonly options: SequenceFileOptions = {}) {
    this.syncMarker = options.syncMarker ?? createHash('md5').update(randomBytes(16)).update(String(Date.now())).digest();
    if (this.syncMarker.length !== SYNC_HASH_SIZE) throw new Error(`a SequenceFile sync marker is ${SYNC_HASH_SIZE} bytes, not ${this.syncMarker.length}`);
  }

  /** Bytes written so far (the file's length once they are all written). */
  get position(): number {
    return this.pos;
  }

  /** The file header; must be the first chunk of the file. */
  header(): Buffer {
    if (this.started) throw new Error('SequenceFile header written twice');
    this.started = true;
    const parts: Buffer[] = [
      Buffer.from([0x53, 0x45, 0x51, 6]),
      textBytes(this.options.keyClass ?? LONG_WRITABLE),
      textBytes(this.options.valueClass ?? BYTES_WRITABLE),
      ...(this.options.codec ? [Buffer.from([1, 1]), textBytes(SEQUENCE_CODECS[this.options.codec].className)] : [Buffer.from([0, 0])]),
      int32((this.options.metadata ?? []).length),
      ...(this.options.metadata ?? []).flatMap(([k, v]) => [textBytes(k), textBytes(v)]),
      this.syncMarker,
    ];
    const out = Buffer.concat(parts);
    this.pos += out.length;
    return out;
  }

  /**
   * One record: serialized key and value (e.g. longWritable(ts), bytesWritable(body)). With a
   * codec the record is buffered, and the chunks of a whole block come out once it is full.
   */
  append(key: Buffer, value: Buffer): Buffer[] {
    if (!this.started) throw new Error('SequenceFile record before the header');
    if (this.options.codec) {
      const b = this.block;
      b.keyLengths.push(vint(key.length));
      b.keys.push(key);
      b.valueLengths.push(vint(value.length));
      b.values.push(value);
      b.count++;
      b.bytes += key.length + value.length;
      return b.bytes >= COMPRESSION_BLOCK_SIZE ? this.sync() : [];
    }
    const out: Buffer[] = [];
    if (this.pos >= this.lastSyncPos + SYNC_INTERVAL) out.push(this.syncBytes());
    const lengths = Buffer.allocUnsafe(8);
    lengths.writeInt32BE(key.length + value.length, 0);
    lengths.writeInt32BE(key.length, 4);
    out.push(lengths, key, value);
    this.pos += 8 + key.length + value.length;
    return out;
  }

  /**
   * A sync marker unless one was just written (what Flume does at the end of each batch); with a
   * codec, the buffered records as one block (nothing when none are buffered).
   */
  sync(): Buffer[] {
    if (this.options.codec) return this.flushBlock();
    if (this.lastSyncPos === this.pos) return [];
    return [this.syncBytes()];
  }

  /** What closing the file adds: the last block of a compressed file, nothing otherwise. */
  close(): Buffer[] {
    return this.options.codec ? this.flushBlock() : [];
  }

  private block = { count: 0, bytes: 0, keyLengths: [] as Buffer[], keys: [] as Buffer[], valueLengths: [] as Buffer[], values: [] as Buffer[] };

  private flushBlock(): Buffer[] {
    const b = this.block;
    if (b.count === 0) return [];
    const compress = SEQUENCE_CODECS[this.options.codec!].compress;
    const out: Buffer[] = [];
    if (this.lastSyncPos !== this.pos) out.push(this.syncBytes());
    const count = vint(b.count);
    out.push(count);
    this.pos += count.length;
    for (const part of [b.keyLengths, b.keys, b.valueLengths, b.values]) {
      const compressed = compress(Buffer.concat(part));
      const length = vint(compressed.length);
      out.push(length, compressed);
      this.pos += length.length + compressed.length;
    }
    this.block = { count: 0, bytes: 0, keyLengths: [], keys: [], valueLengths: [], values: [] };
    return out;
  }

  private syncBytes(): Buffer {
    const b = Buffer.allocUnsafe(4 + SYNC_HASH_SIZE);
    b.writeInt32BE(SYNC_ESCAPE, 0);
    this.syncMarker.copy(b, 4);
    this.pos += b.length;
    this.lastSyncPos = this.pos;
    return b;
  }
}

/** Flume's record for one event: LongWritable key and BytesWritable or Text value. */
export class FlumeSequenceFile {
  private readonly writer: SequenceFileWriter;

  constructor(
    readonly writeFormat: SequenceWriteFormat = 'Writable',
    options: Omit<SequenceFileOptions, 'keyClass' | 'valueClass'> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.writer = new SequenceFileWriter({ ...options, keyClass: LONG_WRITABLE, valueClass: writeFormat === 'Text' ? TEXT : BYTES_WRITABLE });
  }

  get position(): number {
    return this.writer.position;
  }

  get syncMarker(): Buffer {
    return this.writer.syncMarker;
  }

  header(): Buffer {
    return this.writer.header();
  }

  /** Throws SequenceKeyError for a `timestamp` header that Long.valueOf refuses (Flume fails that event too). */
  append(event: { headers: Record<string, string>; body: Buffer }): Buffer[] {
    const key = longWritable(eventKey(event.headers, this.now));
    const value = this.writeFormat === 'Text' ? textWritable(event.body) : bytesWritable(event.body);
    return this.writer.append(key, value);
  }

  sync(): Buffer[] {
    return this.writer.sync();
  }

  /** The last chunks before the file is closed (a compressed file's last block). */
  close(): Buffer[] {
    return this.writer.close();
  }
}

export class SequenceKeyError extends Error {
  override name = 'SequenceKeyError';
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The record key Flume writes: the `timestamp` header as Java's Long.valueOf reads it, else the clock. */
export function eventKey(headers: Record<string, string>, now: () => number = Date.now): bigint {
  const text = headers['timestamp'];
  if (text === undefined) return BigInt(now());
  if (!/^[+-]?\d+$/.test(text) || BigInt(text) < LONG_MIN || BigInt(text) > LONG_MAX) {
    throw new SequenceKeyError(`the event's 'timestamp' header '${text}' is not a Java long, which the SequenceFile key needs`);
  }
  return BigInt(text);
}

/** LongWritable: 8 bytes, big-endian, signed. */
export function longWritable(value: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(value);
  return b;
}

/** BytesWritable: int length, then the bytes. */
export function bytesWritable(bytes: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + bytes.length);
  b.writeInt32BE(bytes.length, 0);
  bytes.copy(b, 4);
  return b;
}

/** Text: vint length, then the bytes (Flume hands the body over as they are). */
export function textWritable(bytes: Buffer): Buffer {
  return Buffer.concat([vint(bytes.length), bytes]);
}

function textBytes(s: string): Buffer {
  return textWritable(Buffer.from(s, 'utf8'));
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** Hadoop's WritableUtils.writeVLong (writeVInt is the same encoding). */
export function vint(value: number | bigint): Buffer {
  // The common case (a length): a non-negative 32-bit int, without BigInt.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) {
    if (value <= 127) return Buffer.from([value]);
    const n = value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
    const b = Buffer.allocUnsafe(1 + n);
    b[0] = (-112 - n) & 0xff;
    b.writeUIntBE(value, 1, n);
    return b;
  }
  let i = BigInt(value);
  if (i >= -112n && i <= 127n) return Buffer.from([Number(BigInt.asUintN(8, i))]);
  let len = -112;
  if (i < 0n) {
    i = ~i; // i ^ -1
    len = -120;
  }
  for (let tmp = i; tmp !== 0n; tmp >>= 8n) len--;
  const bytes = [len & 0xff];
  const n = len < -120 ? -(len + 120) : -(len + 112);
  for (let idx = n; idx !== 0; idx--) bytes.push(Number((i >> BigInt((idx - 1) * 8)) & 0xffn));
  return Buffer.from(bytes);
}

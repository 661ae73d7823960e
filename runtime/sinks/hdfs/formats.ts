// What the hdfs sink writes into a file: hdfs.fileType (DataStream, CompressedStream through
// hdfs.codeC) around an event serializer (`serializer`: text, header_and_text, avro_event), or
// a SequenceFile of (timestamp, body) records (runtime/lib/sequence-file.ts).
// Each batch becomes a unit that stands on its own once appended — plain bytes, a whole gzip
// member (Flume's compressed stream also finishes its member at every sync, so its files are
// concatenated members too), an Avro block with its sync marker, SequenceFile records ending
// in a sync marker — so the file is readable up
// to the last batch that was committed, even after a crash.
import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import avro from 'avsc';
import { ConfigError, paramBool, paramNumber, paramString, type Params } from '../../core/config.js';
import { javaMapText, type Event } from '../../core/event.js';
import { BatchBuffer } from '../../lib/batch-buffer.js';
import { javaSchemaString } from '../../lib/avro-container.js';
import { FlumeSequenceFile, type SequenceCodec } from '../../lib/sequence-file.js';
import type { ChunkedBytes } from './fs.js';

export interface FileEncoder {
  /** Bytes at the start of every file (an Avro header), possibly none. */
  start(): Buffer;
  /** The bytes of a run of events, complete on their own. Valid until the next call. */
  encode(events: readonly Event[]): Buffer;
  /**
   * The same bytes, made a chunk of about CHUNK_BYTES at a time as they are sent (for uploads:
   * no buffer of the whole run). Only where the length is known before encoding (text).
   */
  encodeChunks?(events: readonly Event[]): ChunkedBytes;
  /** Bytes that end a file, written before it is closed (none for every format today: each batch completes its own). */
  end?(): Buffer;
}

export interface FileFormat {
  /** The codec's default extension (`.gz`), added to file names when hdfs.fileSuffix is empty. */
  readonly codecExtension: string;
  newFile(): FileEncoder;
}

/** Flume's record schema for avro_event (FlumeEventAvroEventSerializer). */
export const FLUME_EVENT_SCHEMA = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'headers', type: { type: 'map', values: 'string' } },
    { name: 'body', type: 'bytes' },
  ],
} as const;

const SERIALIZER_CLASSES: Record<string, string> = {
  'org.apache.flume.serialization.BodyTextEventSerializer$Builder': 'TEXT',
  'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder': 'HEADER_AND_TEXT',
  'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder': 'AVRO_EVENT',
};

type SerializerMaker = () => FileEncoder;

/** Size of the pieces encodeChunks makes. */
const CHUNK_BYTES = 1024 * 1024;

/** The text serializer's bytes (bodies, each with a newline if asked) as chunks of about CHUNK_BYTES. */
function textChunks(events: readonly Event[], newline: boolean): ChunkedBytes {
  const extra = newline ? 1 : 0;
  let length = newline ? events.length : 0;
  for (const e of events) length += e.body.length;
  return {
    length,
    *chunks() {
      let i = 0;
      while (i < events.length) {
        let end = i;
        let size = 0;
        while (end < events.length && size < CHUNK_BYTES) size += events[end++]!.body.length + extra;
        // A new buffer for each chunk: the request may hold one until the socket has sent it.
        const buf = Buffer.allocUnsafe(size);
        let at = 0;
        for (; i < end; i++) {
          const body = events[i]!.body;
          buf.set(body, at);
          at += body.length;
          if (newline) buf[at++] = 0x0a;
        }
        yield buf;
      }
    },
  };
}

function serializerOf(p: Params, sink: string): SerializerMaker {
  const raw = paramString(p, 'serializer') ?? 'TEXT';
  const kind = SERIALIZER_CLASSES[raw] ?? raw.toUpperCase();
  const appendNewline = paramBool(p, 'serializer.appendNewline') ?? true;
  const out = new BatchBuffer();
  switch (kind) {
    case 'TEXT':
      return () => ({
        start: () => Buffer.alloc(0),
        encode(events) {
          out.reset();
          let size = appendNewline ? events.length : 0;
          for (const e of events) size += e.body.length;
          out.reserve(size);
          const buf = out.buf;
          let at = 0;
          for (const e of events) {
            buf.set(e.body, at);
            at += e.body.length;
            if (appendNewline) buf[at++] = 0x0a;
          }
          out.len = at;
          return out.view();
        },
        encodeChunks: (events) => textChunks(events, appendNewline),
      });
    case 'HEADER_AND_TEXT':
      return () => ({
        start: () => Buffer.alloc(0),
        encode(events) {
          out.reset();
          for (const e of events) {
            out.text(`${javaMapText(e.headers)} `);
            out.bytes(e.body);
            if (appendNewline) out.newline();
          }
          return out.view();
        },
      });
    case 'AVRO_EVENT':
      return avroEventSerializer(p, sink, out);
    default:
      throw new ConfigError(
        `sink \`${sink}\`: the flowc runtime has no event serializer \`${raw}\`; use text, header_and_text or avro_event, or build this agent for Apache Flume (flowc build --target properties)`,
      );
  }
}

const AVRO_MAGIC = Buffer.from('Obj\x01', 'latin1');

function avroEventSerializer(p: Params, sink: string, out: BatchBuffer): SerializerMaker {
  const syncInterval = paramNumber(p, 'serializer.syncIntervalBytes') ?? 2048000;
  const codec = (paramString(p, 'serializer.compressionCodec') ?? 'null').toLowerCase();
  if (codec !== 'null' && codec !== 'deflate') {
    throw new ConfigError(
      `sink \`${sink}\`: serializer.compressionCodec \`${codec}\` is not one the flowc runtime writes; use null or deflate`,
    );
  }
  const type = avro.Type.forSchema(FLUME_EVENT_SCHEMA as unknown as avro.Schema);
  const schemaText = javaSchemaString(FLUME_EVENT_SCHEMA);
  const records = new BatchBuffer();
  return () => {
    const sync = randomBytes(16);
    const block = (count: number): void => {
      const data = codec === 'deflate' ? deflateRawSync(records.view()) : records.view();
      out.long(count);
      out.long(data.length);
      out.bytes(data);
      out.bytes(sync);
      records.reset();
    };
    return {
      start() {
        const h = new BatchBuffer();
        h.bytes(AVRO_MAGIC);
        h.long(2);
        for (const [k, v] of [
          ['avro.codec', codec],
          ['avro.schema', schemaText],
        ] as const) {
          const key = Buffer.from(k);
          const value = Buffer.from(v);
          h.long(key.length);
          h.bytes(key);
          h.long(value.length);
          h.bytes(value);
        }
        h.long(0);
        h.bytes(sync);
        return Buffer.from(h.view());
      },
      encode(events) {
        out.reset();
        records.reset();
        let count = 0;
        for (const e of events) {
          records.bytes(type.toBuffer({ headers: e.headers, body: e.body }));
          count++;
          if (records.len >= syncInterval) {
            block(count);
            count = 0;
          }
        }
        if (count > 0) block(count);
        return out.view();
      },
    };
  };
}

/**
 * The codecs the runtime writes (hdfs.codeC by Flume's short name or Hadoop's class name), with
 * Hadoop's default extension and how one batch's bytes are compressed for CompressedStream:
 * a gzip member, or a zlib stream (Hadoop's decompressor streams read them concatenated).
 */
const CODECS: Record<string, { name: SequenceCodec; extension: string; stream: (b: Buffer) => Buffer }> = {
  gzip: { name: 'gzip', extension: '.gz', stream: (b) => gzipSync(b) },
  default: { name: 'default', extension: '.deflate', stream: (b) => deflateSync(b) },
  deflate: { name: 'deflate', extension: '.deflate', stream: (b) => deflateSync(b) },
};
const CODEC_CLASSES: Record<string, string> = {
  'org.apache.hadoop.io.compress.gzipcodec': 'gzip',
  'org.apache.hadoop.io.compress.defaultcodec': 'default',
  'org.apache.hadoop.io.compress.deflatecodec': 'deflate',
};

function codecOf(codeC: string, sink: string): (typeof CODECS)[string] {
  const key = codeC.toLowerCase();
  const codec = CODECS[CODEC_CLASSES[key] ?? key];
  if (codec) return codec;
  const why = key === 'bzip2' || key.endsWith('bzip2codec') ? 'no well-kept JavaScript library compresses bzip2' : `the flowc runtime does not write the \`${codeC}\` codec`;
  throw new ConfigError(
    `sink \`${sink}\`: hdfs.codeC \`${codeC}\`: ${why}; use gzip, deflate or default, or build this agent for Apache Flume (flowc build --target properties)`,
  );
}

/** hdfs.fileType with hdfs.codeC around the serializer; refuses what the runtime cannot write. */
export function fileFormatOf(p: Params, sink: string, now: () => number = Date.now): FileFormat {
  const fileType = paramString(p, 'hdfs.fileType') ?? 'SequenceFile';
  const codeC = paramString(p, 'hdfs.codeC');
  const t = fileType.toLowerCase();
  if (t === 'sequencefile') return sequenceFileFormat(p, sink, codeC, now);
  const serializer = serializerOf(p, sink);
  if (t === 'datastream') {
    // Flume refuses the pair at configure(), so that no file gets a codec's extension uncompressed.
    if (codeC !== undefined) {
      throw new ConfigError(`sink \`${sink}\`: hdfs.fileType DataStream writes uncompressed, so hdfs.codeC (\`${codeC}\`) is refused, as Flume does; use hdfs.fileType = "CompressedStream" to compress`);
    }
    return { codecExtension: '', newFile: serializer };
  }
  if (t !== 'compressedstream') throw new ConfigError(`sink \`${sink}\`: unknown hdfs.fileType \`${fileType}\`; use DataStream or CompressedStream`);
  if (codeC === undefined) throw new ConfigError(`sink \`${sink}\`: hdfs.fileType CompressedStream needs hdfs.codeC, as in Flume: gzip, deflate or default`);
  const codec = codecOf(codeC, sink);
  return {
    codecExtension: codec.extension,
    newFile() {
      const inner = serializer();
      let head: Buffer | undefined;
      return {
        start() {
          // Held back and compressed with the first batch: a file is only opened for an event.
          head = inner.start();
          return Buffer.alloc(0);
        },
        encode(events) {
          const body = inner.encode(events);
          const bytes = head && head.length > 0 ? Buffer.concat([head, body]) : body;
          head = undefined;
          return codec.stream(bytes);
        },
      };
    },
  };
}

/**
 * hdfs.fileType = SequenceFile: Flume's (LongWritable timestamp, BytesWritable or Text body)
 * records; with hdfs.codeC, block-compressed as Flume writes them (a block per batch).
 */
function sequenceFileFormat(p: Params, sink: string, codeC: string | undefined, now: () => number): FileFormat {
  const codec = codeC === undefined ? undefined : codecOf(codeC, sink);
  const writeFormat = paramString(p, 'hdfs.writeFormat') ?? 'Writable';
  if (writeFormat !== 'Writable' && writeFormat !== 'Text') {
    throw new ConfigError(`sink \`${sink}\`: hdfs.writeFormat \`${writeFormat}\` is not one the flowc runtime writes; use Writable or Text`);
  }
  return {
    codecExtension: codec?.extension ?? '',
    newFile() {
      const file = new FlumeSequenceFile(writeFormat, { codec: codec?.name }, now);
      return {
        start: () => file.header(),
        end: () => Buffer.concat(file.close()),
        encode(events) {
          const chunks: Buffer[] = [];
          for (const e of events) for (const c of file.append(e)) chunks.push(c);
          for (const c of file.sync()) chunks.push(c);
          return Buffer.concat(chunks);
        },
      };
    },
  };
}

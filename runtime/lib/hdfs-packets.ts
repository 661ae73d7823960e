// DataTransferProtocol's messages on the write side, as bytes: the WRITE_BLOCK request, the
// packets (a 4-byte payload length counting itself, the checksums and the data; a 2-byte header
// length; a PacketHeaderProto of fixed size: offset in the block, sequence number, last-packet
// flag, data length; a CRC-32C per chunk of bytesPerChecksum bytes; the data) and the pipeline
// acks. The connection that carries them is hdfs-datatransfer.ts.
import { crc32c } from './crc32c.js';
import { ProtoMessage, ProtoWriter, delimited } from './protobuf.js';
import { encodeExtendedBlock, CHECKSUM_CRC32C, type LocatedBlock } from './hdfs-namenode.js';

const DATA_TRANSFER_VERSION = 28;
const OP_WRITE_BLOCK = 80;
const PIPELINE_SETUP_CREATE = 6;
/** A PacketHeaderProto with every field set (syncBlock left out): 4 fixed-width fields and their tags. */
const PACKET_HEADER_LEN = 25;

/**
 * One packet as the datanode reads it; `data` is chunked by `bytesPerChecksum`, each chunk
 * with its CRC-32C. Exported for the framing tests.
 */
export function encodePacket(offsetInBlock: number, seqno: number, lastPacketInBlock: boolean, data: readonly Buffer[], dataLen: number, bytesPerChecksum: number): Buffer {
  const buf = Buffer.allocUnsafe(packetSize(dataLen, bytesPerChecksum));
  writePacket(buf, 0, offsetInBlock, seqno, lastPacketInBlock, data, dataLen, bytesPerChecksum);
  return buf;
}

/** Bytes of a packet carrying dataLen bytes of data. */
export function packetSize(dataLen: number, bytesPerChecksum: number): number {
  return 6 + PACKET_HEADER_LEN + Math.ceil(dataLen / bytesPerChecksum) * 4 + dataLen;
}

/**
 * Writes a packet's length, header and checksums (not its data) into buf at `at`; returns
 * where they end. A chunk split between two pieces is checksummed from a copy of it.
 * Exported for the framing tests.
 */
export function writePacketMeta(
  buf: Buffer,
  at: number,
  offsetInBlock: number,
  seqno: number,
  lastPacketInBlock: boolean,
  data: readonly Buffer[],
  dataLen: number,
  bytesPerChecksum: number,
): number {
  let o = writeHeader(buf, at, offsetInBlock, seqno, lastPacketInBlock, dataLen, bytesPerChecksum);
  let piece = 0;
  let pos = 0; // in data[piece]
  for (let left = dataLen; left > 0;) {
    const n = Math.min(bytesPerChecksum, left);
    const p = data[piece]!;
    if (pos + n <= p.length) {
      buf.writeUInt32BE(crc32c(p, pos, pos + n), o);
      pos += n;
    } else {
      const chunk = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const q = data[piece]!;
        const take = Math.min(n - got, q.length - pos);
        q.copy(chunk, got, pos, pos + take);
        got += take;
        pos += take;
        if (pos === q.length && got < n) {
          piece++;
          pos = 0;
        }
      }
      buf.writeUInt32BE(crc32c(chunk, 0, n), o);
    }
    if (pos === data[piece]?.length) {
      piece++;
      pos = 0;
    }
    o += 4;
    left -= n;
  }
  return o;
}

/** Writes a packet's length and header into buf at `at`; returns where they end. */
function writeHeader(buf: Buffer, at: number, offsetInBlock: number, seqno: number, lastPacketInBlock: boolean, dataLen: number, bytesPerChecksum: number): number {
  const checksumLen = Math.ceil(dataLen / bytesPerChecksum) * 4;
  buf.writeInt32BE(4 + checksumLen + dataLen, at);
  buf.writeUInt16BE(PACKET_HEADER_LEN, at + 4);
  let o = at + 6;
  buf[o++] = 0x09; // offsetInBlock: field 1, sfixed64
  buf.writeBigInt64LE(BigInt(offsetInBlock), o);
  o += 8;
  buf[o++] = 0x11; // seqno: field 2, sfixed64
  buf.writeBigInt64LE(BigInt(seqno), o);
  o += 8;
  buf[o++] = 0x18; // lastPacketInBlock: field 3, bool
  buf[o++] = lastPacketInBlock ? 1 : 0;
  buf[o++] = 0x25; // dataLen: field 4, sfixed32
  buf.writeInt32LE(dataLen, o);
  return o + 4;
}

/** Writes a packet into buf at `at`; returns where it ends. The data is copied in, then checksummed there in one piece. */
export function writePacket(
  buf: Buffer,
  at: number,
  offsetInBlock: number,
  seqno: number,
  lastPacketInBlock: boolean,
  data: readonly Buffer[],
  dataLen: number,
  bytesPerChecksum: number,
): number {
  const dataStart = at + packetSize(dataLen, bytesPerChecksum) - dataLen;
  let d = dataStart;
  for (const piece of data) d += piece.copy(buf, d);
  writePacketMeta(buf, at, offsetInBlock, seqno, lastPacketInBlock, [buf.subarray(dataStart, dataStart + dataLen)], dataLen, bytesPerChecksum);
  return dataStart + dataLen;
}

/** The WRITE_BLOCK request that opens a pipeline for a new block. Exported for the framing tests. */
export function encodeWriteBlock(lb: LocatedBlock, clientName: string, bytesPerChecksum: number): Buffer {
  const token = lb.token.length > 0 ? lb.token : new ProtoWriter().bytes(1, Buffer.alloc(0)).bytes(2, Buffer.alloc(0)).string(3, '').string(4, '').finish();
  const baseHeader = new ProtoWriter().message(1, encodeExtendedBlock(lb.block)).bytes(2, token);
  const op = new ProtoWriter().message(1, new ProtoWriter().message(1, baseHeader).string(2, clientName));
  for (const target of lb.locations.slice(1)) op.bytes(2, target.info);
  op.uint(4, PIPELINE_SETUP_CREATE)
    .uint(5, lb.locations.length)
    .uint(6, 0)
    .uint(7, 0)
    .uint(8, lb.block.generationStamp)
    .message(9, new ProtoWriter().uint(1, CHECKSUM_CRC32C).uint(2, bytesPerChecksum));
  if (lb.storageTypes.length > 0) op.uint(11, lb.storageTypes[0]!);
  for (const t of lb.storageTypes.slice(1)) op.uint(12, t);
  const head = Buffer.alloc(3);
  head.writeUInt16BE(DATA_TRANSFER_VERSION, 0);
  head[2] = OP_WRITE_BLOCK;
  return Buffer.concat([head, delimited(op.finish())]);
}

/** A PipelineAckProto: the packet's sequence number and each datanode's status. */
export function decodeAck(message: Buffer): {
  seqno: number;
  replies: number[];
} {
  const m = new ProtoMessage(message);
  return { seqno: m.sint(1), replies: m.repeatedUint(2) };
}

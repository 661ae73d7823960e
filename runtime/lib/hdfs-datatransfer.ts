// HDFS's DataTransferProtocol, the write side: one block written through a pipeline of
// datanodes, as DFSOutputStream's streamer does on the wire.
//
// The client connects to the first datanode's transfer port and sends the protocol version
// (28, two bytes), the op WRITE_BLOCK (80) and an OpWriteBlockProto (the block, its token, the
// rest of the pipeline as targets, stage PIPELINE_SETUP_CREATE, the checksum it will send); the
// datanode answers a BlockOpResponseProto. Then packets: a 4-byte payload length (itself, the
// checksums and the data), a 2-byte header length, a PacketHeaderProto of fixed size (offset in
// the block, sequence number, last-packet flag, data length), a CRC per chunk of
// bytesPerChecksum bytes, and the data. Every datanode of the pipeline acknowledges each packet
// (PipelineAckProto, one status per datanode) once it holds it and its downstream does: an
// acknowledged packet is visible to readers (hflush). An empty packet flagged last ends the block.
import { connect, type Socket } from 'node:net';
import { crc32c } from './crc32c.js';
import { ProtoMessage, ProtoWriter, delimited, readVarint } from './protobuf.js';
import { encodeExtendedBlock, CHECKSUM_CRC32C, type LocatedBlock } from './hdfs-namenode.js';

const DATA_TRANSFER_VERSION = 28;
const OP_WRITE_BLOCK = 80;
const PIPELINE_SETUP_CREATE = 6;
/** Sequence number of a heartbeat packet (keeps an idle pipeline open). */
const HEARTBEAT_SEQNO = -1;
/** A PacketHeaderProto with every field set (syncBlock left out): 4 fixed-width fields and their tags. */
const PACKET_HEADER_LEN = 25;
/** Bytes the socket may hold unsent before a sender waits for it to drain. */
const SOCKET_BUFFER_LIMIT = 4 * 1024 * 1024;
/** Hadoop's STATUS names (datatransfer.proto), for messages. */
const STATUS_NAMES = ['SUCCESS', 'ERROR', 'ERROR_CHECKSUM', 'ERROR_INVALID', 'ERROR_EXISTS', 'ERROR_ACCESS_TOKEN', 'CHECKSUM_OK', 'ERROR_UNSUPPORTED', 'OOB_RESTART'];

export class DataTransferError extends Error {
  override name = 'DataTransferError';
}

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
function packetSize(dataLen: number, bytesPerChecksum: number): number {
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

/** Writes a packet into buf at `at`; returns where it ends. */
function writePacket(
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
  const dataStart = o + Math.ceil(dataLen / bytesPerChecksum) * 4;
  let d = dataStart;
  for (const piece of data) d += piece.copy(buf, d);
  for (let c = dataStart; c < dataStart + dataLen; c += bytesPerChecksum) {
    buf.writeUInt32BE(crc32c(buf, c, Math.min(c + bytesPerChecksum, dataStart + dataLen)), o);
    o += 4;
  }
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

interface Waiter {
  seqno: number;
  resolve(): void;
  reject(e: Error): void;
}

/** The pipeline of one block being written. */
export class BlockPipeline {
  private seqno = 0;
  private lastAcked = -1;
  private failure: Error | undefined;
  private waiters: Waiter[] = [];
  private input: Buffer = Buffer.alloc(0);
  private lastSend = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly describe: string,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.resume();
    socket.on('error', (e) => this.fail(new DataTransferError(`the connection to datanode ${describe} failed: ${e.message}`)));
    socket.on('close', () => this.fail(new DataTransferError(`datanode ${describe} closed the connection`)));
    // An idle pipeline gets a heartbeat packet, as Hadoop's client sends one, before the
    // datanode's read timeout (60 s by default) ends it.
    this.heartbeat = setInterval(() => {
      if (!this.failure && Date.now() - this.lastSend > 20_000 && this.lastAcked === this.seqno - 1) {
        this.write(encodePacket(0, HEARTBEAT_SEQNO, false, [], 0, 512));
      }
    }, 10_000);
    this.heartbeat.unref();
  }

  /** Connects to the block's first datanode and sets the pipeline up for a new block. */
  static async open(lb: LocatedBlock, clientName: string, bytesPerChecksum: number, timeoutMs: number): Promise<BlockPipeline> {
    const first = lb.locations[0];
    if (!first) throw new DataTransferError(`the namenode gave block ${lb.block.blockId} no datanode to write to (are datanodes running, with space left?)`);
    const where = `${first.ipAddr}:${first.xferPort}`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: first.ipAddr, port: first.xferPort });
      s.setNoDelay(true);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new DataTransferError(`cannot reach datanode ${where}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new DataTransferError(`cannot reach datanode ${where}: ${e.message}`));
      });
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
    });
    try {
      socket.write(encodeWriteBlock(lb, clientName, bytesPerChecksum));
      const answer = new ProtoMessage(await readOneDelimited(socket, timeoutMs, where));
      const status = answer.uint(1);
      if (status !== 0) {
        const bad = answer.string(2);
        const msg = answer.string(5);
        throw new DataTransferError(
          `datanode ${where} refused to write block ${lb.block.blockId}: ${STATUS_NAMES[status] ?? status}${msg ? ` (${msg})` : ''}${bad ? `; first bad link: ${bad}` : ''}`,
        );
      }
    } catch (e) {
      socket.destroy();
      throw e;
    }
    return new BlockPipeline(socket, where, timeoutMs);
  }

  /** Sends one packet; resolves once the socket takes more (backpressure), not at its ack. */
  send(offsetInBlock: number, data: readonly Buffer[], dataLen: number, last: boolean, bytesPerChecksum: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const packet = encodePacket(offsetInBlock, this.seqno++, last, data, dataLen, bytesPerChecksum);
    return this.write(packet) ? Promise.resolve() : this.drained();
  }

  /**
   * Sends data packets in one buffer with one socket write (not one allocation and one system
   * call per 64 KiB packet); resolves at once unless several MiB wait in the socket's buffer.
   */
  sendAll(packets: readonly { offset: number; pieces: readonly Buffer[]; length: number }[], bytesPerChecksum: number, zeroCopy = false): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (zeroCopy) {
      // Headers and checksums of every packet in one buffer; the data goes out from the caller's buffers.
      let size = 0;
      for (const p of packets) size += packetSize(p.length, bytesPerChecksum) - p.length;
      const meta = Buffer.allocUnsafe(size);
      this.lastSend = Date.now();
      this.socket.cork();
      let at = 0;
      for (const p of packets) {
        const end = writePacketMeta(meta, at, p.offset, this.seqno++, false, p.pieces, p.length, bytesPerChecksum);
        this.socket.write(meta.subarray(at, end));
        for (const piece of p.pieces) this.socket.write(piece);
        at = end;
      }
      this.socket.uncork();
      return this.socket.writableLength > SOCKET_BUFFER_LIMIT ? this.drained() : Promise.resolve();
    }
    let size = 0;
    for (const p of packets) size += packetSize(p.length, bytesPerChecksum);
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of packets) at = writePacket(buf, at, p.offset, this.seqno++, false, p.pieces, p.length, bytesPerChecksum);
    this.write(buf);
    return this.socket.writableLength > SOCKET_BUFFER_LIMIT ? this.drained() : Promise.resolve();
  }

  private write(packet: Buffer): boolean {
    this.lastSend = Date.now();
    return this.socket.write(packet);
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.socket.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.socket.off('drain', onDrain);
        reject(this.failure ?? new DataTransferError(`datanode ${this.describe} closed the connection`));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  /** Resolves once every packet sent so far is acknowledged by the whole pipeline. */
  flushed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const seqno = this.seqno - 1;
    if (this.lastAcked >= seqno) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new DataTransferError(`datanode ${this.describe} acknowledged no packet within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiters.push({
        seqno,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.failure ??= new DataTransferError(`the pipeline to datanode ${this.describe} is closed`);
    this.socket.destroy();
    this.rejectAll(this.failure);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    clearInterval(this.heartbeat);
    this.socket.destroy();
    this.rejectAll(e);
  }

  private rejectAll(e: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(e);
  }

  private onData(d: Buffer): void {
    this.input = this.input.length === 0 ? d : Buffer.concat([this.input, d]);
    for (;;) {
      const len = readVarint(this.input, 0);
      if (!len || this.input.length < len.next + len.value) return;
      let ack: { seqno: number; replies: number[] };
      try {
        ack = decodeAck(this.input.subarray(len.next, len.next + len.value));
      } catch (e) {
        this.fail(new DataTransferError(`datanode ${this.describe} sent a malformed acknowledgement: ${(e as Error).message}`));
        return;
      }
      this.input = this.input.subarray(len.next + len.value);
      const bad = ack.replies.findIndex((r) => r !== 0);
      if (bad >= 0) {
        const r = ack.replies[bad]!;
        this.fail(new DataTransferError(`datanode ${bad + 1} of the pipeline from ${this.describe} answered ${STATUS_NAMES[r] ?? r} for packet ${ack.seqno}`));
        return;
      }
      if (ack.seqno === HEARTBEAT_SEQNO) continue;
      this.lastAcked = ack.seqno;
      while (this.waiters.length > 0 && this.waiters[0]!.seqno <= this.lastAcked) this.waiters.shift()!.resolve();
    }
  }
}

/** Reads one varint-delimited message from a socket (the answer to WRITE_BLOCK). */
function readOneDelimited(socket: Socket, timeoutMs: number, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (e: Error | undefined, m?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (e) reject(e);
      else {
        socket.pause();
        resolve(m!);
      }
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const len = readVarint(buf, 0);
      if (!len || buf.length < len.next + len.value) return;
      const rest = buf.subarray(len.next + len.value);
      if (rest.length > 0) socket.unshift(rest);
      done(undefined, buf.subarray(len.next, len.next + len.value));
    };
    const onError = (e: Error) => done(new DataTransferError(`datanode ${where}: ${e.message}`));
    const onClose = () => done(new DataTransferError(`datanode ${where} closed the connection before answering WRITE_BLOCK`));
    const timer = setTimeout(() => done(new DataTransferError(`datanode ${where} did not answer WRITE_BLOCK within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

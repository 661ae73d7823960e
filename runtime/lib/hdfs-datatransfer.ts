// HDFS's DataTransferProtocol, the write side: one block written through a pipeline of
// datanodes, as DFSOutputStream's streamer does on the wire.
//
// The client connects to the first datanode's transfer port and sends the protocol version
// (28, two bytes), the op WRITE_BLOCK (80) and an OpWriteBlockProto (the block, its token, the
// rest of the pipeline as targets, stage PIPELINE_SETUP_CREATE, the checksum it will send); the
// datanode answers a BlockOpResponseProto. Then packets (their bytes: hdfs-packets.ts), each
// with a CRC-32C per chunk of bytesPerChecksum bytes. Every datanode of the pipeline acknowledges each packet
// (PipelineAckProto, one status per datanode) once it holds it and its downstream does: an
// acknowledged packet is visible to readers (hflush). An empty packet flagged last ends the block.
import { connect, type Socket } from 'node:net';
import { ProtoMessage, readVarint } from './protobuf.js';
import type { LocatedBlock } from './hdfs-namenode.js';
import { decodeAck, encodePacket, encodeWriteBlock, packetSize, writePacket, writePacketMeta } from './hdfs-packets.js';

/** Sequence number of a heartbeat packet (keeps an idle pipeline open). */
const HEARTBEAT_SEQNO = -1;
/** Bytes the socket may hold unsent before a sender waits for it to drain. */
const SOCKET_BUFFER_LIMIT = 4 * 1024 * 1024;
/** Hadoop's STATUS names (datatransfer.proto), for messages. */
const STATUS_NAMES = ['SUCCESS', 'ERROR', 'ERROR_CHECKSUM', 'ERROR_INVALID', 'ERROR_EXISTS', 'ERROR_ACCESS_TOKEN', 'CHECKSUM_OK', 'ERROR_UNSUPPORTED', 'OOB_RESTART'];

export class DataTransferError extends Error {
  override name = 'DataTransferError';
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

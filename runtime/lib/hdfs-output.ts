// A file being written to HDFS natively: bytes go out in packets of whole checksum chunks
// (at most `packetBytes` each) through the current block's pipeline; at blockSize the block
// ends (an empty last packet) and the namenode allocates the next one (addBlock, with the
// previous block's final length). hflush sends what is buffered, a partial chunk included, and
// waits until the pipeline acknowledged every packet: readers then see those bytes. A later
// packet starts again at that partial chunk's start and sends it whole, as DFSOutputStream
// does. close ends the block and asks the namenode to complete the file until it agrees.
//
// No pipeline recovery: when a datanode fails, the stream fails (every later call rejects);
// close then asks the namenode to recover the file's lease, which closes it with the bytes the
// datanodes hold. The writer above rolls the transaction back and opens a new file.
import { DataTransferError, BlockPipeline } from './hdfs-datatransfer.js';
import { isRetriable, type ExtendedBlock, type LocatedBlock, type NamenodeClient } from './hdfs-namenode.js';

export interface HdfsOutputOptions {
  namenode: NamenodeClient;
  src: string;
  fileId: number;
  clientName: string;
  blockSize: number;
  bytesPerChecksum: number;
  /** Data bytes per packet: a multiple of bytesPerChecksum. */
  packetBytes: number;
  timeoutMs: number;
  /** Called once the file is closed (or given up): the lease no longer needs renewing. */
  onClosed(): void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `fn` again while HDFS says "not yet" (NotReplicatedYet, Retriable) or `again` says so, backing off up to `timeoutMs`. */
export async function retryNotYet<T>(what: string, timeoutMs: number, fn: () => Promise<T>, again: (v: T) => boolean = () => false): Promise<T> {
  const start = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const v = await fn();
      if (!again(v)) return v;
    } catch (e) {
      if (!isRetriable(e)) throw e;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: HDFS still said "not yet" after ${timeoutMs} ms`);
    await sleep(delay);
    delay = Math.min(delay * 2, 400);
  }
}

export class HdfsOutputStream {
  private block: { lb: LocatedBlock; pipe: BlockPipeline } | undefined;
  private previous: ExtendedBlock | undefined;
  /** Offset in the current block where `tail` starts (always at a chunk boundary). */
  private tailStart = 0;
  /** Bytes from tailStart on not yet sent in a full packet; the first `tailSent` of them went out with an hflush. */
  private tail: Buffer[] = [];
  private tailLen = 0;
  private tailSent = 0;
  private failure: Error | undefined;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: HdfsOutputOptions) {}

  get path(): string {
    return this.o.src;
  }

  /**
   * Adds bytes at the end of the file (sent as full packets fill; durable after hflush).
   * `owned`: the caller never changes these buffers afterwards, so packets may send them as
   * they are (no copy); otherwise their bytes are copied before this resolves.
   */
  write(bytes: Buffer | Iterable<Buffer>, owned = false): Promise<void> {
    return this.serial(async () => {
      for (const b of Buffer.isBuffer(bytes) ? [bytes] : bytes) {
        if (b.length === 0) continue;
        this.tail.push(b);
        this.tailLen += b.length;
        while (this.tailLen >= this.packetLimit()) await this.sendFullPackets(owned);
      }
      // Keep no reference to the caller's buffers beyond this call (less than a packet is copied).
      this.compactTail();
    });
  }

  /** Sends every byte written so far and waits until the whole pipeline acknowledged it. */
  hflush(): Promise<void> {
    return this.serial(async () => {
      if (this.tailLen > this.tailSent) {
        const pipe = await this.pipeline();
        await pipe.send(this.tailStart, this.tail, this.tailLen, false, this.o.bytesPerChecksum);
        // The partial chunk at the end goes out again, whole, with the next packet.
        const whole = this.tailLen - (this.tailLen % this.o.bytesPerChecksum);
        if (whole > 0) this.dropFromTail(whole);
        this.tailSent = this.tailLen;
      }
      if (this.block) await this.block.pipe.flushed();
    });
  }

  /** Ends the last block and completes the file with the namenode. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        if (this.failure) {
          await this.recover();
          return;
        }
        await this.hflushNow();
        if (this.block) await this.endBlock(this.tailStart + this.tailLen);
        const last = this.previous;
        await retryNotYet(
          `completing ${this.o.src}`,
          this.o.timeoutMs,
          () => this.o.namenode.complete(this.o.src, this.o.clientName, this.o.fileId, last),
          (done) => !done,
        );
      } finally {
        this.block?.pipe.close();
        this.block = undefined;
        this.o.onClosed();
      }
    }, true);
  }

  private async hflushNow(): Promise<void> {
    if (this.tailLen > this.tailSent) {
      const pipe = await this.pipeline();
      await pipe.send(this.tailStart, this.tail, this.tailLen, false, this.o.bytesPerChecksum);
      this.tailSent = this.tailLen;
    }
  }

  /** A failed stream: the namenode recovers the lease and closes the file with what the datanodes hold. */
  private async recover(): Promise<void> {
    this.block?.pipe.close();
    try {
      await this.o.namenode.recoverLease(this.o.src, this.o.clientName);
    } catch {
      // The namenode recovers the lease by itself once it expires (its hard limit, 1 hour).
    }
  }

  private serial<T>(fn: () => Promise<T>, evenIfFailed = false): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.failure && !evenIfFailed) throw this.failure;
      if (this.closed && !evenIfFailed) throw new Error(`${this.o.src} is closed`);
      try {
        return await fn();
      } catch (e) {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
        throw e;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Bytes the next full packet may carry: a whole packet, or what is left of the block. */
  private packetLimit(): number {
    return Math.min(this.o.packetBytes, this.o.blockSize - this.tailStart);
  }

  /** Sends every full packet the tail holds, up to the end of the block, with one socket write. */
  private async sendFullPackets(owned: boolean): Promise<void> {
    const pipe = await this.pipeline();
    const packets: { offset: number; pieces: Buffer[]; length: number }[] = [];
    while (this.tailLen >= this.packetLimit() && this.tailStart < this.o.blockSize) {
      const n = this.packetLimit();
      const pieces: Buffer[] = [];
      let need = n;
      for (const b of this.tail) {
        if (need === 0) break;
        const piece = b.length <= need ? b : b.subarray(0, need);
        pieces.push(piece);
        need -= piece.length;
      }
      packets.push({ offset: this.tailStart, pieces, length: n });
      this.dropFromTail(n);
      this.tailSent = Math.max(0, this.tailSent - n);
    }
    await pipe.sendAll(packets, this.o.bytesPerChecksum, owned);
    if (this.tailStart >= this.o.blockSize) {
      // The block is full: the rest of the tail starts the next one.
      await this.endBlock(this.tailStart);
      this.tailStart = 0;
    }
  }

  /** Removes n bytes from the start of the tail; the tail then starts n bytes further into the block. */
  private dropFromTail(n: number): void {
    this.tailStart += n;
    this.tailLen -= n;
    while (n > 0) {
      const b = this.tail[0]!;
      if (b.length <= n) {
        this.tail.shift();
        n -= b.length;
      } else {
        this.tail[0] = b.subarray(n);
        n = 0;
      }
    }
  }

  private compactTail(): void {
    this.tail = this.tailLen > 0 ? [Buffer.concat(this.tail, this.tailLen)] : [];
  }

  /** The current block's pipeline; allocates the block (after the previous one) when none is open. */
  private async pipeline(): Promise<BlockPipeline> {
    if (this.block) return this.block.pipe;
    const o = this.o;
    const lb = await retryNotYet(`allocating a block of ${o.src}`, o.timeoutMs, () => o.namenode.addBlock(o.src, o.clientName, o.fileId, this.previous));
    let pipe: BlockPipeline;
    try {
      pipe = await BlockPipeline.open(lb, o.clientName, o.bytesPerChecksum, o.timeoutMs);
    } catch (e) {
      // The namenode forgets the block, so that a later addBlock does not wait for it.
      await o.namenode.abandonBlock(o.src, o.clientName, o.fileId, lb.block).catch(() => undefined);
      throw e;
    }
    this.block = { lb, pipe };
    return pipe;
  }

  /** Sends the block's empty last packet, waits for every ack, and remembers the block's final length. */
  private async endBlock(length: number): Promise<void> {
    const b = this.block!;
    await b.pipe.send(length, [], 0, true, this.o.bytesPerChecksum);
    await b.pipe.flushed();
    b.pipe.close();
    this.block = undefined;
    this.previous = { ...b.lb.block, numBytes: length };
  }
}

export { DataTransferError };

// The file channel: Flume's durable channel. Every committed transaction is in a write-ahead
// log on disk (fdatasync'd before commit returns) before anyone sees its effect, so a kill -9
// loses no committed event; the queue of pointers to the events is checkpointed atomically
// every checkpointInterval, and a start replays the checkpoint and the log written after it.
//
//   file/record.ts      log records, checksums, event encoding
//   file/log.ts         a data directory: appends, file rolls, group commit, free space
//   file/checkpoint.ts  the atomic checkpoint
//   file/replay.ts      start-up: checkpoint + log tail, torn tails, corruption
//   file/lock.ts        in_use.lock
//
// In memory: the queue of pointers, and the events themselves for the head of the queue up to
// a byte budget (a take past it reads the event back from its log file). A log file is deleted
// after a checkpoint once no queued event is in it and replay no longer starts in it.
import { closeSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Channel, Transaction } from '../core/channel.js';
import type { ChannelFactory, ComponentContext } from '../core/component.js';
import type { ComponentConfig } from '../core/config.js';
import { ConfigError, need, paramBool, paramNumber, paramString } from '../core/config.js';
import { Deque } from '../core/deque.js';
import { ChannelException, ChannelFullException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { Logger } from '../core/log.js';
import { ChannelCounter } from '../core/metrics.js';
import { SpaceWaiters } from '../core/timers.js';
import { encodeCheckpoint, readCheckpoint, removeCheckpoint, writeCheckpoint, type Checkpoint } from './file/checkpoint.js';
import { lockDirectories } from './file/lock.js';
import { LogDir, mib, readAt } from './file/log.js';
import { FRAME, MAX_FILE_ID, RecordType, RecordWriter, decodeEvent, pointer, pointerFile, pointerOffset, readFrame } from './file/record.js';
import { LogCorruptError, replay } from './file/replay.js';
import { FileTransaction } from './file/transaction.js';

/** Bytes of event bodies kept in memory for the head of the queue; the rest is read from the logs. */
const CACHE_BYTES = 64 * 1024 * 1024;
const MAX_LOG_SIZE = 2 ** 31 - 1;

export interface FileChannelOptions {
  checkpointDir: string;
  backupCheckpointDir?: string;
  dataDirs: string[];
  capacity: number;
  transactionCapacity: number;
  checkpointIntervalMs: number;
  maxFileSize: number;
  minimumRequiredSpace: number;
  keepAliveMs: number;
  fsyncPerTransaction: boolean;
  fsyncIntervalMs: number;
  checkpointOnClose: boolean;
}

export class FileChannel implements Channel {
  readonly counter: ChannelCounter;
  readonly capacity: number;
  readonly transactionCapacity: number;
  private readonly log: Logger;
  private readonly queue = new Deque<number>(1024);
  /** Parallel to `queue`: the event when it is cached, else null. */
  private readonly cache = new Deque<Event | null>(1024);
  private cachedBytes = 0;
  /** Events taken by open transactions (they keep their place against capacity). */
  private inflightTakes = 0;
  /** Puts written to the log whose fdatasync has not finished. */
  private pendingPuts = 0;
  /** Open transactions' taken pointers, for the checkpoint. */
  readonly openTakes = new Set<number[]>();
  /** Log file id → queued (or taken, uncommitted) events in it. */
  private readonly refs = new Map<number, number>();
  private readonly fileDir = new Map<number, LogDir>();
  private readonly readFds = new Map<number, number>();
  private readonly dirs: LogDir[] = [];
  /** Per data directory: where the log is fully applied (file id, offset). */
  private applied: { fileId: number; offset: number }[] = [];
  private readonly writer = new RecordWriter();
  /** The last part of a log file read (see readEvent). */
  private readonly window = { fileId: -1, start: 0, len: 0, buf: Buffer.allocUnsafe(1 << 20) };
  private writeOrderId = 0;
  private nextFileId = 0;
  private releaseLocks: (() => void) | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;
  private readonly available = new Set<() => void>();
  private readonly spaceWaiters = new SpaceWaiters();
  private open = false;

  constructor(
    readonly name: string,
    readonly options: FileChannelOptions,
    private readonly ctx?: ComponentContext,
  ) {
    if (options.transactionCapacity > options.capacity) {
      throw new ConfigError(`channel \`${name}\`: transactionCapacity ${options.transactionCapacity} is larger than capacity ${options.capacity}`);
    }
    if (options.backupCheckpointDir !== undefined && resolve(options.backupCheckpointDir) === resolve(options.checkpointDir)) {
      throw new ConfigError(`channel \`${name}\`: backupCheckpointDir must differ from checkpointDir (both are ${options.checkpointDir})`);
    }
    this.capacity = options.capacity;
    this.transactionCapacity = options.transactionCapacity;
    this.log = ctx?.log ?? new Logger(`channel ${name}`);
    this.counter = new ChannelCounter(name, () => this.queue.length + this.inflightTakes, options.capacity);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  start(): void {
    const o = this.options;
    const all = [
      { dir: o.checkpointDir, what: 'checkpointDir' },
      ...(o.backupCheckpointDir !== undefined ? [{ dir: o.backupCheckpointDir, what: 'backupCheckpointDir' }] : []),
      ...o.dataDirs.map((dir) => ({ dir, what: 'dataDirs' })),
    ];
    for (const d of all) {
      try {
        mkdirSync(d.dir, { recursive: true });
      } catch (e) {
        throw new ChannelException(`channel \`${this.name}\`: cannot create ${d.what} ${d.dir}: ${errorText(e)}`);
      }
    }
    this.releaseLocks = lockDirectories(all);
    try {
      this.load();
    } catch (e) {
      this.closeFiles();
      this.releaseLocks();
      this.releaseLocks = undefined;
      if (e instanceof LogCorruptError) throw new ChannelException(`channel \`${this.name}\`: ${e.message}`);
      throw e;
    }
    this.open = true;
    this.ctx?.metrics.register(this.counter);
    this.counter.start();
    this.checkpointTimer = setInterval(() => void this.checkpoint(), o.checkpointIntervalMs);
    this.checkpointTimer.unref();
    if (!o.fsyncPerTransaction) {
      this.syncTimer = setInterval(() => {
        for (const d of this.dirs) d.flush().catch((e: unknown) => this.log.warn(errorText(e)));
      }, o.fsyncIntervalMs);
      this.syncTimer.unref();
    }
  }

  private loadCheckpoint(): Checkpoint | null {
    const o = this.options;
    const tries = [o.checkpointDir, ...(o.backupCheckpointDir !== undefined ? [o.backupCheckpointDir] : [])];
    for (const dir of tries) {
      const c = readCheckpoint(dir);
      if (c === null) continue;
      if (typeof c === 'string') {
        this.log.warn(`the checkpoint in ${dir} cannot be used: ${c}`);
        continue;
      }
      const same = c.positions.length === o.dataDirs.length && c.positions.every((p, i) => p.dir === resolve(o.dataDirs[i]!));
      if (!same) {
        this.log.warn(`the checkpoint in ${dir} was written for other dataDirs (${c.positions.map((p) => p.dir).join(', ')}); replaying the whole log`);
        continue;
      }
      return c;
    }
    return null;
  }

  private load(): void {
    const o = this.options;
    const began = Date.now();
    const checkpoint = this.loadCheckpoint();
    const dirs = o.dataDirs.map((d) => resolve(d));
    const r = replay(dirs, checkpoint, Math.max(o.maxFileSize, 64 * 1024 * 1024), (p) =>
      this.log.info(
        `replaying the log of channel \`${this.name}\`: ${Math.floor((p.bytesRead * 100) / Math.max(1, p.bytesTotal))}% ` +
          `(${mib(p.bytesRead)} of ${mib(p.bytesTotal)}, ${p.events} events read)`,
      ),
    );
    for (const t of r.torn) this.log.warn(t);
    this.writeOrderId = r.writeOrderId;
    this.nextFileId = r.nextFileId;
    for (const ptr of r.queue) {
      this.queue.pushBack(ptr);
      this.cache.pushBack(null);
      const f = pointerFile(ptr);
      this.refs.set(f, (this.refs.get(f) ?? 0) + 1);
    }
    dirs.forEach((dir, i) => {
      const d = new LogDir(
        i,
        dir,
        o.maxFileSize,
        o.minimumRequiredSpace,
        this.name,
        () => {
          if (this.nextFileId > MAX_FILE_ID) throw new ChannelException(`channel \`${this.name}\` has used up its log file ids`);
          return this.nextFileId++;
        },
        (id, logDir) => this.fileDir.set(id, logDir),
      );
      this.dirs.push(d);
    });
    for (const [id, i] of r.fileDirs) this.fileDir.set(id, this.dirs[i]!);
    // Each start writes to new log files, so that nothing is ever appended after a cut tail.
    for (const d of this.dirs) d.roll();
    this.applied = this.dirs.map((d) => ({ fileId: d.fileId, offset: 0 }));
    const took = Date.now() - began;
    if (r.queue.length > 0 || r.groups > 0 || took > 1000) {
      this.log.info(
        `channel \`${this.name}\` replayed ${checkpoint ? 'its checkpoint and ' : ''}${r.groups} logged transactions ` +
          `(${mib(r.bytesRead)}) in ${took} ms: ${r.queue.length} events queued`,
      );
    }
  }

  async stop(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.checkpointTimer);
    clearInterval(this.syncTimer);
    this.spaceWaiters.wakeAll();
    try {
      for (const d of this.dirs) await d.flush();
      if (this.options.checkpointOnClose) await this.checkpoint(true);
      else await this.checkpointing;
    } catch (e) {
      this.log.warn(`channel \`${this.name}\` stopped without a final checkpoint: ${errorText(e)}`);
    }
    this.counter.stop();
    this.closeFiles();
    this.releaseLocks?.();
    this.releaseLocks = undefined;
  }

  private closeFiles(): void {
    for (const d of this.dirs) d.close();
    for (const fd of this.readFds.values()) closeSync(fd);
    this.readFds.clear();
  }

  size(): number {
    return this.queue.length;
  }

  onAvailable(listener: () => void): () => void {
    this.available.add(listener);
    return () => this.available.delete(listener);
  }

  getTransaction(): Transaction {
    if (!this.open) throw new ChannelException(`channel \`${this.name}\` is not open`);
    return new FileTransaction(this);
  }

  // ---- checkpoint ----------------------------------------------------------------------------

  /** Writes a checkpoint (to both directories with useDualCheckpoints), then deletes log files no longer needed. */
  checkpoint(final = false): Promise<void> {
    if (this.checkpointing) return final ? this.checkpointing.then(() => this.checkpoint(true)) : this.checkpointing;
    const run = this.writeCheckpoint().finally(() => {
      this.checkpointing = undefined;
    });
    this.checkpointing = run;
    return run;
  }

  private async writeCheckpoint(): Promise<void> {
    const o = this.options;
    // Snapshot synchronously: taken-but-uncommitted events are still in the channel.
    const inflight: number[] = [];
    for (const t of this.openTakes) for (const p of t) inflight.push(p);
    inflight.sort((a, b) => a - b);
    const queue = new Float64Array(inflight.length + this.queue.length);
    queue.set(inflight);
    let i = inflight.length;
    this.queue.forEach((p) => {
      queue[i++] = p;
    });
    const positions = this.dirs.map((d, k) => ({ dir: d.dir, fileId: this.applied[k]!.fileId, offset: this.applied[k]!.offset }));
    const referenced = new Set<number>();
    for (let k = 0; k < queue.length; k++) referenced.add(pointerFile(queue[k]!));
    const data = encodeCheckpoint({ writeOrderId: this.writeOrderId, nextFileId: this.nextFileId, positions, queue });
    try {
      const s = freeSpace(o.checkpointDir);
      if (s < o.minimumRequiredSpace) {
        throw new ChannelException(`only ${mib(s)} free in ${o.checkpointDir}, below minimumRequiredSpace (${mib(o.minimumRequiredSpace)})`);
      }
      await writeCheckpoint(o.checkpointDir, data);
    } catch (e) {
      this.log.warn(`channel \`${this.name}\` could not write its checkpoint: ${errorText(e)}`);
      return;
    }
    if (o.backupCheckpointDir !== undefined) {
      try {
        await writeCheckpoint(o.backupCheckpointDir, data);
      } catch (e) {
        // A stale backup must never be read in place of the newer checkpoint.
        removeCheckpoint(o.backupCheckpointDir);
        this.log.warn(`channel \`${this.name}\` could not write its backup checkpoint: ${errorText(e)}`);
        return;
      }
    }
    // Delete what neither this checkpoint's queue nor its replay needs.
    for (const [id, dir] of this.fileDir) {
      const pos = positions[dir.index]!;
      if (id >= pos.fileId || id === dir.fileId || referenced.has(id) || (this.refs.get(id) ?? 0) > 0) continue;
      const fd = this.readFds.get(id);
      if (fd !== undefined) {
        closeSync(fd);
        this.readFds.delete(id);
      }
      dir.deleteFile(id);
      this.fileDir.delete(id);
      this.refs.delete(id);
    }
  }

  // ---- used by FileTransaction ---------------------------------------------------------------

  /** @internal */ nextWriteOrderId(): number {
    return ++this.writeOrderId;
  }

  /** @internal */ takeOne(out: number[]): Event | undefined {
    const ptr = this.queue.popFront();
    if (ptr === undefined) return undefined;
    let e = this.cache.popFront() ?? null;
    if (e) this.cachedBytes -= e.body.length;
    else {
      try {
        e = this.readEvent(ptr);
      } catch (err) {
        this.queue.pushFront(ptr);
        this.cache.pushFront(null);
        throw new ChannelException(`channel \`${this.name}\` cannot read a queued event back from its log: ${errorText(err)}`);
      }
    }
    this.inflightTakes++;
    out.push(ptr);
    return e;
  }

  /**
   * Reads a queued event back from its log. Reads go through a window of the file (1 MiB, or
   * one record when larger), so that taking a backlog, whose records lie one after another,
   * costs one read per window rather than one per event.
   */
  private readEvent(ptr: number): Event {
    const fileId = pointerFile(ptr);
    const offset = pointerOffset(ptr);
    const w = this.window;
    let rel = offset - w.start;
    let f = w.fileId === fileId && rel >= 0 && rel < w.len ? readFrame(w.buf, rel, w.len, MAX_LOG_SIZE) : 'short';
    if (f === 'short') {
      let fd = this.readFds.get(fileId);
      if (fd === undefined) {
        const dir = this.fileDir.get(fileId);
        if (!dir) throw new Error(`log file ${fileId} is gone`);
        fd = openSync(dir.path(fileId), 'r');
        this.readFds.set(fileId, fd);
      }
      let got = readAt(fd, w.buf, w.buf.length, offset);
      if (got >= FRAME) {
        const need = FRAME + w.buf.readUInt32LE(4);
        if (need > w.buf.length && need <= MAX_LOG_SIZE) {
          w.buf = Buffer.allocUnsafe(need);
          got = readAt(fd, w.buf, need, offset);
        }
      }
      w.fileId = fileId;
      w.start = offset;
      w.len = got;
      rel = 0;
      f = readFrame(w.buf, 0, got, MAX_LOG_SIZE);
    }
    if (typeof f !== 'object' || f.type !== RecordType.Put) {
      throw new Error(`no valid event record at offset ${offset} of ${this.fileDir.get(fileId)!.path(fileId)}`);
    }
    return decodeEvent(w.buf, f.payload, f.length);
  }

  /**
   * Appends one transaction's records and waits until they are on disk; then applies it: puts
   * join the queue, takes are final. Throws ChannelException when the channel is full (after
   * keep-alive), the disk is too full, or the write or sync fails — nothing is applied then.
   */
  /** @internal */ async commit(txid: number, puts: Event[], takes: number[]): Promise<void> {
    if (puts.length > 0) await this.waitForRoom(puts.length - takes.length);
    if (!this.open) throw new ChannelException(`channel \`${this.name}\` is closed`);
    const w = this.writer;
    w.reset();
    const offsets: number[] = new Array(puts.length);
    for (let i = 0; i < puts.length; i++) offsets[i] = w.put(txid, puts[i]!);
    if (takes.length > 0) w.take(txid, takes);
    w.commit(txid, this.nextWriteOrderId());
    const dir = this.dirs[txid % this.dirs.length]!;
    if (puts.length > 0) dir.checkSpace(w.pos);
    const len = w.pos;
    let at: ReturnType<LogDir['append']>;
    try {
      at = dir.append(w.buf, len);
    } catch (e) {
      this.window.fileId = -1; // the failed write was cut off: bytes read from there are stale
      throw e;
    }
    this.pendingPuts += puts.length;
    try {
      if (this.options.fsyncPerTransaction) await dir.durable(at.gen);
    } finally {
      this.pendingPuts -= puts.length;
    }
    // Applied in order per directory (fdatasync completes in append order), so this is where the log is reflected up to.
    const end = at.offset + len;
    const ap = this.applied[dir.index]!;
    if (at.fileId > ap.fileId || (at.fileId === ap.fileId && end > ap.offset)) this.applied[dir.index] = { fileId: at.fileId, offset: end };
    if (puts.length > 0) {
      for (let i = 0; i < puts.length; i++) {
        const e = puts[i]!;
        this.queue.pushBack(pointer(at.fileId, at.offset + offsets[i]!));
        if (this.cachedBytes < CACHE_BYTES) {
          this.cache.pushBack(e);
          this.cachedBytes += e.body.length;
        } else this.cache.pushBack(null);
      }
      this.refs.set(at.fileId, (this.refs.get(at.fileId) ?? 0) + puts.length);
      this.counter.putSuccess += puts.length;
      for (const l of this.available) l();
    }
    if (takes.length > 0) {
      this.inflightTakes -= takes.length;
      for (let i = 0; i < takes.length; i++) {
        const f = pointerFile(takes[i]!);
        this.refs.set(f, (this.refs.get(f) ?? 1) - 1);
      }
      this.counter.takeSuccess += takes.length;
      this.spaceFreed();
    }
  }

  /** @internal */ rollbackTakes(takes: number[], events: Event[]): void {
    for (let i = takes.length - 1; i >= 0; i--) {
      this.queue.pushFront(takes[i]!);
      this.cache.pushFront(events[i]!);
      this.cachedBytes += events[i]!.body.length;
    }
    this.inflightTakes -= takes.length;
    if (takes.length > 0) for (const l of this.available) l();
  }

  private used(): number {
    return this.queue.length + this.inflightTakes + this.pendingPuts;
  }

  private async waitForRoom(need: number): Promise<void> {
    if (need <= 0 || this.used() + need <= this.capacity) return;
    const deadline = Date.now() + this.options.keepAliveMs;
    while (this.used() + need > this.capacity) {
      const left = deadline - Date.now();
      if (left <= 0 || !this.open) {
        throw new ChannelFullException(
          `channel \`${this.name}\` is full (capacity ${this.capacity}): no room for ${need} more events within keep-alive; ` +
            'the sinks are not keeping up with the sources, or the capacity is too small',
        );
      }
      await this.spaceWaiters.wait(left);
    }
  }

  private spaceFreed(): void {
    this.spaceWaiters.wakeAll();
  }
}

function freeSpace(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : p;
}

const create: ChannelFactory = (config: ComponentConfig, ctx) => {
  const p = config.params;
  const n = (k: string) => need(paramNumber(p, k), config.name, k);
  const dataDirs = p.dataDirs;
  const dirs = (Array.isArray(dataDirs) ? dataDirs : String(need(paramString(p, 'dataDirs'), config.name, 'dataDirs')).split(','))
    .map((d) => d.trim())
    .filter((d) => d.length > 0)
    .map(expandHome);
  if (paramString(p, 'encryption.keyProvider') !== undefined) {
    throw new ConfigError(`channel \`${config.name}\`: the flowc runtime does not encrypt file channel logs; run this agent on Flume (flowc build --target properties)`);
  }
  const dual = paramBool(p, 'useDualCheckpoints') === true;
  const backup = paramString(p, 'backupCheckpointDir');
  if (dual && backup === undefined) throw new ConfigError(`channel \`${config.name}\`: useDualCheckpoints needs backupCheckpointDir`);
  return new FileChannel(
    config.name,
    {
      checkpointDir: expandHome(need(paramString(p, 'checkpointDir'), config.name, 'checkpointDir')),
      ...(dual && backup !== undefined ? { backupCheckpointDir: expandHome(backup) } : {}),
      dataDirs: dirs,
      capacity: n('capacity'),
      transactionCapacity: n('transactionCapacity'),
      checkpointIntervalMs: Math.max(1000, n('checkpointInterval')),
      maxFileSize: Math.min(n('maxFileSize'), MAX_LOG_SIZE),
      minimumRequiredSpace: Math.max(1024 * 1024, n('minimumRequiredSpace')),
      keepAliveMs: n('keep-alive') * 1000,
      fsyncPerTransaction: paramBool(p, 'fsyncPerTransaction') !== false,
      fsyncIntervalMs: (paramNumber(p, 'fsyncInterval') ?? 5) * 1000,
      checkpointOnClose: paramBool(p, 'checkpointOnClose') !== false,
    },
    ctx,
  );
};

export default create;

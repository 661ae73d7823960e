// One bucket of the hdfs sink (an escaped directory and file prefix) and the file it has open,
// as Flume's BucketWriter keeps them: files are named `<prefix>.<counter><suffix>`, the counter
// starting at the writer's creation time in milliseconds and counting files; a file is written
// under `<inUsePrefix><name><inUseSuffix>` and renamed to its name when closed. A file rolls
// before an event once it holds rollCount events or rollSize body bytes, after rollInterval
// seconds (a timer), or after idleTimeout seconds without writes. A writer closed by a timer or
// after a failed write is done: the sink makes a new one (with a new counter) for the bucket.
import { posix } from 'node:path';
import type { Event } from '../../core/event.js';
import type { Logger } from '../../core/log.js';
import type { SinkCounter } from '../../core/metrics.js';
import type { FileEncoder, FileFormat } from './formats.js';
import type { SinkFile, SinkFileSystem } from './fs.js';

/** Time for roll and idle timers; tests pass a fake one. */
export interface SinkClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

export const systemClock: SinkClock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

export interface BucketSettings {
  fs: SinkFileSystem;
  format: FileFormat;
  inUsePrefix: string;
  inUseSuffix: string;
  fileSuffix: string;
  rollIntervalS: number;
  rollSize: number;
  rollCount: number;
  idleTimeoutS: number;
  callTimeoutMs: number;
  /** Attempts to close and rename a file (Infinity: until it works). */
  closeTries: number;
  retryIntervalS: number;
  clock: SinkClock;
  counter: SinkCounter;
  log: Logger;
  /** Runs work on the sink's files one piece at a time (timers close files through it). */
  exclusive(fn: () => Promise<void>): Promise<void>;
  /** A writer closed itself (timer, failed write): the sink forgets it. */
  forget(w: BucketWriter): void;
  /** Close and rename attempts waiting for their retry; at stop each runs once more (`last`). */
  pending: Set<(last: boolean) => Promise<void>>;
}

interface OpenFile {
  handle: SinkFile;
  encoder: FileEncoder;
  inUse: string;
  target: string;
  closed: boolean;
}

/** Rejects when `p` takes longer than `ms` (hdfs.callTimeout), naming the call. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than hdfs.callTimeout (${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class BucketWriter {
  private counterValue: number;
  private file: OpenFile | undefined;
  private eventCount = 0;
  private processSize = 0;
  private cancelRoll: (() => void) | undefined;
  private cancelIdle: (() => void) | undefined;
  /** Closed by a timer or a failure: no longer used for new events. */
  done = false;

  constructor(
    readonly key: string,
    readonly dir: string,
    readonly prefix: string,
    private readonly s: BucketSettings,
  ) {
    this.counterValue = s.clock.now();
  }

  /** The in-use path of the open file, if any (for tests and logs). */
  get openPath(): string | undefined {
    return this.file?.inUse;
  }

  /** Writes a run of events of this bucket, rolling where needed; durable when it returns. */
  async write(events: readonly Event[]): Promise<void> {
    this.cancelIdle?.();
    this.cancelIdle = undefined;
    // A file that cannot be opened fails the batch and the writer stays (Flume counts on).
    if (!this.file) await this.open();
    try {
      if (!(this.s.rollCount > 0) && !(this.s.rollSize > 0)) {
        // Nothing rolls by count or size (so the body bytes need no counting): the whole run goes to the open file.
        this.eventCount += events.length;
        await this.writeRun(events);
      } else {
        let from = 0;
        for (let i = 0; i < events.length; i++) {
          if (this.shouldRoll()) {
            await this.writeRun(events.slice(from, i));
            from = i;
            await this.close(false);
            await this.open();
          }
          this.eventCount++;
          this.processSize += events[i]!.body.length;
        }
        await this.writeRun(from === 0 ? events : events.slice(from));
      }
    } catch (e) {
      this.s.log.warn(`writing ${this.file?.inUse ?? this.key} failed, closing it: ${(e as Error).message}`);
      await this.close(true);
      throw e;
    }
    this.armIdle();
  }

  /** After a write: the idle timer (hdfs.idleTimeout) closes the file if no write follows. */
  private armIdle(): void {
    if (this.s.idleTimeoutS > 0) {
      const f = this.file;
      this.cancelIdle = this.s.clock.schedule(this.s.idleTimeoutS * 1000, () => {
        void this.s.exclusive(async () => {
          if (this.file !== f || this.done) return;
          this.s.log.info(`closing idle file ${f!.inUse}`);
          await this.close(true);
        });
      });
    }
  }

  private shouldRoll(): boolean {
    return (this.s.rollCount > 0 && this.eventCount >= this.s.rollCount) || (this.s.rollSize > 0 && this.processSize >= this.s.rollSize);
  }

  private async writeRun(events: readonly Event[]): Promise<void> {
    if (events.length === 0) return;
    const f = this.file!;
    // An upload takes the bytes as they are made; a local write takes them in one buffer.
    const written =
      f.handle.appendChunks && f.encoder.encodeChunks ? f.handle.appendChunks(f.encoder.encodeChunks(events)) : f.handle.append(f.encoder.encode(events));
    await withTimeout(written, this.s.callTimeoutMs, `writing to ${f.inUse}`);
    await withTimeout(f.handle.sync(), this.s.callTimeoutMs, `syncing ${f.inUse}`);
  }

  private async open(): Promise<void> {
    const s = this.s;
    const encoder = s.format.newFile();
    let handle: SinkFile;
    let inUse = '';
    let target = '';
    try {
      // A name already taken (a writer of the same bucket started in the same millisecond, a
      // clock set back) is passed over, so that no rename ever replaces a finished file.
      for (;;) {
        const name = `${this.prefix}.${++this.counterValue}${s.fileSuffix !== '' ? s.fileSuffix : s.format.codecExtension}`;
        inUse = posix.join(this.dir, `${s.inUsePrefix}${name}${s.inUseSuffix}`);
        target = posix.join(this.dir, name);
        const taken = async (path: string) => withTimeout(s.fs.exists(path), s.callTimeoutMs, `looking up ${path}`);
        if (!(await taken(target)) && (inUse === target || !(await taken(inUse)))) break;
      }
      s.log.info(`creating ${inUse}`);
      handle = await withTimeout(s.fs.create(inUse), s.callTimeoutMs, `creating ${inUse}`);
      const head = encoder.start();
      if (head.length > 0) await withTimeout(handle.append(head), s.callTimeoutMs, `writing to ${inUse}`);
    } catch (e) {
      s.counter.connectionFailed++;
      throw e;
    }
    s.counter.connectionCreated++;
    const f: OpenFile = { handle, encoder, inUse, target, closed: false };
    this.file = f;
    this.eventCount = 0;
    this.processSize = 0;
    if (s.rollIntervalS > 0) {
      this.cancelRoll = s.clock.schedule(s.rollIntervalS * 1000, () => {
        void s.exclusive(async () => {
          if (this.file !== f || this.done) return;
          s.log.debug(`rolling ${f.inUse}: hdfs.rollInterval (${s.rollIntervalS} s) elapsed`);
          await this.close(true);
        });
      });
    }
  }

  /**
   * Closes the open file and renames it. `forget`: this writer is done (a timer closed it, or
   * a write failed, or the sink stops). `immediate`: one attempt, no retries (at stop).
   */
  async close(forget: boolean, immediate = false): Promise<void> {
    this.cancelRoll?.();
    this.cancelIdle?.();
    this.cancelRoll = this.cancelIdle = undefined;
    if (forget && !this.done) {
      this.done = true;
      this.s.forget(this);
    }
    const f = this.file;
    this.file = undefined;
    if (!f) return;
    const tail = f.encoder.end?.();
    if (tail && tail.length > 0) {
      try {
        await withTimeout(f.handle.append(tail), this.s.callTimeoutMs, `writing to ${f.inUse}`);
        await withTimeout(f.handle.sync(), this.s.callTimeoutMs, `syncing ${f.inUse}`);
      } catch (e) {
        this.s.log.warn(`writing the end of ${f.inUse} failed: ${(e as Error).message}`);
      }
    }
    await this.finish(f, 1, immediate);
  }

  /** Closes and renames one file; a failure is retried every retryInterval, up to closeTries attempts. */
  private async finish(f: OpenFile, attempt: number, immediate: boolean): Promise<void> {
    const s = this.s;
    if (!f.closed) {
      try {
        await withTimeout(f.handle.close(), s.callTimeoutMs, `closing ${f.inUse}`);
        f.closed = true;
        s.counter.connectionClosed++;
      } catch (e) {
        s.log.warn(`closing ${f.inUse} failed: ${(e as Error).message}`);
      }
    }
    let renamed = f.inUse === f.target;
    if (!renamed) {
      try {
        if (await withTimeout(s.fs.exists(f.inUse), s.callTimeoutMs, `looking up ${f.inUse}`)) {
          s.log.info(`renaming ${f.inUse} to ${f.target}`);
          await withTimeout(s.fs.rename(f.inUse, f.target), s.callTimeoutMs, `renaming ${f.inUse}`);
        }
        renamed = true;
      } catch (e) {
        s.counter.connectionFailed++;
        s.log.warn(`renaming ${f.inUse} failed: ${(e as Error).message}`);
      }
    }
    if (f.closed && renamed) return;
    if (immediate || attempt >= s.closeTries) {
      s.log.warn(`gave up closing ${f.inUse} after ${attempt} attempt(s) (hdfs.closeTries); it keeps its in-use name`);
      return;
    }
    s.log.warn(`will try again to close ${f.inUse} in ${s.retryIntervalS} s (hdfs.retryInterval)`);
    const retry = (last: boolean) => this.finish(f, attempt + 1, last);
    s.pending.add(retry);
    s.clock.schedule(s.retryIntervalS * 1000, () => {
      if (!s.pending.delete(retry)) return;
      void s.exclusive(() => retry(false));
    });
  }
}

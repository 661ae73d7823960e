// One data directory of the file channel: its log files `log-<id>`, the file being appended to,
// and group commit. A commit appends its transaction's records with one write (page cache, on
// the event loop), then waits for an fdatasync that started after its write: while one
// fdatasync runs, the commits that arrive meanwhile wait together for the next one, so the
// number of fdatasync calls follows the disk, not the number of transactions.
import { closeSync, fdatasync, fsyncSync, ftruncateSync, openSync, readdirSync, readSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelException, errorText } from '../../core/errors.js';

export const LOG_PREFIX = 'log-';

export function logFileName(id: number): string {
  return `${LOG_PREFIX}${id}`;
}

/** The ids of the log files in a directory, ascending. */
export function logFileIds(dir: string): number[] {
  const ids: number[] = [];
  for (const n of readdirSync(dir)) {
    const m = /^log-(\d+)$/.exec(n);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}

interface Waiter {
  gen: number;
  resolve(): void;
  reject(e: Error): void;
}

export interface Appended {
  fileId: number;
  offset: number;
  /** Pass to `durable` to wait until these bytes are on disk. */
  gen: number;
}

export class LogDir {
  fileId = -1;
  pos = 0;
  private fd = -1;
  private gen = 0;
  private syncedGen = 0;
  private dirtyFds = new Set<number>();
  /** Files rolled away from whose descriptors still need an fdatasync before they close. */
  private retiring: number[] = [];
  private waiters: Waiter[] = [];
  private syncing = false;
  private freeBytes = 0;
  private freeCheckedAt = 0;
  private writtenSinceCheck = 0;

  constructor(
    readonly index: number,
    readonly dir: string,
    private readonly maxFileSize: number,
    private readonly minimumRequiredSpace: number,
    private readonly channel: string,
    private readonly nextFileId: () => number,
    private readonly onNewFile: (fileId: number, dir: LogDir) => void,
  ) {}

  path(fileId: number): string {
    return join(this.dir, logFileName(fileId));
  }

  /** Starts a new log file (at start-up, and when the current one is full). */
  roll(): void {
    const id = this.nextFileId();
    const fd = openSync(this.path(id), 'wx');
    fsyncDir(this.dir);
    if (this.fd >= 0) {
      if (this.dirtyFds.has(this.fd)) this.retiring.push(this.fd);
      else closeSync(this.fd);
    }
    this.fd = fd;
    this.fileId = id;
    this.pos = 0;
    this.onNewFile(id, this);
  }

  /**
   * Refuses writes of `bytes` when the disk would keep less than minimumRequiredSpace free. The
   * free space is asked of the file system once a second, and at every write once it gets close.
   */
  checkSpace(bytes: number): void {
    const now = Date.now();
    const estimate = this.freeBytes - this.writtenSinceCheck;
    if (now - this.freeCheckedAt > 1000 || estimate - bytes < this.minimumRequiredSpace + 64 * 1024 * 1024) {
      const s = statfsSync(this.dir);
      this.freeBytes = s.bavail * s.bsize;
      this.freeCheckedAt = now;
      this.writtenSinceCheck = 0;
    }
    const free = this.freeBytes - this.writtenSinceCheck;
    if (free - bytes < this.minimumRequiredSpace) {
      throw new ChannelException(
        `channel \`${this.channel}\` refuses the write: ${mib(free)} free in ${this.dir}, below minimumRequiredSpace ` +
          `(${mib(this.minimumRequiredSpace)}); free disk space there, or lower minimumRequiredSpace`,
      );
    }
  }

  /** Appends one transaction's records (`buf[0, len)`) with one write; rolls the file first when it would grow past maxFileSize. */
  append(buf: Buffer, len: number): Appended {
    if (this.fd < 0 || (this.pos > 0 && this.pos + len > this.maxFileSize)) this.roll();
    const start = this.pos;
    let done = 0;
    try {
      while (done < len) done += writeSync(this.fd, buf, done, len - done, start + done);
    } catch (e) {
      // Leave no partial group behind: later records must never follow garbage.
      try {
        ftruncateSync(this.fd, start);
      } catch {
        this.roll();
      }
      throw new ChannelException(`channel \`${this.channel}\` could not write its log in ${this.dir}: ${errorText(e)}`);
    }
    this.pos = start + len;
    this.writtenSinceCheck += len;
    this.dirtyFds.add(this.fd);
    return { fileId: this.fileId, offset: start, gen: ++this.gen };
  }

  /** Resolves once everything appended up to `gen` is on disk (fdatasync). */
  durable(gen: number): Promise<void> {
    if (gen <= this.syncedGen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ gen, resolve, reject });
      this.pump();
    });
  }

  /** Forces everything appended so far to disk (fsyncPerTransaction = false uses this on a timer). */
  flush(): Promise<void> {
    return this.durable(this.gen);
  }

  private pump(): void {
    if (this.syncing || this.waiters.length === 0) return;
    this.syncing = true;
    const target = this.gen;
    const fds = [...this.dirtyFds];
    const retiring = this.retiring;
    this.dirtyFds.clear();
    this.retiring = [];
    Promise.all(fds.map(datasync)).then(
      () => {
        for (const fd of retiring) closeQuietly(fd);
        this.syncedGen = target;
        this.settle(target, undefined);
      },
      (e: unknown) => {
        for (const fd of retiring) closeQuietly(fd);
        // After a failed fdatasync the kernel's state of those pages is unknown: write on in a new file.
        try {
          this.roll();
        } catch {
          // the next append tries again
        }
        this.settle(target, new ChannelException(`channel \`${this.channel}\` could not sync its log in ${this.dir}: ${errorText(e)}`));
      },
    );
  }

  private settle(target: number, error: Error | undefined): void {
    this.syncing = false;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.gen > target) still.push(w);
      else if (error) w.reject(error);
      else w.resolve();
    }
    this.waiters = still;
    this.pump();
  }

  close(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    for (const fd of this.retiring) closeQuietly(fd);
    this.fd = -1;
  }

  deleteFile(fileId: number): void {
    try {
      unlinkSync(this.path(fileId));
    } catch {
      // already gone
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do
  }
}

export function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

/** Reads exactly `len` bytes at `position`, or fewer at the end of the file. */
export function readAt(fd: number, buf: Buffer, len: number, position: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

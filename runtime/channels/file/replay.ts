// Start-up of the file channel: the queue is the checkpoint's, then the log records written
// after the checkpoint's positions are replayed in write order (across data directories, by
// the write-order id of each COMMIT). Only whole, committed transactions count.
//
// Damage: a record that fails its checksum with nothing valid after it in the newest log file
// of its directory is a torn last write (the agent died while writing it; its commit never
// returned) and is cut off. Anywhere else it is corruption: start-up stops with the file and
// the offset, since going on would silently drop acknowledged events.
import { closeSync, fstatSync, ftruncateSync, openSync, statSync } from 'node:fs';
import { FRAME, RECORD_NAMES, RecordType, payloadTxid, pointer, readFrame } from './record.js';
import { LOG_PREFIX, logFileIds, readAt } from './log.js';
import { join } from 'node:path';
import type { Checkpoint } from './checkpoint.js';

export class LogCorruptError extends Error {
  override name = 'LogCorruptError';
}

interface Group {
  woid: number;
  puts: number[];
  takes: number[];
}

export interface ReplayProgress {
  bytesRead: number;
  bytesTotal: number;
  events: number;
}

export interface ReplayResult {
  queue: number[];
  writeOrderId: number;
  nextFileId: number;
  /** Log file id → index of its data directory, for every log file found. */
  fileDirs: Map<number, number>;
  /** Torn tails cut off, for the log. */
  torn: string[];
  groups: number;
  bytesRead: number;
}

const CHUNK = 8 * 1024 * 1024;

/** Reads one directory's log from a position; returns its committed groups in order. */
function readDir(
  dir: string,
  start: { fileId: number; offset: number } | undefined,
  maxRecord: number,
  torn: string[],
  progress: (bytes: number) => void,
): Group[] {
  const ids = logFileIds(dir);
  const groups: Group[] = [];
  let buf = Buffer.allocUnsafe(CHUNK);
  for (let fi = 0; fi < ids.length; fi++) {
    const fileId = ids[fi]!;
    if (start && fileId < start.fileId) continue;
    const path = join(dir, `${LOG_PREFIX}${fileId}`);
    const last = fi === ids.length - 1;
    const fd = openSync(path, last ? 'r+' : 'r');
    try {
      const size = fstatSync(fd).size;
      let base = start && fileId === start.fileId ? start.offset : 0; // file offset of buf[0]
      let filled = readAt(fd, buf, Math.min(buf.length, size - base), base);
      let at = 0;
      let group: Group = { woid: 0, puts: [], takes: [] };
      for (;;) {
        const f = readFrame(buf, at, filled, maxRecord);
        if (f === 'short') {
          if (base + filled >= size) {
            if (at < filled) cutTail(fd, path, base + at, size, last, torn);
            break;
          }
          // Slide the unread bytes to the front and read more; grow for a record larger than the buffer.
          const keep = filled - at;
          if (at === 0) {
            const bigger = Buffer.allocUnsafe(buf.length * 2);
            buf.copy(bigger, 0, 0, filled);
            buf = bigger;
          } else {
            buf.copy(buf, 0, at, filled);
          }
          base += at;
          progress(at);
          at = 0;
          filled = keep + readAt(fd, buf.subarray(keep), Math.min(buf.length - keep, size - base - keep), base + keep);
          continue;
        }
        if (f === 'bad') {
          const offset = base + at;
          if (last && !validFrameAfter(fd, offset, size, maxRecord)) {
            cutTail(fd, path, offset, size, last, torn);
            break;
          }
          throw new LogCorruptError(
            `the log file ${path} is corrupt at offset ${offset}: the record there fails its checksum and valid records follow it. ` +
              'Acknowledged events may be damaged, so the channel does not start. Restore the directory from a backup, or move it ' +
              'aside to start empty (its events are then lost)',
          );
        }
        const rel = at;
        at = f.payload + f.length;
        switch (f.type) {
          case RecordType.Put:
            group.puts.push(pointer(fileId, base + rel));
            break;
          case RecordType.Take: {
            const n = buf.readUInt32LE(f.payload + 8);
            for (let i = 0; i < n; i++) group.takes.push(buf.readDoubleLE(f.payload + 12 + 8 * i));
            break;
          }
          case RecordType.Commit:
            group.woid = buf.readDoubleLE(f.payload + 8);
            groups.push(group);
            group = { woid: 0, puts: [], takes: [] };
            break;
          case RecordType.Rollback:
            void payloadTxid(buf, f.payload);
            group = { woid: 0, puts: [], takes: [] };
            break;
          default:
            throw new LogCorruptError(`the log file ${path} has an unknown record (${RECORD_NAMES[f.type] ?? f.type}) at offset ${base + rel}`);
        }
      }
      progress(at);
    } finally {
      closeSync(fd);
    }
  }
  return groups;
}

/** Whether a valid record starts anywhere after `offset` (scanning at most 64 MiB). */
function validFrameAfter(fd: number, offset: number, size: number, maxRecord: number): boolean {
  const span = Math.min(size - offset - 1, 64 * 1024 * 1024);
  if (span < FRAME) return false;
  const buf = Buffer.allocUnsafe(span);
  const got = readAt(fd, buf, span, offset + 1);
  for (let i = 0; i + FRAME <= got; i++) {
    if (buf[i] !== 0x0c || buf[i + 1] !== 0xf1) continue;
    const f = readFrame(buf, i, got, maxRecord);
    if (typeof f === 'object') return true;
  }
  return false;
}

function cutTail(fd: number, path: string, offset: number, size: number, last: boolean, torn: string[]): void {
  if (!last) {
    throw new LogCorruptError(
      `the log file ${path} ends with an incomplete record at offset ${offset}, but newer log files follow it; ` +
        'restore the directory from a backup, or move it aside to start empty (its events are then lost)',
    );
  }
  ftruncateSync(fd, offset);
  torn.push(`${path}: cut ${size - offset} bytes of an unfinished write at offset ${offset} (the agent stopped while writing it; that commit had not returned)`);
}

function totalBytes(dirs: string[], positions: Checkpoint['positions'] | undefined): number {
  let n = 0;
  dirs.forEach((dir, i) => {
    const start = positions?.[i];
    for (const id of logFileIds(dir)) {
      if (start && id < start.fileId) continue;
      n += statSync(join(dir, `${LOG_PREFIX}${id}`)).size - (start && id === start.fileId ? start.offset : 0);
    }
  });
  return n;
}

export function replay(
  dirs: string[],
  checkpoint: Checkpoint | null,
  maxRecord: number,
  onProgress: (p: ReplayProgress) => void,
): ReplayResult {
  const torn: string[] = [];
  const bytesTotal = totalBytes(dirs, checkpoint?.positions);
  let bytesRead = 0;
  let events = 0;
  let lastReport = Date.now();
  const progress = (n: number) => {
    bytesRead += n;
    const now = Date.now();
    if (now - lastReport >= 1000) {
      lastReport = now;
      onProgress({ bytesRead, bytesTotal, events });
    }
  };
  const perDir = dirs.map((dir, i) => {
    const g = readDir(dir, checkpoint?.positions[i], maxRecord, torn, progress);
    for (const x of g) events += x.puts.length;
    return g;
  });
  const groups = perDir.length === 1 ? perDir[0]! : perDir.flat().sort((a, b) => a.woid - b.woid);

  // Apply in write order. Takes mostly remove the head: a cursor handles that; others are
  // collected and filtered out at the end.
  const queue: number[] = checkpoint ? Array.from(checkpoint.queue) : [];
  let head = 0;
  const removed = new Set<number>();
  let writeOrderId = checkpoint?.writeOrderId ?? 0;
  for (const g of groups) {
    for (let i = 0; i < g.puts.length; i++) queue.push(g.puts[i]!);
    for (let i = 0; i < g.takes.length; i++) {
      const t = g.takes[i]!;
      while (head < queue.length && removed.has(queue[head]!)) removed.delete(queue[head++]!);
      if (queue[head] === t) head++;
      else removed.add(t);
    }
    if (g.woid > writeOrderId) writeOrderId = g.woid;
  }
  let final = head === 0 ? queue : queue.slice(head);
  if (removed.size > 0) final = final.filter((p) => !removed.has(p));

  const fileDirs = new Map<number, number>();
  let maxId = -1;
  dirs.forEach((dir, i) => {
    for (const id of logFileIds(dir)) {
      fileDirs.set(id, i);
      if (id > maxId) maxId = id;
    }
  });
  return {
    queue: final,
    writeOrderId,
    nextFileId: Math.max(checkpoint?.nextFileId ?? 0, maxId + 1),
    fileDirs,
    torn,
    groups: groups.length,
    bytesRead,
  };
}

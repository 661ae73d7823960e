// The file channel's checkpoint: the queue of event pointers at one moment, and for each data
// directory the log position up to which the log is reflected in it. Written atomically —
// `checkpoint.tmp`, fsync, rename to `checkpoint`, fsync of the directory — so a crash leaves
// either the old checkpoint or the new one, never a mix; a CRC-32 over the whole file catches
// anything else. With useDualCheckpoints the same file is written to the backup directory too.
//
//   "FLCK" · version u32 · write-order id f64 · next file id u32 · dir count u32 ·
//   (path length u32, path, file id u32, offset f64)* · queue length u32 · pointers f64* · CRC-32 u32
import { readFileSync, unlinkSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fsyncDir } from './log.js';

const MAGIC = 0x4b434c46; // "FLCK" little-endian
const VERSION = 1;
export const CHECKPOINT_FILE = 'checkpoint';

export interface LogPosition {
  dir: string;
  fileId: number;
  offset: number;
}

export interface Checkpoint {
  writeOrderId: number;
  nextFileId: number;
  positions: LogPosition[];
  queue: Float64Array;
}

export function encodeCheckpoint(c: Checkpoint): Buffer {
  const dirs = c.positions.map((p) => Buffer.from(p.dir, 'utf8'));
  const size = 4 + 4 + 8 + 4 + 4 + dirs.reduce((n, d) => n + 4 + d.length + 4 + 8, 0) + 4 + 8 * c.queue.length + 4;
  const buf = Buffer.alloc(size);
  let p = 0;
  p = buf.writeUInt32LE(MAGIC, p);
  p = buf.writeUInt32LE(VERSION, p);
  p = buf.writeDoubleLE(c.writeOrderId, p);
  p = buf.writeUInt32LE(c.nextFileId, p);
  p = buf.writeUInt32LE(c.positions.length, p);
  c.positions.forEach((pos, i) => {
    p = buf.writeUInt32LE(dirs[i]!.length, p);
    p += dirs[i]!.copy(buf, p);
    p = buf.writeUInt32LE(pos.fileId, p);
    p = buf.writeDoubleLE(pos.offset, p);
  });
  p = buf.writeUInt32LE(c.queue.length, p);
  Buffer.from(c.queue.buffer, c.queue.byteOffset, c.queue.byteLength).copy(buf, p);
  p += c.queue.byteLength;
  buf.writeUInt32LE(crc32(buf.subarray(0, p)), p);
  return buf;
}

/** The checkpoint in `dir`, null when there is none, or a string saying why it cannot be used. */
export function readCheckpoint(dir: string): Checkpoint | null | string {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, CHECKPOINT_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `cannot read it: ${(e as Error).message}`;
  }
  try {
    if (buf.length < 28 || buf.readUInt32LE(0) !== MAGIC) return 'it is not a flowc file channel checkpoint';
    if (buf.readUInt32LE(4) !== VERSION) return `it has version ${buf.readUInt32LE(4)}, this runtime reads ${VERSION}`;
    if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4)) return 'its checksum does not match (damaged)';
    let p = 8;
    const writeOrderId = buf.readDoubleLE(p);
    const nextFileId = buf.readUInt32LE(p + 8);
    const count = buf.readUInt32LE(p + 12);
    p += 16;
    const positions: LogPosition[] = [];
    for (let i = 0; i < count; i++) {
      const n = buf.readUInt32LE(p);
      const d = buf.toString('utf8', p + 4, p + 4 + n);
      p += 4 + n;
      positions.push({ dir: d, fileId: buf.readUInt32LE(p), offset: buf.readDoubleLE(p + 4) });
      p += 12;
    }
    const len = buf.readUInt32LE(p);
    p += 4;
    const queue = new Float64Array(len);
    Buffer.from(queue.buffer).set(buf.subarray(p, p + 8 * len));
    return { writeOrderId, nextFileId, positions, queue };
  } catch {
    return 'it is truncated';
  }
}

/** Writes a checkpoint into `dir` atomically, off the event loop. */
export async function writeCheckpoint(dir: string, data: Buffer): Promise<void> {
  const tmp = join(dir, `${CHECKPOINT_FILE}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, CHECKPOINT_FILE));
  fsyncDir(dir);
}

export function removeCheckpoint(dir: string): void {
  try {
    unlinkSync(join(dir, CHECKPOINT_FILE));
  } catch {
    // none
  }
}

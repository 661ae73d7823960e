// One followed file of the taildir source: its inode, path, and the byte position up to which
// its lines have been committed. It reads whole lines only (a last line without its newline
// waits for it); the newline, and a '\r' before it, are not part of the body (as Flume's
// TailFile). The descriptor stays open while the file is followed, so a file renamed away
// (rotation) is still read to its end through it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { newHeaders, type Event, type Headers } from '../core/event.js';

/** How many bytes of a file's start identify it (to recognise a copy made by copy-truncate). */
export const HEAD_BYTES = 512;

export interface Line {
  event: Event;
  /** Position after this line (its newline included). */
  end: number;
}

export class TailFile {
  fd: number | undefined;
  /** Bytes of the file's start seen so far (up to HEAD_BYTES). */
  head: Buffer = Buffer.alloc(0);
  lastActivity = Date.now();
  /** The size seen at the last look: a smaller size later means the file was truncated. */
  lastSize = 0;
  lastMtime = 0;
  private buf = Buffer.allocUnsafe(64 * 1024);

  constructor(
    public path: string,
    readonly inode: number,
    public pos: number,
    public headers: Headers,
  ) {}

  open(): void {
    if (this.fd === undefined) this.fd = openSync(this.path, 'r');
  }

  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }

  size(): number {
    if (this.fd === undefined) return -1;
    return fstatSync(this.fd).size;
  }

  /** Whether the file no longer starts with the bytes seen at its start (it was truncated and rewritten). */
  headChanged(): boolean {
    if (this.fd === undefined || this.head.length === 0) return false;
    const b = Buffer.allocUnsafe(this.head.length);
    const n = readSync(this.fd, b, 0, b.length, 0);
    return !b.subarray(0, n).equals(this.head.subarray(0, n)) || (n < this.head.length && n > 0);
  }

  /** Reads the first bytes of the file into `head` (once the file has them). */
  readHead(): void {
    if (this.fd === undefined || this.head.length >= HEAD_BYTES) return;
    const b = Buffer.allocUnsafe(HEAD_BYTES);
    const n = readSync(this.fd, b, 0, HEAD_BYTES, 0);
    if (n > this.head.length) this.head = Buffer.from(b.subarray(0, n));
  }

  /**
   * Up to `max` whole lines from `pos` (not moving `pos`: the caller commits it). `extra` adds
   * headers per line (byte offset, file path).
   */
  readLines(max: number, extra: (e: Event, start: number) => void): Line[] {
    const out: Line[] = [];
    if (this.fd === undefined) return out;
    let at = this.pos; // file offset of buf[0]
    let n = readSync(this.fd, this.buf, 0, this.buf.length, at);
    let off = 0;
    while (out.length < max && n > 0) {
      const nl = this.buf.indexOf(0x0a, off);
      if (nl >= 0 && nl < n) {
        let endBody = nl;
        if (endBody > off && this.buf[endBody - 1] === 0x0d) endBody--;
        const event: Event = { headers: Object.assign(newHeaders(), this.headers), body: Buffer.from(this.buf.subarray(off, endBody)) };
        extra(event, at + off);
        out.push({ event, end: at + nl + 1 });
        off = nl + 1;
        continue;
      }
      if (n < this.buf.length) break; // the file ends inside a line: wait for its newline
      // The buffer ends inside a line: read on from that line's start (a bigger buffer for a long line).
      if (off === 0) this.buf = Buffer.allocUnsafe(this.buf.length * 2);
      at += off;
      off = 0;
      n = readSync(this.fd, this.buf, 0, this.buf.length, at);
    }
    if (out.length > 0) this.lastActivity = Date.now();
    return out;
  }
}

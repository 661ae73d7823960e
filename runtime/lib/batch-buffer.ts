// The bytes of one batch, in one buffer kept from batch to batch: bodies are copied in with
// TypedArray.set (no allocation per event), and the whole batch goes to its file in one write.

export class BatchBuffer {
  buf = Buffer.allocUnsafe(256 * 1024);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    // An empty buffer grows to the size asked for: nothing to copy, and no doubling past it.
    if (this.len === 0) size = Math.max(n, this.buf.length);
    const next = Buffer.allocUnsafe(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Makes room for `n` more bytes at once (a caller that knows a batch's size avoids growing by doubling). */
  reserve(n: number): void {
    this.room(n);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  text(s: string): void {
    this.room(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  newline(): void {
    this.room(1);
    this.buf[this.len++] = 0x0a;
  }

  /** Avro's zig-zag varint long (safe integers). */
  long(n: number): void {
    this.room(10);
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 0x80) {
      this.buf[this.len++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.len++] = z;
  }

  /** The bytes written so far (a view: copy it before the next reset if it must outlive it). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Starts the next batch; gives back memory after an unusually large one. */
  reset(): void {
    this.len = 0;
    if (this.buf.length > 16 * 1024 * 1024) this.buf = Buffer.allocUnsafe(256 * 1024);
  }
}

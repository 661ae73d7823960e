// A ring-buffer double-ended queue: O(1) at both ends, no allocation per element once grown.
// The memory channel keeps its events in one; a rollback pushes taken events back at the head.

export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;

  constructor(initialCapacity = 16) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
  }

  get length(): number {
    return this.len;
  }

  pushBack(v: T): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) & (this.buf.length - 1)] = v;
    this.len++;
  }

  pushFront(v: T): void {
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.len++;
  }

  /** pushBack of each of `list` in order. */
  pushAll(list: readonly T[]): void {
    const n = list.length;
    while (this.len + n > this.buf.length) this.grow();
    const buf = this.buf;
    const mask = buf.length - 1;
    let at = this.head + this.len;
    for (let i = 0; i < n; i++) buf[at++ & mask] = list[i];
    this.len += n;
  }

  /** popFront up to `max` times onto the end of `out`; returns how many. */
  popInto(out: T[], max: number): number {
    const n = Math.min(max, this.len);
    const buf = this.buf;
    const mask = buf.length - 1;
    let at = this.head;
    for (let i = 0; i < n; i++) {
      out.push(buf[at] as T);
      buf[at] = undefined;
      at = (at + 1) & mask;
    }
    this.head = at;
    this.len -= n;
    return n;
  }

  popFront(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.len--;
    return v;
  }

  peekFront(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head];
  }

  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.len = 0;
  }

  /** Calls `fn` on each element from front to back. */
  forEach(fn: (v: T) => void): void {
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.len; i++) fn(this.buf[(this.head + i) & mask] as T);
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}

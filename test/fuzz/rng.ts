// A small seeded random source. Every fuzz input is made from its own generator, seeded by
// (run seed, target, input index), so that any one input can be made again on its own.

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** The generator of input `index` of `target` in the run seeded with `seed`. */
  static forInput(seed: number, target: string, index: number): Rng {
    let h = 0x811c9dc5 ^ seed;
    for (const ch of `${target}:${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    return new Rng(mix(h ^ Math.imul(index, 0x9e3779b1)));
  }

  /** A uniform 32-bit value (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    return mix(this.state);
  }

  /** A whole number in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** A whole number in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Small values much more often than large ones: lengths and counts of mutations. */
  skewed(max: number): number {
    const bits = this.int(Math.max(1, Math.ceil(Math.log2(max + 1))) + 1);
    return Math.min(max, this.int(2 ** bits));
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

function mix(x: number): number {
  let t = x >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

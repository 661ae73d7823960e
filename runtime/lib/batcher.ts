// Gathers items that arrive in the same turn of the event loop (datagrams, parsed records)
// and hands them on as one batch, one batch at a time, in arrival order.

export class Batcher<T> {
  private items: T[] = [];
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: (batch: T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxBatch) {
      this.run();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  private run(): void {
    this.scheduled = false;
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.running = this.running.then(() => this.handler(batch)).catch(() => undefined);
  }

  /** Hands on what is gathered and waits for every batch to be handled. */
  async flush(): Promise<void> {
    this.run();
    await this.running;
  }
}

// Small helpers for waiting without blocking: a sleep that can be cut short.

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lets pending I/O run; used between batches of loops that would otherwise only await microtasks. */
export function yieldToIo(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** A sleep that `wake()` ends early. */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise((r) => {
      this.resolve = r;
      this.timer = setTimeout(() => this.wake(), ms);
    });
  }

  get sleeping(): boolean {
    return this.resolve !== undefined;
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }
}

/**
 * Waiters for room in a full channel: `wait(ms)` ends when `wakeAll()` is called (a commit freed
 * room, or the channel stops) or after `ms`, whichever comes first. Callers check again.
 */
export class SpaceWaiters {
  private waiters: (() => void)[] = [];

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters;
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  wakeAll(): void {
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w();
  }
}

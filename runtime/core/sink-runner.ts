// Runs a sink processor in a loop, as Flume's SinkRunner does: READY → go again; BACKOFF (the
// channel was empty) → wait n · 1 s up to 5 s, or until the channel has new events; an
// exception → log it and wait 5 s. Draining (at shutdown) keeps the loop going until the
// channels are empty or the deadline passes.
//
// Flume's runner is a thread of its own; here sources and sinks share one event loop. After a
// READY batch the loop goes again at once for up to SLICE_MS, then lets I/O in: a sink whose
// batches complete without I/O (null, a memory-to-memory hop) keeps up with sources that put
// several batches per turn of the loop, so the channel (and the request buffers its events
// hold) stays small, and no source waits longer than a slice.
import type { Channel } from './channel.js';
import { errorText } from './errors.js';
import type { Logger } from './log.js';
import type { SinkProcessor } from './sink-processor.js';
import { performance } from 'node:perf_hooks';
import { Sleeper, yieldToIo } from './timers.js';

/** Longest run of READY batches between two turns of the event loop. */
const SLICE_MS = 2;

export interface SinkRunnerOptions {
  backoffSleepIncrement?: number;
  maxBackoffSleep?: number;
}

export class SinkRunner {
  private state: 'idle' | 'running' | 'draining' | 'stopping' = 'idle';
  private loop: Promise<void> | undefined;
  private readonly sleeper = new Sleeper();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly increment: number;
  private readonly maxBackoff: number;
  private waitingForData = false;
  private drainDeadline = 0;

  constructor(
    readonly processor: SinkProcessor,
    readonly channels: readonly Channel[],
    private readonly log: Logger,
    options: SinkRunnerOptions = {},
  ) {
    this.increment = options.backoffSleepIncrement ?? 1000;
    this.maxBackoff = options.maxBackoffSleep ?? 5000;
  }

  start(): void {
    if (this.state !== 'idle') return;
    for (const c of this.channels) {
      const off = c.onAvailable?.(() => {
        if (this.waitingForData) this.sleeper.wake();
      });
      if (off) this.unsubscribe.push(off);
    }
    this.state = 'running';
    this.loop = this.run();
  }

  private empty(): boolean {
    return this.channels.every((c) => c.size() === 0);
  }

  /** Keeps delivering until the channels are empty or `timeoutMs` has passed, then stops. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.state === 'running') {
      this.state = 'draining';
      this.drainDeadline = Date.now() + timeoutMs;
      this.sleeper.wake();
    }
    await this.loop;
    return this.empty();
  }

  async stop(): Promise<void> {
    if (this.state === 'idle') return;
    this.state = 'stopping';
    this.sleeper.wake();
    await this.loop;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private shouldRun(): boolean {
    if (this.state === 'running') return true;
    if (this.state === 'draining') return Date.now() < this.drainDeadline && !this.empty();
    return false;
  }

  private async pause(ms: number, wakeOnData: boolean): Promise<void> {
    if (wakeOnData && !this.empty()) return; // events arrived since the last take
    if (this.state === 'draining') ms = Math.max(0, Math.min(ms, this.drainDeadline - Date.now()));
    this.waitingForData = wakeOnData;
    await this.sleeper.sleep(ms);
    this.waitingForData = false;
  }

  private async run(): Promise<void> {
    let consecutive = 0;
    let sliceStart = performance.now();
    while (this.shouldRun()) {
      try {
        const status = await this.processor.process();
        if (status === 'BACKOFF') {
          consecutive++;
          if (this.state === 'draining' && this.empty()) break;
          await this.pause(Math.min(consecutive * this.increment, this.maxBackoff), true);
        } else {
          consecutive = 0;
          if (performance.now() - sliceStart >= SLICE_MS) {
            await yieldToIo();
            sliceStart = performance.now();
          }
        }
      } catch (e) {
        this.log.error(`unable to deliver events: ${errorText(e)}`);
        await this.pause(this.maxBackoff, false);
      }
    }
    this.state = this.state === 'stopping' || this.state === 'draining' ? 'stopping' : this.state;
  }
}

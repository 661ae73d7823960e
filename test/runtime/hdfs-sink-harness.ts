// Runs the hdfs sink directly on a memory channel, with a fake clock for its roll and idle timers,
// over real files (or a real HDFS): the tests drive it batch by batch.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { putBatch } from '../../runtime/core/channel.js';
import type { Sink } from '../../runtime/core/component.js';
import { makeEvent, newHeaders, type Event } from '../../runtime/core/event.js';
import { Logger } from '../../runtime/core/log.js';
import { MetricsRegistry } from '../../runtime/core/metrics.js';
import { MemoryChannel } from '../../runtime/channels/memory.js';
import type { SinkClock } from '../../runtime/sinks/hdfs/bucket-writer.js';
import { createHdfsSink } from '../../runtime/sinks/hdfs.js';
import { configsOf } from './helpers.js';

/** A clock that moves only when told; timers run in time order as it passes them. */
export class FakeClock implements SinkClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  schedule(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  get scheduled(): number {
    return this.timers.length;
  }
}

export interface SinkHarness {
  sink: Sink;
  channel: MemoryChannel;
  clock: FakeClock;
  metrics: MetricsRegistry;
  lines: string[];
  put(events: Event[]): Promise<void>;
  /** Runs process() until the channel is empty; returns the errors it threw. */
  drain(): Promise<Error[]>;
  /** put() then drain(): the events written as far as the sink gets; returns the errors it threw. */
  write(events: Event[]): Promise<Error[]>;
  /** Waits until the sink's queued work (timer closes) has run: one more process() on an empty channel. */
  settle(): Promise<void>;
  /** Moves the clock on by `ms` (its timers run) and then settle()s. */
  pass(ms: number): Promise<void>;
}

/** A sink `k : hdfs { <props> }` fed by a memory channel of the given capacity. */
export async function hdfsSink(props: string, opts: { clock?: FakeClock; capacity?: number } = {}): Promise<SinkHarness> {
  const capacity = opts.capacity ?? 100_000;
  const [agent] = configsOf(`agent a {
    source s : seq
    channel c : memory { capacity = ${capacity}, transactionCapacity = ${capacity} }
    sink k : hdfs { ${props} }
    s -> c -> k }`);
  const config = agent!.sinks.find((k) => k.name === 'k')!;
  const channel = new MemoryChannel('c', capacity, capacity, 0, 1 << 30, 20);
  const clock = opts.clock ?? new FakeClock();
  const metrics = new MetricsRegistry('a');
  const { log, lines } = Logger.memory('debug');
  const sink = createHdfsSink(
    config,
    { agent: 'a', name: 'k', log: log.child('k'), metrics, channel, fail: (e) => lines.push(`FAIL ${String(e)}`) },
    { clock },
  );
  await sink.start();
  const harness: SinkHarness = {
    sink,
    channel,
    clock,
    metrics,
    lines,
    put: (events) => putBatch(channel, events),
    async drain() {
      const errors: Error[] = [];
      while (channel.size() > 0) {
        try {
          await sink.process();
        } catch (e) {
          errors.push(e as Error);
          if (errors.length > 3) break;
        }
      }
      return errors;
    },
    async write(events) {
      await harness.put(events);
      return harness.drain();
    },
    async settle() {
      await sink.process();
    },
    async pass(ms) {
      clock.advance(ms);
      await harness.settle();
    },
  };
  return harness;
}

export function ev(body: string, headers: Record<string, string> = {}): Event {
  const h = newHeaders();
  Object.assign(h, headers);
  return makeEvent(body, h);
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

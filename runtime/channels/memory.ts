// The memory channel: a bounded in-memory queue with Flume's transaction rules.
//  - A transaction holds at most `transactionCapacity` puts and as many takes.
//  - A commit that grows the channel needs room: first body bytes (counted in 100-byte slots
//    against byteCapacity less byteCapacityBufferPercentage), then queue slots (capacity). It
//    waits up to `keep-alive` seconds for sinks to make room, then fails: Flume's "channel full".
//  - Taken events keep their slot until their transaction commits; a rollback puts them back at
//    the head of the queue in their original order.
import { getHeapStatistics } from 'node:v8';
import type { Channel, Transaction } from '../core/channel.js';
import type { ChannelFactory, ComponentContext } from '../core/component.js';
import type { ComponentConfig } from '../core/config.js';
import { ConfigError, need, paramNumber } from '../core/config.js';
import { Deque } from '../core/deque.js';
import { ChannelException, ChannelFullException } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { ChannelCounter } from '../core/metrics.js';
import { SpaceWaiters } from '../core/timers.js';

const SLOT_BYTES = 100;

function slots(e: Event): number {
  return Math.max(1, Math.ceil(e.body.length / SLOT_BYTES));
}

export class MemoryChannel implements Channel {
  readonly counter: ChannelCounter;
  private readonly queue: Deque<Event>;
  /** Events taken by open transactions: they hold their slots until commit. */
  private outstandingTakes = 0;
  /** Byte slots held by queued events and outstanding takes. */
  private bytesUsed = 0;
  private readonly byteSlots: number;
  private readonly available = new Set<() => void>();
  private readonly spaceWaiters = new SpaceWaiters();

  constructor(
    readonly name: string,
    readonly capacity: number,
    readonly transactionCapacity: number,
    readonly keepAliveMs: number,
    byteCapacity: number,
    byteCapacityBufferPercentage: number,
    private readonly ctx?: ComponentContext,
  ) {
    if (transactionCapacity > capacity) {
      throw new ConfigError(`channel \`${name}\`: transactionCapacity ${transactionCapacity} is larger than capacity ${capacity}`);
    }
    this.queue = new Deque<Event>(Math.min(capacity, 1024));
    const usable = Math.floor((byteCapacity * (1 - byteCapacityBufferPercentage / 100)) / SLOT_BYTES);
    this.byteSlots = usable < 1 ? Number.MAX_SAFE_INTEGER : usable;
    this.counter = new ChannelCounter(name, () => this.queue.length, capacity);
  }

  start(): void {
    this.ctx?.metrics.register(this.counter);
    this.counter.start();
  }

  stop(): void {
    this.counter.stop();
    this.spaceWaiters.wakeAll();
  }

  size(): number {
    return this.queue.length;
  }

  onAvailable(listener: () => void): () => void {
    this.available.add(listener);
    return () => this.available.delete(listener);
  }

  getTransaction(): Transaction {
    return new MemoryTransaction(this);
  }

  // ---- used by MemoryTransaction ----

  /** @internal */ takeOne(): Event | undefined {
    const e = this.queue.popFront();
    if (e !== undefined) this.outstandingTakes++;
    return e;
  }

  /** @internal */ takeInto(out: Event[], max: number): number {
    const n = this.queue.popInto(out, max);
    this.outstandingTakes += n;
    return n;
  }

  /** @internal */ hasRoom(puts: number, putBytes: number, takes: number, takeBytes: number): 'ok' | 'bytes' | 'slots' {
    const needSlots = puts - takes;
    const needBytes = putBytes - takeBytes;
    if (needBytes > 0 && this.bytesUsed + needBytes > this.byteSlots) return 'bytes';
    if (needSlots > 0 && this.queue.length + this.outstandingTakes + needSlots > this.capacity) return 'slots';
    return 'ok';
  }

  /** @internal */ async waitForRoom(puts: number, putBytes: number, takes: number, takeBytes: number): Promise<void> {
    const deadline = Date.now() + this.keepAliveMs;
    for (;;) {
      const room = this.hasRoom(puts, putBytes, takes, takeBytes);
      if (room === 'ok') return;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (room === 'bytes') {
          throw new ChannelException(
            `channel \`${this.name}\` has no room for ${putBytes * SLOT_BYTES} more bytes of event bodies (byteCapacity reached); ` +
              'the sinks are not keeping up with the sources, or byteCapacity is too small',
          );
        }
        throw new ChannelFullException(
          `channel \`${this.name}\` is full (capacity ${this.capacity}): no room for ${puts - takes} more events within keep-alive; ` +
            'the sinks are not keeping up with the sources, or the capacity is too small',
        );
      }
      await this.spaceWaiters.wait(left);
    }
  }

  /** @internal */ apply(puts: Event[], putBytes: number, takes: number, takeBytes: number): void {
    this.queue.pushAll(puts);
    this.outstandingTakes -= takes;
    this.bytesUsed += putBytes - takeBytes;
    this.counter.putSuccess += puts.length;
    this.counter.takeSuccess += takes;
    if (takes > 0) this.spaceFreed();
    if (puts.length > 0) for (const l of this.available) l();
  }

  /** @internal */ rollbackTakes(taken: Event[], takeBytes: number): void {
    for (let i = taken.length - 1; i >= 0; i--) this.queue.pushFront(taken[i]!);
    this.outstandingTakes -= taken.length;
    void takeBytes; // the bytes were never released
    if (taken.length > 0) for (const l of this.available) l();
  }

  private spaceFreed(): void {
    this.spaceWaiters.wakeAll();
  }
}

class MemoryTransaction implements Transaction {
  private state: 'new' | 'open' | 'committing' | 'done' = 'new';
  private puts: Event[] = [];
  private putBytes = 0;
  private takes: Event[] = [];
  private takeBytes = 0;

  constructor(private readonly ch: MemoryChannel) {}

  begin(): void {
    if (this.state !== 'new') throw new ChannelException('a transaction can be begun only once');
    this.state = 'open';
  }

  put(event: Event): void {
    this.open('put');
    this.ch.counter.putAttempt++;
    if (this.puts.length >= this.ch.transactionCapacity) throw this.putListFull();
    this.puts.push(event);
    this.putBytes += slots(event);
  }

  putAll(events: readonly Event[]): void {
    this.open('put');
    const puts = this.puts;
    const room = this.ch.transactionCapacity - puts.length;
    const n = Math.min(events.length, room);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const e = events[i]!;
      puts.push(e);
      bytes += slots(e);
    }
    this.putBytes += bytes;
    if (n < events.length) {
      this.ch.counter.putAttempt += n + 1;
      throw this.putListFull();
    }
    this.ch.counter.putAttempt += n;
  }

  take(): Event | null {
    this.open('take');
    if (this.takes.length >= this.ch.transactionCapacity) throw this.takeListFull();
    this.ch.counter.takeAttempt++;
    const e = this.ch.takeOne();
    if (e === undefined) return null;
    this.takes.push(e);
    this.takeBytes += slots(e);
    return e;
  }

  takeInto(out: Event[], max: number): number {
    this.open('take');
    const ch = this.ch;
    const takes = this.takes;
    const room = ch.transactionCapacity - takes.length;
    const from = out.length;
    const n = ch.takeInto(out, Math.min(max, room));
    let bytes = 0;
    for (let i = from; i < from + n; i++) {
      const e = out[i]!;
      takes.push(e);
      bytes += slots(e);
    }
    this.takeBytes += bytes;
    // As take per event: one attempt per event taken, one more for the take that found the
    // channel empty, or for the one that found the take list full.
    if (n < max && n === room) {
      ch.counter.takeAttempt += n;
      throw this.takeListFull();
    }
    ch.counter.takeAttempt += n < max ? n + 1 : n;
    return n;
  }

  private putListFull(): ChannelException {
    return new ChannelException(
      `the put list of a transaction on channel \`${this.ch.name}\` is full (transactionCapacity ${this.ch.transactionCapacity}); ` +
        'commit more often or raise transactionCapacity',
    );
  }

  private takeListFull(): ChannelException {
    return new ChannelException(
      `the take list of a transaction on channel \`${this.ch.name}\` is full (transactionCapacity ${this.ch.transactionCapacity}); ` +
        'take smaller batches or raise transactionCapacity',
    );
  }

  /** Synchronous when the channel has room; otherwise waits up to keep-alive for it. */
  commit(): void | Promise<void> {
    this.open('commit');
    const ch = this.ch;
    const n = this.puts.length;
    const t = this.takes.length;
    if (ch.hasRoom(n, this.putBytes, t, this.takeBytes) === 'ok') {
      this.finish();
      return;
    }
    this.state = 'committing';
    return ch.waitForRoom(n, this.putBytes, t, this.takeBytes).then(
      () => this.finish(),
      (e) => {
        this.state = 'open';
        throw e;
      },
    );
  }

  private finish(): void {
    this.ch.apply(this.puts, this.putBytes, this.takes.length, this.takeBytes);
    this.state = 'done';
    this.puts = [];
    this.takes = [];
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.ch.rollbackTakes(this.takes, this.takeBytes);
    this.state = 'done';
    this.puts = [];
    this.takes = [];
  }

  close(): void {
    if (this.state === 'open') this.rollback();
    if (this.state !== 'committing') this.state = 'done';
  }

  private open(what: string): void {
    if (this.state !== 'open') throw new ChannelException(`cannot ${what}: the transaction is not open`);
  }
}

const create: ChannelFactory = (config: ComponentConfig, ctx) => {
  const p = config.params;
  const n = (k: string) => need(paramNumber(p, k), config.name, k);
  const byteCapacity = paramNumber(p, 'byteCapacity') ?? Math.floor(getHeapStatistics().heap_size_limit * 0.8);
  return new MemoryChannel(
    config.name,
    n('capacity'),
    n('transactionCapacity'),
    n('keep-alive') * 1000,
    byteCapacity,
    n('byteCapacityBufferPercentage'),
    ctx,
  );
};

export default create;

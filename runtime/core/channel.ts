// Flume's channel and transaction. Sources put inside a transaction, sinks take inside one;
// a commit makes the puts visible (or the takes final), a rollback undoes them — a rollback of
// takes puts the events back at the head of the channel, in their original order.
//
// Node runs one thread, so a transaction is an object the caller holds (not thread-bound state
// as in Java). `put` and `take` are synchronous: a channel keeps its queue (or, for a durable
// channel, the pointers to its records) in memory and may do its I/O at commit. `commit` and
// `rollback` may return a promise; callers always await them. A durable file channel plugs in
// through this same interface.
import type { Event } from './event.js';

export interface Transaction {
  begin(): void;
  /** Adds an event to the transaction; throws ChannelException when the put list is full. */
  put(event: Event): void;
  /** The next event, or null when the channel is empty; throws ChannelException when the take list is full. */
  take(): Event | null;
  /**
   * Optional, for speed: `put` of each event in order, with the same effect (counters, and the
   * same exception at the same event when the put list fills up).
   */
  putAll?(events: readonly Event[]): void;
  /**
   * Optional, for speed: `take` up to `max` times, stopping at the first null, pushing each event
   * onto `out`, with the same effect as those calls; returns how many events it took.
   */
  takeInto?(out: Event[], max: number): number;
  commit(): void | Promise<void>;
  rollback(): void | Promise<void>;
  /** Ends the transaction; one that was neither committed nor rolled back is rolled back. */
  close(): void;
}

export interface Lifecycle {
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

export interface Channel extends Lifecycle {
  readonly name: string;
  /**
   * The most events one transaction may put (a memory channel's transactionCapacity), when the
   * channel has such a limit. Sources whose batches need not be all-or-nothing split theirs to
   * fit (see ChannelProcessor.maxBatch).
   */
  readonly transactionCapacity?: number;
  getTransaction(): Transaction;
  /** Events in the channel, committed and not yet taken. */
  size(): number;
  /**
   * Calls `listener` when a commit has made events available to take. Optional: without it,
   * sinks poll with Flume's backoff. Returns a function that removes the listener.
   */
  onAvailable?(listener: () => void): () => void;
}

/** Puts a batch on a channel in one transaction; rolls back and rethrows on any failure. */
export async function putBatch(channel: Channel, events: readonly Event[]): Promise<void> {
  const tx = channel.getTransaction();
  tx.begin();
  try {
    if (tx.putAll) tx.putAll(events);
    else for (let i = 0; i < events.length; i++) tx.put(events[i]!);
    await tx.commit();
  } catch (e) {
    try {
      await tx.rollback();
    } catch {
      // the original failure is what matters
    }
    throw e;
  } finally {
    tx.close();
  }
}

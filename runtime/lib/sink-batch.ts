// The shape of most sinks' `process`: take up to batchSize events in one transaction, deliver
// them, commit; on a failure roll back (the events go back to the head of the channel) and
// throw EventDeliveryException. Counts Flume's sink attributes on the way.
//
// `processBatch` has one batch at a time, as Flume's sinks do. `BatchPipeline` lets a sink keep
// several batches in flight, each in its own transaction, for a destination that answers
// requests in turn on one connection (a Kafka broker): the sink takes and sends the next batch
// while the previous ones wait for their acknowledgements, and each take commits only when its
// own batch is acknowledged. A failure rolls back that batch alone; it is reported (thrown) by
// the next `process()` call once every batch in flight has settled.
import type { Channel, Transaction } from '../core/channel.js';
import type { Status } from '../core/component.js';
import { ChannelException, EventDeliveryException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import type { SinkCounter } from '../core/metrics.js';

type Deliver = (events: Event[]) => void | Promise<void>;

/** Takes up to `max` events of a begun transaction onto `out` (counting a failed take); returns how many. */
export function takeOnto(tx: Transaction, out: Event[], max: number, counter: SinkCounter | undefined): number {
  const before = out.length;
  try {
    if (tx.takeInto) tx.takeInto(out, max);
    else {
      for (let i = 0; i < max; i++) {
        const e = tx.take();
        if (e === null) break;
        out.push(e);
      }
    }
  } catch (e) {
    if (counter) counter.channelReadFail++;
    throw e;
  }
  return out.length - before;
}

/** Up to batchSize events of a begun transaction. */
function takeBatch(tx: Transaction, batchSize: number, counter: SinkCounter | undefined): Event[] {
  const events: Event[] = [];
  takeOnto(tx, events, batchSize, counter);
  counter?.batch(events.length, batchSize);
  return events;
}

/** Rolls back (keeping the first error) and says what failed, as an EventDeliveryException. */
async function failed(tx: Transaction, e: unknown, events: number): Promise<EventDeliveryException> {
  try {
    await tx.rollback();
  } catch {
    // keep the first error
  }
  if (e instanceof EventDeliveryException) return e;
  const what = e instanceof ChannelException ? 'could not take from the channel' : `could not deliver ${events} event(s)`;
  return new EventDeliveryException(`${what}: ${errorText(e)}`);
}

/** Delivers a taken batch and commits its take; on a failure rolls it back and throws. Closes the transaction. */
async function deliverAndCommit(tx: Transaction, events: Event[], deliver: Deliver, counter: SinkCounter | undefined): Promise<void> {
  try {
    if (counter) counter.eventDrainAttempt += events.length;
    try {
      await deliver(events);
    } catch (e) {
      if (counter) counter.eventWriteFail++;
      throw e;
    }
    await tx.commit();
    if (counter) counter.eventDrainSuccess += events.length;
  } catch (e) {
    throw await failed(tx, e, events.length);
  } finally {
    tx.close();
  }
}

/** Begins a transaction and takes a batch; an empty take is committed and closed. */
async function begin(channel: Channel, batchSize: number, counter: SinkCounter | undefined): Promise<{ tx: Transaction; events: Event[] } | undefined> {
  const tx = channel.getTransaction();
  tx.begin();
  try {
    const events = takeBatch(tx, batchSize, counter);
    if (events.length > 0) return { tx, events };
    await tx.commit();
  } catch (e) {
    const error = await failed(tx, e, 0);
    tx.close();
    throw error;
  }
  tx.close();
  return undefined;
}

export async function processBatch(channel: Channel, batchSize: number, deliver: Deliver, counter?: SinkCounter): Promise<Status> {
  const taken = await begin(channel, batchSize, counter);
  if (!taken) return 'BACKOFF';
  await deliverAndCommit(taken.tx, taken.events, deliver, counter);
  return taken.events.length < batchSize ? 'BACKOFF' : 'READY';
}

/** Up to `window` batches in flight at once (1: exactly `processBatch`). */
export class BatchPipeline {
  private readonly inflight = new Set<Promise<void>>();
  private failure: EventDeliveryException | undefined;

  constructor(
    private readonly channel: Channel,
    private readonly batchSize: number,
    private readonly window: number,
    private readonly deliver: Deliver,
    private readonly counter?: SinkCounter,
  ) {}

  async process(): Promise<Status> {
    await this.belowWindow();
    const taken = await begin(this.channel, this.batchSize, this.counter);
    if (!taken) {
      await this.settled();
      return 'BACKOFF';
    }
    const sent: Promise<void> = deliverAndCommit(taken.tx, taken.events, this.deliver, this.counter)
      .catch((e: EventDeliveryException) => {
        this.failure ??= e;
      })
      .finally(() => this.inflight.delete(sent));
    this.inflight.add(sent);
    // A partial batch means the channel is empty now: answer once everything sent is settled,
    // so that an idle (or draining) sink has nothing in flight.
    if (taken.events.length < this.batchSize) {
      await this.settled();
      return 'BACKOFF';
    }
    await this.belowWindow();
    return 'READY';
  }

  /** Waits until every batch in flight has been acknowledged or rolled back; throws the first failure. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all(this.inflight);
    this.throwFailure();
  }

  private async belowWindow(): Promise<void> {
    while (this.inflight.size >= this.window) await Promise.race(this.inflight);
    if (this.failure) await this.settled();
  }

  private throwFailure(): void {
    const f = this.failure;
    this.failure = undefined;
    if (f) throw f;
  }
}

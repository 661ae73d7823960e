// Flume's ChannelProcessor: what a source hands its events to. Interceptors run in order, then
// the selector; each required channel gets one transaction with all of its events (a failure
// is rolled back and thrown to the source, so the source can reject the batch); optional
// channels get the same best-effort, their failures only logged.
import { putBatch, type Channel } from './channel.js';
import { ChannelException, errorText } from './errors.js';
import { newHeaders, type Event } from './event.js';
import { interceptAll, type Interceptor } from './interceptor.js';
import type { Logger } from './log.js';
import type { ChannelSelector } from './selector.js';

export class ChannelProcessor {
  /**
   * The largest batch that every channel of the source takes in one transaction (the smallest
   * transactionCapacity). Flume's netcat and syslog sources put one event per transaction; their
   * runtime versions batch what arrives together, and split the batch into pieces of this size,
   * so that a burst never fails only for being larger than a transaction. (The HTTP source does
   * not split: a request is all or nothing, as in Flume.)
   */
  readonly maxBatch: number;
  /**
   * The most events an all-or-nothing batch (an HTTP request) can hold and still be taken:
   * past it a required channel's transaction is sure to overflow. Interceptors may drop events,
   * so with any of them there is no such bound here. With a uniform selector every required
   * channel takes the whole batch; otherwise the events are shared out, at most each channel's
   * transactionCapacity to each.
   */
  readonly maxAllOrNothingBatch: number;

  constructor(
    readonly selector: ChannelSelector,
    readonly interceptors: readonly Interceptor[],
    private readonly log?: Logger,
  ) {
    let max = Number.POSITIVE_INFINITY;
    for (const c of selector.channels) if (c.transactionCapacity !== undefined && c.transactionCapacity < max) max = c.transactionCapacity;
    this.maxBatch = Math.max(1, max);
    this.maxAllOrNothingBatch = interceptors.length > 0 ? Number.POSITIVE_INFINITY : largestTakenBatch(selector);
  }

  processEvent(event: Event): Promise<void> {
    return this.processEventBatch([event]);
  }

  async processEventBatch(events: Event[]): Promise<void> {
    let batch = events;
    for (const i of this.interceptors) {
      batch = interceptAll(i, batch);
      if (batch.length === 0) return;
    }
    const sel = this.selector;
    if (sel.uniform) {
      const first = batch[0]!;
      for (const c of sel.getRequiredChannels(first)) await this.required(c, batch);
      for (const c of sel.getOptionalChannels(first)) await this.optional(c, batch);
      return;
    }
    const req = new Map<Channel, Event[]>();
    const opt = new Map<Channel, Event[]>();
    for (const e of batch) {
      for (const c of sel.getRequiredChannels(e)) add(req, c, e);
      for (const c of sel.getOptionalChannels(e)) add(opt, c, e);
    }
    for (const [c, list] of req) await this.required(c, list);
    for (const [c, list] of opt) await this.optional(c, list);
  }

  private async required(c: Channel, events: Event[]): Promise<void> {
    try {
      await putBatch(c, events);
    } catch (e) {
      if (e instanceof ChannelException) throw e;
      throw new ChannelException(`could not put the batch on required channel \`${c.name}\`: ${errorText(e)}`);
    }
  }

  private async optional(c: Channel, events: Event[]): Promise<void> {
    try {
      await putBatch(c, events);
    } catch (e) {
      this.log?.warn(`could not put the batch on optional channel \`${c.name}\`: ${errorText(e)}`);
    }
  }
}

function largestTakenBatch(sel: ChannelSelector): number {
  const capacity = (c: Channel) => c.transactionCapacity ?? Number.POSITIVE_INFINITY;
  if (sel.uniform) {
    let min = Number.POSITIVE_INFINITY;
    for (const c of sel.getRequiredChannels({ headers: newHeaders(), body: Buffer.alloc(0) })) min = Math.min(min, capacity(c));
    return Math.max(1, min);
  }
  let sum = 0;
  for (const c of sel.channels) sum += capacity(c);
  return Math.max(1, sum);
}

function add(m: Map<Channel, Event[]>, c: Channel, e: Event): void {
  const list = m.get(c);
  if (list) list.push(e);
  else m.set(c, [e]);
}

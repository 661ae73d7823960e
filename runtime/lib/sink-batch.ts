// The shape of most sinks' `process`: take up to batchSize events in one transaction, deliver
// them, commit; on a failure roll back (the events go back to the head of the channel) and
// throw EventDeliveryException. Counts Flume's sink attributes on the way.
import type { Channel } from '../core/channel.js';
import type { Status } from '../core/component.js';
import { ChannelException, EventDeliveryException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import type { SinkCounter } from '../core/metrics.js';

export async function processBatch(
  channel: Channel,
  batchSize: number,
  deliver: (events: Event[]) => void | Promise<void>,
  counter?: SinkCounter,
): Promise<Status> {
  const tx = channel.getTransaction();
  tx.begin();
  let events: Event[] = [];
  try {
    try {
      if (tx.takeInto) tx.takeInto(events, batchSize);
      else {
        for (let i = 0; i < batchSize; i++) {
          const e = tx.take();
          if (e === null) break;
          events.push(e);
        }
      }
    } catch (e) {
      if (counter) counter.channelReadFail++;
      throw e;
    }
    counter?.batch(events.length, batchSize);
    if (events.length === 0) {
      await tx.commit();
      return 'BACKOFF';
    }
    if (counter) counter.eventDrainAttempt += events.length;
    try {
      await deliver(events);
    } catch (e) {
      if (counter) counter.eventWriteFail++;
      throw e;
    }
    await tx.commit();
    if (counter) counter.eventDrainSuccess += events.length;
    return events.length < batchSize ? 'BACKOFF' : 'READY';
  } catch (e) {
    try {
      await tx.rollback();
    } catch {
      // keep the first error
    }
    if (e instanceof EventDeliveryException) throw e;
    const what = e instanceof ChannelException ? 'could not take from the channel' : `could not deliver ${events.length} event(s)`;
    throw new EventDeliveryException(`${what}: ${errorText(e)}`);
  } finally {
    tx.close();
    events = [];
  }
}

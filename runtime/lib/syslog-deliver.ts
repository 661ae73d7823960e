// Hands the records read from one syslog TCP connection to the channels, counted the way
// Flume's syslog sources count them. A batch the channels refuse is lost and logged: Flume's
// syslog sources do not retry, and a TCP syslog client has no way to be told.
import type { SourceContext } from '../core/component.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import type { SourceCounter } from '../core/metrics.js';
import { addClientHeaders } from './client-headers.js';

export interface SyslogDelivery {
  ctx: SourceContext;
  counter: SourceCounter;
  ipHeader?: string | undefined;
  hostHeader?: string | undefined;
}

/** Delivers `all` in batches of at most `maxBatch` events. */
export async function deliverSyslog(d: SyslogDelivery, all: Event[], ip: string, maxBatch: number): Promise<void> {
  for (let i = 0; i < all.length; i += maxBatch) {
    const events = i === 0 && all.length <= maxBatch ? all : all.slice(i, i + maxBatch);
    d.counter.eventReceived += events.length;
    d.counter.appendBatchReceived++;
    try {
      await addClientHeaders(events, ip, d.ipHeader, d.hostHeader);
      await d.ctx.processor.processEventBatch(events);
      d.counter.eventAccepted += events.length;
      d.counter.appendBatchAccepted++;
    } catch (e) {
      d.counter.channelWriteFail++;
      d.ctx.log.warn(`lost ${events.length} syslog record(s) the channels refused: ${errorText(e)}`);
    }
  }
}

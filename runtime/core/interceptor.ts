// Flume's interceptor: sees every event a source produces, before the selector. Returning null
// drops the event. `interceptBatch` may be given for speed; otherwise the chain calls
// `intercept` per event.
import type { Event } from './event.js';

export interface Interceptor {
  initialize?(): void | Promise<void>;
  intercept(event: Event): Event | null;
  interceptBatch?(events: Event[]): Event[];
  close?(): void;
}

/** Runs one interceptor over a batch; reuses the array when nothing is dropped or replaced. */
export function interceptAll(i: Interceptor, events: Event[]): Event[] {
  if (i.interceptBatch) return i.interceptBatch(events);
  let out: Event[] | undefined;
  for (let n = 0; n < events.length; n++) {
    const e = events[n]!;
    const r = i.intercept(e);
    if (r === e && out === undefined) continue;
    if (out === undefined) out = events.slice(0, n);
    if (r !== null) out.push(r);
  }
  return out ?? events;
}

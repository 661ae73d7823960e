// The sequence generator: bodies "0", "1", "2", ... in batches of batchSize, up to totalEvents
// (unlimited when unset). The counter advances only when a batch was accepted. The bodies of a
// batch are slices of one buffer.
import type { PollableSource, SourceFactory, Status } from '../core/component.js';
import { need, paramNumber } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';

/**
 * Events with the bodies `first`, `first + 1`, … (`n` of them): the decimal digits of the whole
 * batch are written into one buffer, each body a slice of it.
 */
function bodies(first: number, n: number): Event[] {
  const last = first + n - 1;
  const width = String(last).length;
  const buf = Buffer.allocUnsafe(n * width);
  const batch: Event[] = new Array(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    let v = first + i;
    let len: number;
    if (last <= 0x7fffffff) {
      // int32 arithmetic: digits from the right.
      len = 1;
      for (let t = v; t >= 10; t = (t / 10) | 0) len++;
      for (let p = off + len - 1; p >= off; p--) {
        const q = (v / 10) | 0;
        buf[p] = 0x30 + v - q * 10;
        v = q;
      }
    } else {
      const text = String(v);
      len = text.length;
      for (let k = 0; k < len; k++) buf[off + k] = text.charCodeAt(k);
    }
    batch[i] = { headers: newHeaders(), body: buf.subarray(off, off + len) };
    off += len;
  }
  return batch;
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const batchSize = need(paramNumber(p, 'batchSize'), config.name, 'batchSize');
  const total = paramNumber(p, 'totalEvents') ?? Number.MAX_SAFE_INTEGER;
  const counter = new SourceCounter(config.name);
  let sent = 0;
  const source: PollableSource = {
    driver: 'poll',
    backoffSleepIncrement: need(paramNumber(p, 'backoffSleepIncrement'), config.name, 'backoffSleepIncrement'),
    maxBackoffSleep: need(paramNumber(p, 'maxBackoffSleep'), config.name, 'maxBackoffSleep'),
    start() {
      ctx.metrics.register(counter);
      counter.start();
    },
    stop() {
      counter.stop();
    },
    async process(): Promise<Status> {
      const n = Math.min(batchSize, total - sent);
      if (n <= 0) return 'BACKOFF';
      const batch = bodies(sent, n);
      if (n === 1) counter.appendReceived++;
      else counter.appendBatchReceived++;
      counter.eventReceived += n;
      try {
        await ctx.processor.processEventBatch(batch);
      } catch (e) {
        if (!(e instanceof ChannelException)) throw e;
        counter.channelWriteFail++;
        ctx.log.warn(`could not write to the channel: ${errorText(e)}`);
        return 'BACKOFF';
      }
      sent += n;
      if (n === 1) counter.appendAccepted++;
      else counter.appendBatchAccepted++;
      counter.eventAccepted += n;
      return n < batchSize ? 'BACKOFF' : 'READY';
    },
  };
  return source;
};

export default create;

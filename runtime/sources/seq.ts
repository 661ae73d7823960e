// The sequence generator: bodies "0", "1", "2", ... in batches of batchSize, up to totalEvents
// (unlimited when unset). The counter advances only when a batch was accepted.
import type { PollableSource, SourceFactory, Status } from '../core/component.js';
import { need, paramNumber } from '../core/config.js';
import { ChannelException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';

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
      const batch: Event[] = new Array(n);
      for (let i = 0; i < n; i++) batch[i] = { headers: {}, body: Buffer.from(String(sent + i)) };
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

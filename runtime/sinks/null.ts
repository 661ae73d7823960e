// The null sink: takes events in batches and discards them, logging a line every
// logEveryNEvents events.
import type { SinkFactory } from '../core/component.js';
import { need, paramNumber } from '../core/config.js';
import { processBatch } from '../lib/sink-batch.js';

const create: SinkFactory = (config, ctx) => {
  const batchSize = need(paramNumber(config.params, 'batchSize'), config.name, 'batchSize');
  const every = need(paramNumber(config.params, 'logEveryNEvents'), config.name, 'logEveryNEvents');
  let count = 0;
  return {
    process: () =>
      processBatch(ctx.channel, batchSize, (events) => {
        const before = Math.floor(count / every);
        count += events.length;
        if (Math.floor(count / every) > before) ctx.log.info(`discarded ${count} events so far`);
      }),
  };
};

export default create;

// The syslog UDP source: one datagram, one syslog record (see runtime/lib/syslog.ts). Records
// that arrive together are written as one batch; refused ones are counted and dropped.
import { createSocket, type Socket } from 'node:dgram';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { need, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { Batcher } from '../lib/batcher.js';
import { addClientHeaders } from '../lib/client-headers.js';
import { bindUdp, hostForUrl } from '../lib/net.js';
import { chooseKeepFields, SyslogDecoder } from '../lib/syslog.js';
import { customFormat } from './syslogtcp.js';

/** Flume's SyslogUtils default record size, which the UDP source always uses. */
const UDP_EVENT_SIZE = 2500;

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = paramString(p, 'host') ?? '0.0.0.0';
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const ipHeader = paramString(p, 'clientIPHeader');
  const hostHeader = paramString(p, 'clientHostnameHeader');
  const decoder = new SyslogDecoder(UDP_EVENT_SIZE, chooseKeepFields(paramString(p, 'keepFields')), true, customFormat(p), `source \`${config.name}\``);
  const counter = new SourceCounter(config.name);
  let socket: Socket | undefined;
  let boundPort = port;
  const batcher = new Batcher<{ e: Event; ip: string }>(async (items) => {
    const events = items.map((i) => i.e);
    counter.eventReceived += events.length;
    counter.appendBatchReceived++;
    try {
      if (ipHeader || hostHeader) for (const i of items) await addClientHeaders([i.e], i.ip, ipHeader, hostHeader);
      await ctx.processor.processEventBatch(events);
      counter.eventAccepted += events.length;
      counter.appendBatchAccepted++;
    } catch (e) {
      counter.channelWriteFail++;
      ctx.log.warn(`lost ${events.length} syslog record(s) the channels refused: ${errorText(e)}`);
    }
  }, Math.min(1000, ctx.processor.maxBatch));

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.on('message', (msg, rinfo) => {
        const e = decoder.datagram(msg);
        if (e) batcher.add({ e, ip: rinfo.address });
      });
      boundPort = await bindUdp(socket, host, port);
      socket.on('error', (e) => ctx.fail(e));
    },
    async stop() {
      const s = socket;
      socket = undefined;
      if (s) await new Promise<void>((r) => s.close(() => r()));
      await batcher.flush();
      counter.stop();
    },
    endpoints: () => [`syslog+udp://${hostForUrl(host)}:${boundPort}`],
  };
  return source;
};

export default create;

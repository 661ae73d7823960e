// The netcat UDP source: each datagram, up to its first newline, is an event. The sender
// (`/ip:port`) goes into the header named by `remoteAddress`, when set. Datagrams that arrive
// together are written as one batch; failures are counted and dropped, as UDP allows.
import { createSocket, type Socket } from 'node:dgram';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { need, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import { newHeaders, type Event } from '../core/event.js';
import { bindUdp, hostForUrl } from '../lib/net.js';
import { Batcher } from '../lib/batcher.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = paramString(p, 'bind') ?? '0.0.0.0';
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const header = paramString(p, 'remoteAddress');
  let socket: Socket | undefined;
  let boundPort = port;
  let dropped = 0;
  const batcher = new Batcher<Event>(async (events) => {
    try {
      await ctx.processor.processEventBatch(events);
    } catch (e) {
      dropped += events.length;
      ctx.log.warn(`dropped ${events.length} datagram(s) (${dropped} so far): ${errorText(e)}`);
    }
  }, Math.min(1000, ctx.processor.maxBatch));

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.on('message', (msg, rinfo) => {
        const nl = msg.indexOf(10);
        const headers = newHeaders();
        if (header) headers[header] = `/${rinfo.address}:${rinfo.port}`;
        batcher.add({ headers, body: nl >= 0 ? msg.subarray(0, nl) : msg });
      });
      boundPort = await bindUdp(socket, host, port);
      socket.on('error', (e) => ctx.fail(e));
    },
    async stop() {
      const s = socket;
      socket = undefined;
      if (s) await new Promise<void>((r) => s.close(() => r()));
      await batcher.flush();
    },
    endpoints: () => [`udp://${hostForUrl(host)}:${boundPort}`],
  };
  return source;
};

export default create;

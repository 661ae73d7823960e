// The syslog TCP source: newline-framed syslog records (see runtime/lib/syslog.ts for the
// parsing), the records of each chunk written to the channels as one batch (or several, when
// they are more than a transaction of the channels holds).
import type { Socket } from 'node:net';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { ConfigError, need, paramBool, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { hostForUrl, TcpListener } from '../lib/net.js';
import { chooseKeepFields, SyslogDecoder, type CustomFormat } from '../lib/syslog.js';
import { deliverSyslog } from '../lib/syslog-deliver.js';

export function customFormat(p: Record<string, unknown>): CustomFormat | undefined {
  const regex = p['format.regex'];
  if (typeof regex !== 'string') return undefined;
  const f: CustomFormat = { regex };
  if (typeof p['format.search'] === 'string') f.search = p['format.search'];
  if (typeof p['format.replace'] === 'string') f.replace = p['format.replace'];
  if (typeof p['format.dateFormat'] === 'string') f.dateFormat = p['format.dateFormat'];
  return f;
}

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = paramString(p, 'host') ?? '0.0.0.0';
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const eventSize = need(paramNumber(p, 'eventSize'), config.name, 'eventSize');
  const keep = chooseKeepFields(paramString(p, 'keepFields'));
  const ipHeader = paramString(p, 'clientIPHeader');
  const hostHeader = paramString(p, 'clientHostnameHeader');
  const format = customFormat(p);
  if (paramBool(p, 'ssl')) throw new ConfigError(`source \`${config.name}\`: the runtime does not support TLS for syslogtcp yet`);
  // Compile the formats now, so that a bad format.regex fails at start.
  new SyslogDecoder(eventSize, keep, false, format, `source \`${config.name}\``);
  const counter = new SourceCounter(config.name);
  const listener = new TcpListener(serve, (e) => ctx.fail(e), new Set(), (open) => (counter.openConnections = open));

  function serve(socket: Socket): void {
    const decoder = new SyslogDecoder(eventSize, keep, false, format, `source \`${config.name}\``);
    let busy = Promise.resolve();
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', (e) => ctx.log.debug(`client connection error: ${errorText(e)}`));
    socket.on('data', (chunk: Buffer) => {
      const events: Event[] = [];
      decoder.feed(chunk, events);
      if (events.length === 0) return;
      socket.pause();
      busy = busy
        .then(() => write(events, socket.remoteAddress ?? ''))
        .then(() => {
          if (!closed) socket.resume();
        });
    });
  }

  // In pieces that fit a transaction of every channel.
  const write = (all: Event[], ip: string) => deliverSyslog({ ctx, counter, ipHeader, hostHeader }, all, ip, ctx.processor.maxBatch);

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      await listener.listen(host, port);
    },
    async stop() {
      await listener.close();
      counter.stop();
    },
    endpoints: () => [`syslog+tcp://${hostForUrl(host)}:${listener.port || port}`],
  };
  return source;
};

export default create;

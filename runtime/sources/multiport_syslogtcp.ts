// The multiport syslog TCP source: one server per port of `ports`, newline-framed records cut
// at eventSize (marked Incomplete), parsed by Flume's SyslogParser rules (runtime/lib/syslog.ts),
// decoded with the port's charset (`charset.port.<port>`, else `charset.default`) and written in
// batches of at most batchSize. A record that is not syslog keeps its raw bytes and gets
// `flume.syslog.status: Invalid`.
import type { Socket } from 'node:net';
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import { headersOf, type Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { encodeText } from '../lib/charset.js';
import { hostForUrl, TcpListener } from '../lib/net.js';
import { chooseKeepFields, parseMultiport, STATUS } from '../lib/syslog.js';
import { deliverSyslog } from '../lib/syslog-deliver.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = paramString(p, 'host') ?? '0.0.0.0';
  const ports = need(paramList(p, 'ports'), config.name, 'ports').map(Number);
  const eventSize = need(paramNumber(p, 'eventSize'), config.name, 'eventSize');
  const batchSize = need(paramNumber(p, 'batchSize'), config.name, 'batchSize');
  const keep = chooseKeepFields(paramString(p, 'keepFields'));
  const portHeader = paramString(p, 'portHeader');
  const ipHeader = paramString(p, 'clientIPHeader');
  const hostHeader = paramString(p, 'clientHostnameHeader');
  const defaultCharset = need(paramString(p, 'charset.default'), config.name, 'charset.default');
  if (paramBool(p, 'ssl')) throw new ConfigError(`source \`${config.name}\`: the runtime does not support TLS for multiport_syslogtcp yet`);
  const decoders = new Map<number, { charset: string; decoder: TextDecoder }>();
  for (const port of ports) {
    if (!Number.isInteger(port)) throw new ConfigError(`source \`${config.name}\`: \`${port}\` in ports is not a port number`);
    const charset = paramString(p, `charset.port.${port}`) ?? defaultCharset;
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset, { fatal: true });
    } catch {
      throw new ConfigError(`source \`${config.name}\`: unknown character set \`${charset}\``);
    }
    decoders.set(port, { charset, decoder });
  }
  const counter = new SourceCounter(config.name);
  const listeners: TcpListener[] = [];
  const sockets = new Set<Socket>();

  function toEvent(raw: Buffer, port: number, localPort: number, incomplete: boolean): Event {
    const { charset, decoder } = decoders.get(port)!;
    let e: Event;
    try {
      const { headers, body } = parseMultiport(decoder.decode(raw), keep);
      e = { headers, body: encodeText(body, charset) };
      if (incomplete) headers[STATUS] = 'Incomplete';
    } catch {
      e = { headers: headersOf([[STATUS, 'Invalid']]), body: Buffer.from(raw) };
    }
    if (portHeader) e.headers[portHeader] = String(localPort);
    return e;
  }

  function serve(socket: Socket, port: number): void {
    let pending: Buffer | undefined;
    let busy = Promise.resolve();
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', (e) => ctx.log.debug(`client connection error: ${errorText(e)}`));
    socket.on('data', (chunk: Buffer) => {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      const events: Event[] = [];
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        const end = nl < 0 ? data.length : nl;
        if (end - start >= eventSize) {
          events.push(toEvent(data.subarray(start, start + eventSize), port, socket.localPort ?? port, true));
          start += eventSize;
          continue;
        }
        if (nl < 0) break;
        if (nl > start) events.push(toEvent(data.subarray(start, nl), port, socket.localPort ?? port, false));
        start = nl + 1;
      }
      if (start < data.length) pending = Buffer.from(data.subarray(start));
      if (events.length === 0) return;
      socket.pause();
      busy = busy
        .then(async () => {
          await deliverSyslog({ ctx, counter, ipHeader, hostHeader }, events, socket.remoteAddress ?? '', batchSize);
        })
        .then(() => {
          if (!closed) socket.resume();
        });
    });
  }

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      try {
        for (const port of ports) {
          const listener = new TcpListener((s) => serve(s, port), (e) => ctx.fail(e), sockets, (open) => (counter.openConnections = open));
          listeners.push(listener);
          await listener.listen(host, port);
        }
      } catch (e) {
        await this.stop();
        throw e;
      }
    },
    async stop() {
      for (const listener of listeners.splice(0)) await listener.close();
      counter.stop();
    },
    endpoints: () => listeners.filter((l) => l.port > 0).map((l) => `syslog+tcp://${hostForUrl(host)}:${l.port}`),
  };
  return source;
};

export default create;

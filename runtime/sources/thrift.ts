// The thrift source: Flume's ThriftSourceProtocol server (framed transport, compact or binary
// protocol, optionally TLS), for thrift sinks of other agents and Thrift clients in any language.
// Each append or appendBatch is one batch for the channels, committed before the client hears
// OK; when the channels refuse it the client hears FAILED (as from Flume, never ERROR) and
// resends. `threads` is accepted and has no effect: one event loop serves every connection
// (Flume's threads bound its workers, not its connections; refusing connections over it would
// lose clients that Flume keeps). Kerberos (SASL) is not supported: the source refuses to start with it.
// The wire handling lives in runtime/rpc/thrift-*.ts.
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { hostForUrl } from '../lib/net.js';
import type { ThriftProtocol, ThriftStatus } from '../rpc/thrift-codec.js';
import { ThriftServer, type ThriftHandler } from '../rpc/thrift-server.js';
import { serverSecureContext } from '../rpc/tls.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = need(paramString(p, 'bind'), config.name, 'bind');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const protocol = (paramString(p, 'protocol') ?? 'compact') as ThriftProtocol;
  const ssl = paramBool(p, 'ssl') ?? false;
  if (paramBool(p, 'kerberos')) {
    throw new ConfigError(`source \`${config.name}\`: kerberos = true is not supported by the flowc runtime; build this agent for Apache Flume (--target properties), or turn kerberos off`);
  }
  const tls = ssl
    ? serverSecureContext({
        keystore: paramString(p, 'keystore'),
        keystorePassword: paramString(p, 'keystore-password'),
        keystoreType: paramString(p, 'keystore-type'),
        excludeProtocols: paramList(p, 'exclude-protocols'),
        includeProtocols: paramList(p, 'include-protocols'),
      })
    : undefined;
  const counter = new SourceCounter(config.name);

  async function put(events: Event[]): Promise<ThriftStatus> {
    try {
      await ctx.processor.processEventBatch(events);
      return 'OK';
    } catch (e) {
      counter.channelWriteFail++;
      ctx.log.warn(`answered FAILED to a batch of ${events.length} event(s): ${errorText(e)}`);
      return 'FAILED';
    }
  }

  const handler: ThriftHandler = {
    async append(event) {
      counter.appendReceived++;
      counter.eventReceived++;
      const status = await put([event]);
      if (status === 'OK') {
        counter.appendAccepted++;
        counter.eventAccepted++;
      }
      return status;
    },
    async appendBatch(events) {
      counter.appendBatchReceived++;
      counter.eventReceived += events.length;
      const status = events.length === 0 ? 'OK' : await put(events);
      if (status === 'OK') {
        counter.appendBatchAccepted++;
        counter.eventAccepted += events.length;
      }
      return status;
    },
  };

  const server = new ThriftServer({
    host,
    port,
    protocol,
    handler,
    ...(tls ? { tls } : {}),
    log: ctx.log,
    onConnectionsChange: (open) => {
      counter.openConnections = open;
    },
  });

  const source: EventDrivenSource = {
    driver: 'event',
    async start() {
      ctx.metrics.register(counter);
      counter.start();
      await server.listen();
    },
    async stop() {
      await server.close();
      counter.openConnections = 0;
      counter.stop();
    },
    endpoints: () => [`thrift${ssl ? '+tls' : ''}://${hostForUrl(host)}:${server.port || port}`],
  };
  return source;
};

export default create;

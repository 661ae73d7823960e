// The avro source: Flume's Avro RPC server (AvroSourceProtocol over Avro's Netty framing), for
// avro sinks of other agents, Flume's RpcClient and `flume-ng avro-client`. Each appendBatch is
// one batch for the channels, committed before the client hears OK; when the channels refuse it
// (full, or larger than a transaction) the client hears FAILED, as from Flume, and resends.
// `threads` is accepted and has no effect: one event loop serves every connection (Flume 1.11's
// Netty server ignores it too). The wire handling lives in runtime/rpc/.
import type { EventDrivenSource, SourceFactory } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { hostForUrl } from '../lib/net.js';
import { ipAllowed, parseIpFilterRules } from '../rpc/ip-filter.js';
import type { Status } from '../rpc/protocol.js';
import type { AvroHandler } from '../rpc/responder.js';
import { AvroServer } from '../rpc/server.js';
import { serverSecureContext } from '../rpc/tls.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const host = need(paramString(p, 'bind'), config.name, 'bind');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const deflate = paramString(p, 'compression-type') === 'deflate';
  const ssl = paramBool(p, 'ssl') ?? false;
  const filter = paramBool(p, 'ipFilter') ?? false;
  const rules = filter ? parseIpFilterRules(paramList(p, 'ipFilterRules') ?? [], config.name) : [];
  if (filter && rules.length === 0) {
    throw new ConfigError(`source \`${config.name}\`: ipFilter is on but ipFilterRules is empty (for example ipFilterRules = "allow:ip:127.*,deny:ip:*")`);
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

  async function put(events: Event[]): Promise<Status> {
    try {
      await ctx.processor.processEventBatch(events);
      return 'OK';
    } catch (e) {
      counter.channelWriteFail++;
      ctx.log.warn(`answered FAILED to a batch of ${events.length} event(s): ${errorText(e)}`);
      return 'FAILED';
    }
  }

  const handler: AvroHandler = {
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
      if (events.length === 0) {
        counter.appendBatchAccepted++;
        return 'OK';
      }
      const status = await put(events);
      if (status === 'OK') {
        counter.appendBatchAccepted++;
        counter.eventAccepted += events.length;
      }
      return status;
    },
  };

  const server = new AvroServer({
    host,
    port,
    handler,
    ...(deflate ? { compression: 'deflate' as const } : {}),
    ...(tls ? { tls } : {}),
    ...(filter ? { allow: (address: string | undefined) => ipAllowed(rules, address) } : {}),
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
    endpoints: () => [`avro${ssl ? '+tls' : ''}://${hostForUrl(host)}:${server.port || port}`],
  };
  return source;
};

export default create;

// What the avro and thrift sources share: bind, port and ssl; a handler that puts each append
// or appendBatch into the channels as one batch, committed before the client hears OK (when the
// channels refuse it the client hears FAILED, as from Flume, and resends); Flume's source
// counters; and the start/stop of the protocol's server. Each source adds its server.
import type { SecureContext } from 'node:tls';
import type { EventDrivenSource, SourceContext } from '../core/component.js';
import { need, paramBool, paramNumber, paramString, type SourceConfig } from '../core/config.js';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SourceCounter } from '../core/metrics.js';
import { hostForUrl } from './net.js';
import { keystoreParams, serverSecureContext } from '../rpc/tls.js';

export type RpcStatus = 'OK' | 'FAILED';

export interface RpcHandler {
  append(event: Event): Promise<RpcStatus>;
  appendBatch(events: Event[]): Promise<RpcStatus>;
}

/** What the source needs of a protocol's server. */
export interface RpcServer {
  readonly port: number;
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface RpcSourceParams {
  host: string;
  port: number;
  /** The TLS context when ssl is on (from keystore, keystore-password, keystore-type …). */
  tls?: SecureContext;
}

export function rpcSourceParams(config: SourceConfig): RpcSourceParams {
  const p = config.params;
  const host = need(paramString(p, 'bind'), config.name, 'bind');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  return paramBool(p, 'ssl') ? { host, port, tls: serverSecureContext(keystoreParams(p)) } : { host, port };
}

/** The source: `scheme` names the protocol in its endpoint; `makeServer` builds the server around the handler. */
export function rpcSource(
  ctx: SourceContext,
  name: string,
  params: RpcSourceParams,
  scheme: string,
  makeServer: (handler: RpcHandler, onConnectionsChange: (open: number) => void) => RpcServer,
): EventDrivenSource {
  const counter = new SourceCounter(name);

  async function put(events: Event[]): Promise<RpcStatus> {
    try {
      await ctx.processor.processEventBatch(events);
      return 'OK';
    } catch (e) {
      counter.channelWriteFail++;
      ctx.log.warn(`answered FAILED to a batch of ${events.length} event(s): ${errorText(e)}`);
      return 'FAILED';
    }
  }

  const handler: RpcHandler = {
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

  const server = makeServer(handler, (open) => {
    counter.openConnections = open;
  });

  return {
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
    endpoints: () => [`${scheme}${params.tls ? '+tls' : ''}://${hostForUrl(params.host)}:${server.port || params.port}`],
  };
}

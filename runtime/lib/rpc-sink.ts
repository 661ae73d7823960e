// What the avro and thrift sinks share: take up to batch-size events in one channel
// transaction, send them as one appendBatch, and commit only when the far side answers OK. On
// another status, an error or a timeout the batch is rolled back (the events go back to the head
// of the channel and are sent again) and the connection is dropped; the next process() connects
// anew, as Flume's sinks do. The thrown EventDeliveryException lets a failover or load_balance
// group move on to another sink. reset-connection-interval reconnects periodically (for load
// balancers in front of collectors). Each sink adds its protocol's client and options.
import type { Sink, SinkContext, Status } from '../core/component.js';
import { need, paramBool, paramNumber, paramString, type SinkConfig } from '../core/config.js';
import { EventDeliveryException, errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { SinkCounter } from '../core/metrics.js';
import { hostForUrl } from './net.js';
import { processBatch } from './sink-batch.js';
import { clientTlsOptions, truststoreParams, type TruststoreOptions } from '../rpc/tls.js';

/** A connection to the next agent, as AvroClient and ThriftClient make one. */
export interface RpcClient {
  readonly usable: boolean;
  appendBatch(events: Event[]): Promise<string>;
  close(): Promise<void>;
}

/** The settings every RPC client takes from the sink's properties. */
export interface RpcClientSettings {
  host: string;
  port: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  tls?: TruststoreOptions;
}

export interface RpcSinkParams {
  batchSize: number;
  resetSeconds: number;
  client: RpcClientSettings;
}

/** hostname, port, batch-size, the timeouts, reset-connection-interval and ssl of an RPC sink. */
export function rpcSinkParams(config: SinkConfig): RpcSinkParams {
  const p = config.params;
  const client: RpcClientSettings = {
    host: need(paramString(p, 'hostname'), config.name, 'hostname'),
    port: need(paramNumber(p, 'port'), config.name, 'port'),
    connectTimeoutMs: paramNumber(p, 'connect-timeout') ?? 20_000,
    requestTimeoutMs: paramNumber(p, 'request-timeout') ?? 20_000,
  };
  const batchSize = need(paramNumber(p, 'batch-size'), config.name, 'batch-size');
  if (paramBool(p, 'ssl')) {
    client.tls = truststoreParams(p);
    // A truststore that cannot be used is a configuration error at start, not a failure per batch.
    clientTlsOptions(client.tls);
  }
  return { batchSize, resetSeconds: paramNumber(p, 'reset-connection-interval') ?? 0, client };
}

/** The sink: `scheme` names the protocol in its endpoint (avro, thrift); `connect` opens a client. */
export function rpcSink(ctx: SinkContext, name: string, params: RpcSinkParams, scheme: string, connect: () => Promise<RpcClient>): Sink {
  const { batchSize, resetSeconds } = params;
  const counter = new SinkCounter(name);
  const where = `${hostForUrl(params.client.host)}:${params.client.port}`;
  let client: RpcClient | undefined;
  let connecting: Promise<RpcClient> | undefined;
  let resetTimer: NodeJS.Timeout | undefined;
  let resetDue = false;
  let stopped = false;

  async function open(): Promise<RpcClient> {
    try {
      const c = await connect();
      counter.connectionCreated++;
      ctx.log.info(`connected to ${where}`);
      return c;
    } catch (e) {
      counter.connectionFailed++;
      throw new EventDeliveryException(errorText(e));
    }
  }

  async function ready(): Promise<RpcClient> {
    if (resetDue && client) {
      resetDue = false;
      ctx.log.info(`reconnecting to ${where} (reset-connection-interval)`);
      await drop();
    }
    if (client?.usable) return client;
    if (client) await drop();
    connecting ??= open().finally(() => (connecting = undefined));
    client = await connecting;
    if (stopped) {
      await drop();
      throw new EventDeliveryException('the sink is stopping');
    }
    return client;
  }

  async function drop(): Promise<void> {
    const c = client;
    client = undefined;
    if (!c) return;
    counter.connectionClosed++;
    await c.close().catch(() => undefined);
  }

  async function send(events: Event[]): Promise<void> {
    if (stopped) throw new EventDeliveryException('the sink is stopping');
    const c = await ready();
    let status: string;
    try {
      status = await c.appendBatch(events);
    } catch (e) {
      await drop();
      throw new EventDeliveryException(`could not send ${events.length} event(s) to ${where}: ${errorText(e)}`);
    }
    if (status !== 'OK') {
      await drop();
      throw new EventDeliveryException(`${where} answered ${status} to a batch of ${events.length} event(s); it will be sent again`);
    }
  }

  return {
    async start() {
      stopped = false;
      ctx.metrics.register(counter);
      counter.start();
      if (resetSeconds > 0) {
        resetTimer = setInterval(() => (resetDue = true), resetSeconds * 1000);
        resetTimer.unref();
      }
      // As Flume: connect at start, but a collector that is down is not fatal (process() retries),
      // and one that does not answer does not hold up the agent's start.
      ready().catch((e) => ctx.log.warn(`cannot connect to ${where} yet: ${errorText(e)}`));
    },
    async stop() {
      stopped = true;
      clearInterval(resetTimer);
      await drop();
      counter.stop();
    },
    process(): Promise<Status> {
      return processBatch(ctx.channel, batchSize, send, counter);
    },
    endpoints: () => [`${scheme}${params.client.tls ? '+tls' : ''}://${where}`],
  };
}

// The thrift sink: takes up to batch-size events in one channel transaction, sends them as one
// appendBatch over Flume's Thrift RPC (framed, compact or binary, optionally TLS), and commits
// only when the far side answers OK. On another status, an error or a timeout the batch is
// rolled back (sent again later) and the connection dropped; the next process() connects anew,
// as Flume's sink does. connect-timeout bounds the TCP connect and TLS handshake (Flume's
// Thrift client lists it but does not apply it). Kerberos is not supported: refused at start.
import type { Sink, SinkFactory, Status } from '../core/component.js';
import { ConfigError, need, paramBool, paramList, paramNumber, paramString } from '../core/config.js';
import { EventDeliveryException, errorText } from '../core/errors.js';
import { SinkCounter } from '../core/metrics.js';
import { hostForUrl } from '../lib/net.js';
import { processBatch } from '../lib/sink-batch.js';
import type { ThriftProtocol } from '../rpc/thrift-codec.js';
import { ThriftClient, type ThriftClientOptions } from '../rpc/thrift-client.js';
import { clientTlsOptions } from '../rpc/tls.js';

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  const host = need(paramString(p, 'hostname'), config.name, 'hostname');
  const port = need(paramNumber(p, 'port'), config.name, 'port');
  const batchSize = need(paramNumber(p, 'batch-size'), config.name, 'batch-size');
  const resetSeconds = paramNumber(p, 'reset-connection-interval') ?? 0;
  if (paramBool(p, 'kerberos')) {
    throw new ConfigError(`sink \`${config.name}\`: kerberos = true is not supported by the flowc runtime; build this agent for Apache Flume (--target properties), or turn kerberos off`);
  }
  const options: ThriftClientOptions = {
    host,
    port,
    protocol: (paramString(p, 'protocol') ?? 'compact') as ThriftProtocol,
    connectTimeoutMs: paramNumber(p, 'connect-timeout') ?? 20_000,
    requestTimeoutMs: paramNumber(p, 'request-timeout') ?? 20_000,
  };
  if (paramBool(p, 'ssl')) {
    options.tls = {
      trustAllCerts: paramBool(p, 'trust-all-certs') ?? false,
      truststore: paramString(p, 'truststore'),
      truststorePassword: paramString(p, 'truststore-password'),
      truststoreType: paramString(p, 'truststore-type'),
      excludeProtocols: paramList(p, 'exclude-protocols'),
      includeProtocols: paramList(p, 'include-protocols'),
    };
    // A truststore that cannot be used is a configuration error at start, not a failure per batch.
    clientTlsOptions(options.tls);
  }
  const counter = new SinkCounter(config.name);
  const where = `${hostForUrl(host)}:${port}`;
  let client: ThriftClient | undefined;
  let connecting: Promise<ThriftClient> | undefined;
  let resetTimer: NodeJS.Timeout | undefined;
  let resetDue = false;
  let stopped = false;

  async function connect(): Promise<ThriftClient> {
    try {
      const c = await ThriftClient.connect(options);
      counter.connectionCreated++;
      ctx.log.info(`connected to ${where}`);
      return c;
    } catch (e) {
      counter.connectionFailed++;
      throw new EventDeliveryException(errorText(e));
    }
  }

  async function ready(): Promise<ThriftClient> {
    if (resetDue && client) {
      resetDue = false;
      ctx.log.info(`reconnecting to ${where} (reset-connection-interval)`);
      await drop();
    }
    if (client?.usable) return client;
    if (client) await drop();
    connecting ??= connect().finally(() => (connecting = undefined));
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

  const sink: Sink = {
    async start() {
      stopped = false;
      ctx.metrics.register(counter);
      counter.start();
      if (resetSeconds > 0) {
        resetTimer = setInterval(() => (resetDue = true), resetSeconds * 1000);
        resetTimer.unref();
      }
      ready().catch((e) => ctx.log.warn(`cannot connect to ${where} yet: ${errorText(e)}`));
    },
    async stop() {
      stopped = true;
      clearInterval(resetTimer);
      await drop();
      counter.stop();
    },
    process(): Promise<Status> {
      return processBatch(
        ctx.channel,
        batchSize,
        async (events) => {
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
        },
        counter,
      );
    },
    endpoints: () => [`thrift${options.tls ? '+tls' : ''}://${where}`],
  };
  return sink;
};

export default create;

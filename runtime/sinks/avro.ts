// The avro sink: Flume's Avro RPC to the next agent's avro source (runtime/lib/rpc-sink.ts holds
// the transaction, retry and reconnect logic it shares with the thrift sink), with
// compression-type deflate and compression-level. maxIoWorkers is ignored, as in Flume 1.11.
import type { SinkFactory } from '../core/component.js';
import { paramNumber, paramString } from '../core/config.js';
import { rpcSink, rpcSinkParams } from '../lib/rpc-sink.js';
import { AvroClient, type AvroClientOptions } from '../rpc/client.js';

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  const params = rpcSinkParams(config);
  const options: AvroClientOptions = { ...params.client };
  if (paramString(p, 'compression-type') === 'deflate') options.compression = { type: 'deflate', level: paramNumber(p, 'compression-level') ?? 6 };
  if (p['maxIoWorkers'] !== undefined) ctx.log.warn('maxIoWorkers has no effect (Flume 1.11 ignores it too)');
  return rpcSink(ctx, config.name, params, 'avro', () => AvroClient.connect(options));
};

export default create;

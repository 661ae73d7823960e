// The thrift sink: Flume's Thrift RPC (framed, compact or binary, optionally TLS) to the next
// agent's thrift source; runtime/lib/rpc-sink.ts holds the transaction, retry and reconnect
// logic it shares with the avro sink. connect-timeout bounds the TCP connect and TLS handshake
// (Flume's Thrift client lists it but does not apply it). Kerberos is not supported: refused at start.
import type { SinkFactory } from '../core/component.js';
import { ConfigError, paramBool, paramString } from '../core/config.js';
import { rpcSink, rpcSinkParams } from '../lib/rpc-sink.js';
import { ThriftClient, type ThriftClientOptions } from '../rpc/thrift-client.js';
import type { ThriftProtocol } from '../rpc/thrift-codec.js';

const create: SinkFactory = (config, ctx) => {
  const p = config.params;
  if (paramBool(p, 'kerberos')) {
    throw new ConfigError(`sink \`${config.name}\`: kerberos = true is not supported by the flowc runtime; build this agent for Apache Flume (--target properties), or turn kerberos off`);
  }
  const params = rpcSinkParams(config);
  const options: ThriftClientOptions = { ...params.client, protocol: (paramString(p, 'protocol') ?? 'compact') as ThriftProtocol };
  return rpcSink(ctx, config.name, params, 'thrift', () => ThriftClient.connect(options));
};

export default create;

// The thrift source: Flume's ThriftSourceProtocol server (framed transport, compact or binary
// protocol, optionally TLS), for thrift sinks of other agents and Thrift clients in any language.
// runtime/lib/rpc-source.ts holds what it shares with the avro source (the batch per call,
// committed before OK; FAILED, as from Flume and never ERROR, when the channels refuse it).
// `threads` is accepted and has no effect: one event loop serves every connection
// (Flume's threads bound its workers, not its connections; refusing connections over it would
// lose clients that Flume keeps). Kerberos (SASL) is not supported: the source refuses to start with it.
// The wire handling lives in runtime/rpc/thrift-*.ts.
import type { SourceFactory } from '../core/component.js';
import { ConfigError, paramBool, paramString } from '../core/config.js';
import { rpcSource, rpcSourceParams } from '../lib/rpc-source.js';
import type { ThriftProtocol } from '../rpc/thrift-codec.js';
import { ThriftServer } from '../rpc/thrift-server.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const protocol = (paramString(p, 'protocol') ?? 'compact') as ThriftProtocol;
  if (paramBool(p, 'kerberos')) {
    throw new ConfigError(`source \`${config.name}\`: kerberos = true is not supported by the flowc runtime; build this agent for Apache Flume (--target properties), or turn kerberos off`);
  }
  const params = rpcSourceParams(config);
  return rpcSource(
    ctx,
    config.name,
    params,
    'thrift',
    (handler, onConnectionsChange) =>
      new ThriftServer({
        host: params.host,
        port: params.port,
        protocol,
        handler,
        ...(params.tls ? { tls: params.tls } : {}),
        log: ctx.log,
        onConnectionsChange,
      }),
  );
};

export default create;

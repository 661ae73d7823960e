// The avro source: Flume's Avro RPC server (AvroSourceProtocol over Avro's Netty framing), for
// avro sinks of other agents, Flume's RpcClient and `flume-ng avro-client`, with
// compression-type deflate and ipFilter. runtime/lib/rpc-source.ts holds what it shares with the
// thrift source (the batch per call, committed before OK, FAILED when the channels refuse it).
// `threads` is accepted and has no effect: one event loop serves every connection (Flume 1.11's
// Netty server ignores it too). The wire handling lives in runtime/rpc/.
import type { SourceFactory } from '../core/component.js';
import { ConfigError, paramBool, paramList, paramString } from '../core/config.js';
import { rpcSource, rpcSourceParams } from '../lib/rpc-source.js';
import { ipAllowed, parseIpFilterRules } from '../rpc/ip-filter.js';
import { AvroServer } from '../rpc/server.js';

const create: SourceFactory = (config, ctx) => {
  const p = config.params;
  const deflate = paramString(p, 'compression-type') === 'deflate';
  const filter = paramBool(p, 'ipFilter') ?? false;
  const rules = filter ? parseIpFilterRules(paramList(p, 'ipFilterRules') ?? [], config.name) : [];
  if (filter && rules.length === 0) {
    throw new ConfigError(`source \`${config.name}\`: ipFilter is on but ipFilterRules is empty (for example ipFilterRules = "allow:ip:127.*,deny:ip:*")`);
  }
  const params = rpcSourceParams(config);
  return rpcSource(
    ctx,
    config.name,
    params,
    'avro',
    (handler, onConnectionsChange) =>
      new AvroServer({
        host: params.host,
        port: params.port,
        handler,
        ...(deflate ? { compression: 'deflate' as const } : {}),
        ...(params.tls ? { tls: params.tls } : {}),
        ...(filter ? { allow: (address: string | undefined) => ipAllowed(rules, address) } : {}),
        log: ctx.log,
        onConnectionsChange,
      }),
  );
};

export default create;

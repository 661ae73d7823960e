// The raw loopback baseline of the avro case in bench/runtime.bench.mjs: the same bytes as Flume's
// RpcClient sends for appendBatch (one request of `requestBytes` per batch, a 15-byte reply to
// each, one batch at a time on each connection), over plain TCP sockets, with nothing decoded or stored.
//
//   node bench/runtime/raw-rpc.mjs server <requestBytes>             prints {"ready":port}
//   node bench/runtime/raw-rpc.mjs client <port> <requestBytes> <n> [connections]
//                                                    prints {"t0":..,"t1":..} once all n are answered
//
// Both exit by themselves after 120 s.
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

const [mode, ...args] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
setTimeout(() => process.exit(3), 120_000).unref();

/** serial, one buffer, and the reply of appendBatch: empty metadata, no error, Status OK. */
const REPLY = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0]);

if (mode === 'server') {
  const requestBytes = Number(args[0]);
  const server = createServer({ noDelay: true }, (s) => {
    let pending = 0;
    s.on('data', (d) => {
      pending += d.length;
      while (pending >= requestBytes) {
        pending -= requestBytes;
        s.write(REPLY);
      }
    });
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => say({ ready: server.address().port }));
} else if (mode === 'client') {
  const [port, requestBytes, n, connections = 1] = args.map(Number);
  const request = Buffer.alloc(requestBytes, 0x78);
  const t0 = now();
  let finished = 0;
  for (let c = 0; c < connections; c++) {
    const share = Math.floor(n / connections) + (c < n % connections ? 1 : 0);
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      let done = 0;
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        while (got >= REPLY.length) {
          got -= REPLY.length;
          if (++done === share) {
            s.destroy();
            if (++finished === connections) {
              say({ t0, t1: now() });
              process.exit(0);
            }
            return;
          }
          s.write(request);
        }
      });
      s.write(request);
    });
    s.on('error', (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    });
  }
} else {
  process.stderr.write('usage: raw-rpc.mjs server <requestBytes> | client <port> <requestBytes> <n> [connections]\n');
  process.exit(2);
}

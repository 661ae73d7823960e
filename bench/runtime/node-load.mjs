// A light load generator for the avro case of bench/runtime.bench.mjs: flowc's own Avro client
// (runtime/rpc/client.ts, the one the avro sink uses) sending appendBatch of 256-byte bodies on
// `connections` connections at once, one batch in flight on each, the same protocol and request
// shape as Flume's RpcClient (RpcLoad). It costs a fraction of that client's CPU per event, so on
// a small machine the servers, not the generator, set the pace.
//
//   node bench/runtime/node-load.mjs <port> <events> <batch> <bodySize> [connections] [warmup]
//
// Prints {"sent","elapsedMs","eventsPerSec","cpuMs"} once every batch was answered OK (the clock
// and CPU count start after the warm-up batches); exits 1 if any batch was not.
import { performance } from 'node:perf_hooks';
import { AvroClient } from '../../dist/runtime/rpc/client.js';

const [port, events, batch, bodySize, connections = 4, warmup = 0] = process.argv.slice(2).map(Number);
setTimeout(() => {
  process.stderr.write('node-load: gave up after 300 s\n');
  process.exit(3);
}, 300_000).unref();

// One batch of events made once and sent again and again: the generator's cost is the protocol's
// (encoding, framing, the socket), not making events (the servers only count them).
const events1 = Array.from({ length: batch }, (_, i) => {
  const body = Buffer.alloc(bodySize, 0x78);
  body.write(String(i), 'latin1');
  return { headers: {}, body };
});

/** `count` events in batches of `batch`. */
async function send(client, count) {
  for (let n = 0; n < count; n += batch) {
    const status = await client.appendBatch(n + batch <= count ? events1 : events1.slice(0, count - n));
    if (status !== 'OK') throw new Error(`the batch of events ${n}.. answered ${status}`);
  }
}

const share = (total, c) => Math.floor(total / connections) + (c < total % connections ? 1 : 0);
const clients = await Promise.all(Array.from({ length: connections }, () => AvroClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 60_000 })));
try {
  await Promise.all(clients.map((client, c) => send(client, share(warmup, c))));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(clients.map((client, c) => send(client, share(events, c))));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({ sent: events, elapsedMs: Math.round(ms), eventsPerSec: Math.round((events / ms) * 1000), cpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`,
  );
  process.exit(0);
} catch (e) {
  process.stderr.write(`node-load: ${e.message}\n`);
  process.exit(1);
}

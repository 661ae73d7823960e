// Runtime throughput, measured (not asserted): events per second through
//  1. seq → memory → null, in process (the core: channel transactions, runners, batches);
//  2. netcat over TCP loopback → memory → null (a network source, line splitting, replies);
//  3. http (JSON) → memory → null.
// Run after `npm run build`: node bench/runtime.bench.mjs
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { compileText } from '../dist/compiler/program.js';
import { runtimeConfig } from '../dist/compiler/emit/runtime-config.js';
import { Logger } from '../dist/runtime/core/log.js';
import { dynamicRegistry } from '../dist/runtime/loader.js';
import { Runner } from '../dist/runtime/main.js';

const quiet = Logger.memory('warn').log;

async function start(text) {
  const r = compileText(text, 'bench.flow');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors[0].message);
  const configs = r.program.agents.map((a) => runtimeConfig(r.program, a).config);
  return Runner.start(configs, { registry: dynamicRegistry, log: quiet });
}

function sinkDone(runner, n) {
  const counters = () => runner.agents[0].metrics.json();
  return new Promise((resolve) => {
    const t = setInterval(() => {
      const ch = counters()['CHANNEL.c'];
      if (Number(ch.EventTakeSuccessCount) >= n) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
}

async function seq(n) {
  const runner = await start(`agent a {
    source s : seq { totalEvents = ${n}, batchSize = 1000 }
    channel c : memory { capacity = 100_000, transactionCapacity = 1000 }
    sink k : null { batchSize = 1000 }
    s -> c -> k }`);
  const t0 = performance.now();
  await sinkDone(runner, n);
  const ms = performance.now() - t0;
  await runner.stop(0);
  return { case: 'seq → memory → null', events: n, ms: Math.round(ms), perSecond: Math.round((n / ms) * 1000) };
}

async function netcat(n, port = 45123) {
  const runner = await start(`agent a {
    source s : netcat { bind = "127.0.0.1", port = ${port}, ack-every-event = false }
    channel c : memory { capacity = 100_000, transactionCapacity = 10_000 }
    sink k : null { batchSize = 1000 }
    s -> c -> k }`);
  const line = 'a typical log line of about eighty characters, with some words and numbers 12345\n';
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', async () => {
      const chunk = line.repeat(100);
      for (let i = 0; i < n / 100; i++) if (!sock.write(chunk)) await new Promise((r) => sock.once('drain', r));
      sock.end();
      resolve();
    });
    sock.on('error', reject);
  });
  await sinkDone(runner, n);
  const ms = performance.now() - t0;
  await runner.stop(0);
  return { case: 'netcat (tcp) → memory → null', events: n, ms: Math.round(ms), perSecond: Math.round((n / ms) * 1000) };
}

async function http(requests, perRequest, port = 45124) {
  const runner = await start(`agent a {
    source s : http { bind = "127.0.0.1", port = ${port} }
    channel c : memory { capacity = 100_000, transactionCapacity = 1000 }
    sink k : null { batchSize = 1000 }
    s -> c -> k }`);
  const body = JSON.stringify(Array.from({ length: perRequest }, (_, i) => ({ headers: { n: String(i) }, body: `event ${i}` })));
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  }
  await sinkDone(runner, requests * perRequest);
  const ms = performance.now() - t0;
  await runner.stop(0);
  const n = requests * perRequest;
  return { case: 'http (JSON, 100 per request) → memory → null', events: n, ms: Math.round(ms), perSecond: Math.round((n / ms) * 1000) };
}

const results = [await seq(1_000_000), await netcat(500_000), await http(500, 100)];
for (const r of results) console.log(JSON.stringify(r));
process.exit(0);

// One hostile HTTP request against a running agent: how long its answer takes, how much the
// agent's heap grows, and how long a netcat line sent meanwhile waits for its OK.
// Run: npm run build && node --expose-gc bench/http-hostile.bench.mjs
import { connect, createServer } from 'node:net';
import { request } from 'node:http';
import { compileText } from '../dist/compiler/program.js';
import { runtimeConfig } from '../dist/compiler/emit/runtime-config.js';
import { Runner } from '../dist/runtime/main.js';
import { dynamicRegistry } from '../dist/runtime/loader.js';
import { Logger } from '../dist/runtime/core/log.js';

const freePort = () =>
  new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });

function post(port, body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function netcatLine(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      const t0 = performance.now();
      s.once('data', () => {
        resolve(performance.now() - t0);
        s.destroy();
      });
      s.write('ping\n');
    });
  });
}

const cases = [
  { name: '48 MB of [{},{},…] (16.7M events), transactionCapacity 100', events: 16_777_216, tc: 100, capacity: 1000 },
  { name: '4 MB of [{},{},…] (1.4M events), transactionCapacity 100', events: 1_398_101, tc: 100, capacity: 1000 },
  { name: '100,000 events accepted, transactionCapacity 100,000', events: 100_000, tc: 100_000, capacity: 100_000, body: '{"body":"x"}' },
];

for (const c of cases) {
  const httpPort = await freePort();
  const ncPort = await freePort();
  const text = `agent a {
    source web : http { bind = "127.0.0.1", port = ${httpPort} }
    source lines : netcat { bind = "127.0.0.1", port = ${ncPort} }
    channel big : memory { capacity = ${c.capacity}, transactionCapacity = ${c.tc} }
    channel small : memory
    web -> big
    lines -> small }`;
  const r = compileText(text, 'bench.flow');
  const configs = r.program.agents.map((a) => runtimeConfig(r.program, a, {}).config);
  const runner = await Runner.start(configs, { registry: dynamicRegistry, log: Logger.memory('warn').log });
  const item = c.body ?? '{}';
  const body = Buffer.from(`[${`${item},`.repeat(c.events - 1)}${item}]`);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 5);
  const answer = post(httpPort, body);
  const line = netcatLine(ncPort);
  const [{ status, ms }, lineMs] = await Promise.all([answer, line]);
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  console.log(`${c.name}: ${(body.length / 1e6).toFixed(1)} MB body → ${status} in ${ms.toFixed(0)} ms; heap +${((heapPeak - heapBefore) / 1e6).toFixed(0)} MB (less the body's own buffers); a netcat line sent meanwhile waited ${lineMs.toFixed(0)} ms for its OK`);
  await runner.stop(0);
}

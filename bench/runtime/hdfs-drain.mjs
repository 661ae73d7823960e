// The sink alone: flowc's real hdfs sink draining a real memory channel that was filled before
// the clock started, in a process of its own (run by bench/runtime/hdfs.mjs as a child).
//
//   node bench/runtime/hdfs-drain.mjs --events N --path <hdfs.path> [--webhdfs http://host:port] [--batch 1000]
//                                     [--cpu-prof file.cpuprofile]   (a CPU profile of the drain only)
//
// Why not an agent fed over the network: a source in the same event loop, and the load
// generator, cap what reaches the channel (on a quiet machine one RpcClient offers ~34 MB/s,
// while a local disk takes 600 MB/s with an fdatasync per 1,000 lines), so such a run measures
// the load, not the sink. Here the channel holds every event first (capacity N, bodies of 256
// bytes, each batch's bodies slices of one buffer as a network source makes them), then the sink's
// process() runs in a loop, as the SinkRunner runs it while the channel has events, until the
// channel is empty and every take committed; the sink then stops (closing and renaming its file).
// Printed as JSON: ms (fill excluded, stop included), MB/s (bodies, 10^6 bytes), CPU µs/event of
// this process over the drain, its peak RSS, and its RSS once filled (the events themselves).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const load = (p) => import(join(ROOT, 'dist', p));
const { compileText } = await load('compiler/program.js');
const { runtimeConfig } = await load('compiler/emit/runtime-config.js');
const { MemoryChannel } = await load('runtime/channels/memory.js');
const { putBatch } = await load('runtime/core/channel.js');
const { makeEvent, newHeaders } = await load('runtime/core/event.js');
const { Logger } = await load('runtime/core/log.js');
const { MetricsRegistry } = await load('runtime/core/metrics.js');
const { createHdfsSink } = await load('runtime/sinks/hdfs.js');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const EVENTS = Number(arg('--events', '1000000'));
const BATCH = Number(arg('--batch', '1000'));
const BODY = 256;
const path = arg('--path');
if (!path) throw new Error('--path <hdfs.path> is required');
const webhdfs = arg('--webhdfs');

const flow = `agent a {
  source s : seq
  channel c : memory { capacity = ${EVENTS}, transactionCapacity = ${BATCH} }
  sink k : hdfs { hdfs.path = "${path}"${webhdfs ? `, hdfs.webhdfsUrl = "${webhdfs}"` : ''}, hdfs.fileType = "DataStream", hdfs.batchSize = ${BATCH}, hdfs.rollCount = 0, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.useLocalTimeStamp = true }
  s -> c -> k
}
`;
const compiled = compileText(flow, 'drain.flow');
const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('; '));
const agent = runtimeConfig(compiled.program, compiled.program.agents[0], { env: {} }).config;
const config = agent.sinks.find((s) => s.name === 'k');

const memory = () => {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { peakRssMb: (kb('VmHWM') * 1024) / 1e6, rssMb: (kb('VmRSS') * 1024) / 1e6 };
};

async function startProfiler() {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return { stop: async () => (await post('Profiler.stop')).profile };
}

const channel = new MemoryChannel('c', EVENTS, BATCH, 0, 1 << 30, 20);
for (let n = 0; n < EVENTS; n += BATCH) {
  const count = Math.min(BATCH, EVENTS - n);
  const chunk = Buffer.alloc(count * BODY, 0x61);
  const events = [];
  for (let i = 0; i < count; i++) events.push(makeEvent(chunk.subarray(i * BODY, (i + 1) * BODY), newHeaders()));
  await putBatch(channel, events);
}
const { log } = Logger.memory('warn');
const sink = createHdfsSink(config, { agent: 'a', name: 'k', log, metrics: new MetricsRegistry('a'), channel, fail: () => undefined });
await sink.start();
globalThis.gc?.();
const filled = memory();

const profileTo = arg('--cpu-prof');
const profiler = profileTo ? await startProfiler() : undefined;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let failures = 0;
while (channel.size() > 0) {
  try {
    await sink.process();
  } catch (e) {
    if (++failures > 3) throw e;
  }
}
const drainedMs = performance.now() - t0;
await sink.stop();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const m = memory();
if (profiler) writeFileSync(profileTo, JSON.stringify(await profiler.stop()));
process.stdout.write(
  `${JSON.stringify({
    events: EVENTS,
    ms,
    drainedMs,
    eventsPerSec: (EVENTS / ms) * 1000,
    mbPerSec: (EVENTS * BODY) / ms / 1000,
    cpuUsPerEvent: ((cpu.user + cpu.system) / EVENTS),
    peakRssMb: m.peakRssMb,
    filledRssMb: filled.rssMb,
    failures,
  })}\n`,
);
process.exit(0);

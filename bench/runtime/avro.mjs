// The avro case of bench/runtime.bench.mjs: avro → memory → null, measured for the flowc agent (a
// bundle) and for Apache Flume 1.11 (a JVM from test/peers, `-Xmx256m`, the same flow as
// properties) in the same run on the same loads, and against a raw loopback socket carrying the
// same bytes with the same round trips on as many connections (raw-rpc.mjs).
//
// Each server is first warmed up with `serverWarmup` events from the light generator (a JVM's
// JIT compilers need millions of events before Flume runs at its steady pace; measured before
// that, Flume looks far slower than it is). Then two loads, each `threads` clients at once, each
// on its own connection with one batch in flight:
// - Flume's own RpcClient (test/peers' RpcLoad; after `warmup` events of its own, for its JIT):
//   the load the issue names. It costs ~1 µs of CPU per event on the same 2 cores, which caps
//   what either server can show;
// - flowc's own Avro client (node-load.mjs, ~0.4 µs/event): the same protocol and requests, so
//   that the servers, more than the generator, set the pace.
// Events/s is the generator's own figure: every batch answered OK, which both sources send only
// after the batch is in the channel; the case then waits until the null sink has taken every
// event. Peak RSS is VmHWM of the agent's process (the JVM's).
import { join } from 'node:path';
import { flumeClasspath, portOpen, startFlume } from './flume.mjs';
import { ROOT, buildBundle, freePort, pollUntil, sleep, spawnTracked, startAgent } from './harness.mjs';

const BODY = 256;
const JVM = ['-Xmx256m'];

/** Bytes of one appendBatch request as Flume's client frames it (no handshake): serial, count, 8 KiB buffers. */
export function requestBytes(batch) {
  const zigzag = (n) => {
    let v = n * 2;
    let len = 1;
    while (v >= 0x80) {
      v = Math.floor(v / 0x80);
      len++;
    }
    return len;
  };
  // metadata (empty map), message name, array block count, events (empty headers map, body), end.
  const payload = 1 + 1 + 'appendBatch'.length + zigzag(batch) + batch * (1 + zigzag(BODY) + BODY) + 1;
  return 8 + 4 * Math.ceil(payload / 8192) + payload;
}

function lines(stream) {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => (text += d));
  return () => text;
}

/** Runs node-load.mjs (flowc's client) to completion against 127.0.0.1:port; resolves with its JSON report. */
export async function nodeLoad(port, events, batch, threads, warmup = 0) {
  const p = spawnTracked(process.execPath, [join(ROOT, 'bench/runtime/node-load.mjs'), String(port), String(events), String(batch), String(BODY), String(threads), String(warmup)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = lines(p.proc.stdout);
  const code = await new Promise((r) => p.proc.once('exit', r));
  if (code !== 0) throw new Error(`node-load failed (exit ${code}): ${p.stderr()}`);
  return JSON.parse(out().trim());
}

/** Runs RpcLoad to completion against 127.0.0.1:port; resolves with its JSON report. */
export async function rpcLoad(port, events, batch, threads = 1, warmup = 0) {
  const p = spawnTracked('java', [...JVM, '-cp', flumeClasspath(), 'flowc.peers.RpcLoad', '--port', String(port), '--events', String(events), '--batch', String(batch), '--body-size', String(BODY), '--request-timeout', '60000', '--threads', String(threads), '--warmup', String(warmup)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = lines(p.proc.stdout);
  const code = await new Promise((r) => p.proc.once('exit', r));
  const line = out().split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`RpcLoad printed no result (exit ${code}): ${p.stderr()}`);
  const r = JSON.parse(line);
  if (code !== 0 || r.failed > 0) throw new Error(`RpcLoad: ${r.failed} of ${events} events not acknowledged: ${r.error ?? ''}`);
  return r;
}

/** Flume's readiness for a load on `port`: its source started (its counters exist) and the port accepts. */
export const flumeSourceUp = (port) => async (m) => Number(m['SOURCE.r']?.StartTime ?? 0) > 0 && (await portOpen(port));

const take = (m) => Number(m['CHANNEL.c']?.EventTakeSuccessCount ?? 0);

/** One batch size: flowc, Flume and the raw socket, `runs` times each, alternating; best of each kept. */
export async function avroCase(tmp, batch, events, runs, threads = 1, warmup = 0, serverWarmup = 0) {
  const port = await freePort();
  const { bundle } = buildBundle(
    tmp,
    `avro${batch}`,
    `agent avro${batch} {
  source r : avro { bind = "127.0.0.1", port = ${port} }
  channel c : memory { capacity = 100_000, transactionCapacity = ${Math.max(1000, batch)} }
  sink k : null { batchSize = 1_000 }
  r -> c -> k
}
`,
  );
  // The same flow for Flume (the channel and source keep their Flume names: CHANNEL.c, SOURCE.r).
  const props = (p) => `a.sources = r
a.channels = c
a.sinks = k
a.sources.r.type = avro
a.sources.r.bind = 127.0.0.1
a.sources.r.port = ${p}
a.sources.r.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 100000
a.channels.c.transactionCapacity = ${Math.max(1000, batch)}
a.sinks.k.type = null
a.sinks.k.batchSize = 1000
a.sinks.k.channel = c
`;
  // Both loads against one running server, warmed up first; the server's CPU per event is taken
  // over each load's events (RpcLoad's own warm-up events included: the server is warm by then).
  const measure = async (agent, p) => {
    let taken = serverWarmup;
    await nodeLoad(p, serverWarmup, batch, threads);
    await pollUntil(agent, (m) => take(m) >= taken, { what: 'the null sink to take the warm-up', timeoutMs: 60_000 });
    const result = async (load, clientEvents, c0) => {
      taken += clientEvents;
      await pollUntil(agent, (m) => take(m) >= taken, { what: 'the null sink to take every event', timeoutMs: 60_000 });
      return {
        ms: load.elapsedMs,
        clientCpuUsPerEvent: (load.cpuMs * 1000) / events,
        eventsPerSec: load.eventsPerSec,
        mbPerSec: (load.eventsPerSec * BODY) / 1e6,
        cpuUsPerEvent: ((agent.cpuMs() - c0) * 1000) / clientEvents,
        ...agent.memory(),
      };
    };
    let c0 = agent.cpuMs();
    const rpc = await result(await rpcLoad(p, events, batch, threads, warmup), events + warmup, c0);
    c0 = agent.cpuMs();
    const light = await result(await nodeLoad(p, events, batch, threads), events, c0);
    return { rpc, light };
  };
  const reqBytes = requestBytes(batch);
  const batches = Math.ceil(events / batch);
  const agentRuns = [];
  const flumeRuns = [];
  const rawRuns = [];
  for (let run = 0; run < runs; run++) {
    const agent = await startAgent([bundle]);
    try {
      agentRuns.push(await measure(agent, port));
    } finally {
      await agent.stop();
    }
    const fport = await freePort();
    const flume = await startFlume(join(tmp, `flume-${batch}-${run}`), props(fport), { ready: flumeSourceUp(fport) });
    try {
      flumeRuns.push(await measure(flume, fport));
    } finally {
      await flume.stop();
    }
    const server = spawnTracked(process.execPath, [join(ROOT, 'bench/runtime/raw-rpc.mjs'), 'server', String(reqBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const out = lines(server.proc.stdout);
      while (!out().includes('ready')) await sleep(10);
      const rport = JSON.parse(out().split('\n')[0]).ready;
      const c0 = server.cpuMs();
      const client = spawnTracked(process.execPath, [join(ROOT, 'bench/runtime/raw-rpc.mjs'), 'client', String(rport), String(reqBytes), String(batches), String(threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const cout = lines(client.proc.stdout);
      await new Promise((r) => client.proc.once('exit', r));
      const { t0, t1 } = JSON.parse(cout().trim());
      const ms = t1 - t0;
      const n = batches * batch;
      rawRuns.push({ ms, eventsPerSec: (n / ms) * 1000, mbPerSec: (n * BODY) / ms / 1000, cpuUsPerEvent: ((server.cpuMs() - c0) * 1000) / n, ...server.memory() });
    } finally {
      await server.stop();
    }
  }
  const best = (xs) => xs.reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a));
  const raw = best(rawRuns);
  const rpc = { agentRuns: agentRuns.map((r) => r.rpc), flumeRuns: flumeRuns.map((r) => r.rpc) };
  const light = { agentRuns: agentRuns.map((r) => r.light), flumeRuns: flumeRuns.map((r) => r.light) };
  const row = (load, key, what) => {
    const flume = best(load.flumeRuns);
    const agent = best(load.agentRuns);
    // Flume's peak RSS: the least of its runs, which flatters Flume.
    const flumeRssMb = Math.min(...load.flumeRuns.map((r) => r.peakRssMb));
    const ks = (rs) => rs.map((r) => Math.round(r.eventsPerSec / 1000) + 'k').join(', ');
    return {
      key,
      case: `avro (appendBatch of ${batch.toLocaleString('en')}) → memory → null, ${what}`,
      input: `${events.toLocaleString('en')} events of ${BODY}-byte bodies, no headers, ${reqBytes.toLocaleString('en')}-byte requests, ${threads} client${threads === 1 ? '' : 's'} at once, each on its own connection with one batch in flight, from ${key.endsWith('light') ? "flowc's own Avro client (node-load.mjs)" : `Flume's RpcClient (test/peers RpcLoad, after ${warmup.toLocaleString('en')} warm-up events of its own)`}; each server warmed up first with ${serverWarmup.toLocaleString('en')} events; the client's CPU: ${agent.clientCpuUsPerEvent.toFixed(2)} µs/event against flowc, ${flume.clientCpuUsPerEvent.toFixed(2)} against Flume; Flume 1.11 runs the same flow with ${JVM.join(' ')}; every run of each: flowc ${ks(load.agentRuns)}, Flume ${ks(load.flumeRuns)} (RSS ${load.flumeRuns.map((r) => Math.round(r.peakRssMb)).join(', ')} MB)`,
      agent,
      all: load.agentRuns,
      baselines: { raw, flume },
      baselineName: 'raw',
      baselineWhat: `a plain Node TCP server reading the same requests and answering each with the same 15-byte reply, from ${threads} connection${threads === 1 ? '' : 's'} at once (raw-rpc.mjs)`,
      flume: flume.eventsPerSec,
      flumeRssMb,
      target: 2 * flume.eventsPerSec,
      targetText: "≥ 2 × Flume, same run; RSS ≤ 1/3 of Flume's",
      rssMet: agent.peakRssMb <= flumeRssMb / 3,
    };
  };
  return [row(rpc, `avro${batch}`, "Flume's RpcClient"), row(light, `avro${batch}light`, "flowc's client")];
}

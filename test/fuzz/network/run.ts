// Target 3: hostile traffic against every network source of an agent in a child process.
// Attacks go out in bursts (several at once); after each burst every source must serve a
// valid client within the deadline, the agent must be alive, its memory bounded, and it must
// not have logged an internal error. At the end the agent drains and stops on SIGTERM, and
// no acknowledged event may be missing: every acknowledged marker is in its sink's file,
// netcat wrote at least one line per `OK`, the HTTP and Avro sinks took at least the events
// of every 200 and OK.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Findings } from '../findings.js';
import { Rng } from '../rng.js';
import type { Finding, TargetSummary } from '../target.js';
import { FuzzAgent, SOURCES, type Metrics, type SourceName } from './agent.js';
import { makeAttack, type Attack } from './attacks.js';
import { probe, SinkOutput } from './probe.js';
import { execute } from './send.js';

export interface NetworkOptions {
  seed: number;
  start: number;
  count: number;
  outDir: string;
  /** Attacks per burst, between two rounds of probes. */
  burst: number;
  /** Attacks in flight at once. */
  parallel: number;
  /** How long a valid client may wait to be served. */
  serveMs: number;
  /** Resident memory the agent may reach. */
  rssLimitMb: number;
  progress?: (done: number) => void;
  /** Attacks to send instead of generated ones (a replay). */
  attacks?: Attack[];
}

/** The agent log lines that are bugs, not reports of bad input. */
/** Slow and held connections open at once. */
const MAX_BACKGROUND = 64;

const INTERNAL = /internal error|Unhandled|uncaught|\bat .+:\d+:\d+\)?$|TypeError|RangeError|ReferenceError|heap out of memory/i;

export async function runNetwork(o: NetworkOptions): Promise<TargetSummary> {
  const findings = new Findings({ target: 'network', seed: o.seed, outDir: o.outDir, extension: '.json' });
  const work = mkdtempSync(join(tmpdir(), 'flowc-fuzz-net-'));
  const t0 = performance.now();
  let agent = await FuzzAgent.start(join(work, 'agent-0'));
  let output = new SinkOutput(agent.outDir);
  let agents = 1;
  let peakRss = agent.rssMb();
  let slowestServeMs = 0;
  let markerSerial = 0;
  const acked = new Map<SourceName, number>();
  const ackedMarkers = new Map<string, SourceName>();
  let logSeen = 0;
  const background = new Set<Promise<void>>();
  const total = o.attacks?.length ?? o.count;
  let done = 0;

  const record = (burst: Attack[], finding: Finding) => {
    const input = JSON.stringify(
      burst.map((a) => ({ ...a, chunks: a.chunks.map((c) => c.toString('base64')) })),
      null,
      1,
    );
    findings.add(burst[0]?.index ?? o.start, { ...finding, detail: `${finding.detail ?? ''}\nburst of ${burst.length} attacks from #${burst[0]?.index}:\n${burst.map((a) => `  #${a.index} ${a.source}: ${a.mode}: ${a.what}`).join('\n')}\nagent log (last lines):\n${agent.log.slice(-40).join('\n')}` }, input);
  };
  // A crashed agent is replaced; one that stopped serving or grew too big is first drained,
  // stopped and checked for lost events, as at the end.
  const restart = async (burst: Attack[], crashed: boolean) => {
    await Promise.all(background);
    if (crashed) await agent.stop(5000);
    else for (const l of await finish(agent, output, acked, ackedMarkers, o.serveMs)) record(burst, l);
    agent = await FuzzAgent.start(join(work, `agent-${agents++}`));
    output = new SinkOutput(agent.outDir);
    acked.clear();
    ackedMarkers.clear();
    logSeen = 0;
  };

  for (let from = 0; from < total; from += o.burst) {
    const burst: Attack[] = [];
    for (let i = from; i < Math.min(total, from + o.burst); i++) {
      burst.push(o.attacks ? o.attacks[i]! : makeAttack(Rng.forInput(o.seed, 'network', o.start + i), o.start + i));
    }
    // Attack, `parallel` at a time. Slow and held connections stay open in the background
    // while the next bursts and probes run, as a slow client does.
    let next = 0;
    const lanes = Array.from({ length: Math.min(o.parallel, burst.length) }, async () => {
      while (next < burst.length) {
        const a = burst[next++]!;
        const ports = agent.ports[a.source];
        const sent = execute(a, ports).then((r) => {
          if (r.acked > 0) acked.set(a.source, (acked.get(a.source) ?? 0) + r.acked);
        });
        if (a.mode === 'slow' || a.mode === 'hold') {
          background.add(sent);
          void sent.finally(() => background.delete(sent));
          if (background.size > MAX_BACKGROUND) await Promise.race(background);
        } else await sent;
      }
    });
    await Promise.all(lanes);
    done += burst.length;
    o.progress?.(done);

    // Every source still serves a valid client.
    const probes = await Promise.all(
      SOURCES.map((s) => {
        const marker = `MARK-${o.seed}-${from}-${markerSerial++}`;
        return agent.exit ? undefined : probe(s, agent.ports[s], marker, output, o.serveMs);
      }),
    );
    peakRss = Math.max(peakRss, agent.rssMb());
    if (agent.exit) {
      record(burst, { kind: 'crash', message: `the agent exited (code ${agent.exit.code}, signal ${agent.exit.signal})` });
      await restart(burst, true);
      continue;
    }
    for (const p of probes) {
      if (!p) continue;
      slowestServeMs = Math.max(slowestServeMs, p.ms);
      if (!p.ok) record(burst, { kind: 'unserved', message: `${p.source}: a valid client was not served after a burst: ${p.error}` });
      if (p.acked) for (const m of p.markers) ackedMarkers.set(m, p.source);
    }
    const rss = agent.rssMb();
    if (rss > o.rssLimitMb) {
      record(burst, { kind: 'memory', message: `the agent's resident memory reached ${rss.toFixed(0)} MB (limit ${o.rssLimitMb} MB)` });
      await restart(burst, false);
      continue;
    }
    const bad = agent.log.slice(logSeen).find((l) => INTERNAL.test(l));
    logSeen = agent.log.length;
    if (bad) record(burst, { kind: 'crash', message: `the agent logged an internal error: ${bad.slice(0, 200)}` });
    if (probes.some((p) => p && !p.ok)) await restart(burst, false);
  }

  // Drained, stopped, and nothing acknowledged missing.
  await Promise.all(background);
  const endBurst: Attack[] = [];
  const lost = await finish(agent, output, acked, ackedMarkers, o.serveMs);
  for (const l of lost) record(endBurst, l);
  rmSync(work, { recursive: true, force: true });
  const seconds = (performance.now() - t0) / 1000;
  return findings.summary(total, seconds, [
    `sources: ${SOURCES.join(', ')}`,
    `peak agent memory: ${peakRss.toFixed(0)} MB resident; slowest valid client served after a burst: ${(slowestServeMs / 1000).toFixed(1)} s`,
    `agents started: ${agents}; events acknowledged under attack: ${[...acked.entries()].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
  ]);
}

async function finish(
  agent: FuzzAgent,
  output: SinkOutput,
  acked: Map<SourceName, number>,
  ackedMarkers: Map<string, SourceName>,
  serveMs: number,
): Promise<Finding[]> {
  const out: Finding[] = [];
  // Wait for the channels to empty, then compare what the sources took with what the sinks wrote.
  let metrics: Metrics | undefined;
  const deadline = Date.now() + Math.max(60_000, serveMs);
  while (Date.now() < deadline) {
    metrics = await agent.metrics().catch(() => undefined);
    if (metrics && SOURCES.every((s) => Number(metrics![`CHANNEL.c_${s}`]?.ChannelSize ?? 0) === 0)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (metrics) {
    for (const s of ['http_json', 'http_blob', 'avro'] as const) {
      const drained = Number(metrics[`SINK.k_${s}`]?.EventDrainSuccessCount ?? 0);
      const need = acked.get(s) ?? 0;
      if (drained < need) out.push({ kind: 'lost-event', message: `${s}: the agent acknowledged ${need} events of hostile clients, its sink took ${drained}` });
    }
  }
  const stopped = await agent.stop(120_000);
  if (stopped.killed || stopped.code !== 0) {
    out.push({ kind: 'crash', message: `the agent did not stop cleanly on SIGTERM (code ${stopped.code}, signal ${stopped.signal})`, detail: agent.log.slice(-40).join('\n') });
  }
  output.poll();
  const missing = [...ackedMarkers.entries()].filter(([m]) => !output.seen.has(m));
  if (missing.length > 0) {
    out.push({ kind: 'lost-event', message: `${missing.length} acknowledged marker(s) never reached their sink, e.g. ${missing[0]![0]} (${missing[0]![1]})` });
  }
  const netcatAcked = (acked.get('netcat') ?? 0) + [...ackedMarkers.values()].filter((s) => s === 'netcat').length;
  const netcatLines = output.lines.get('netcat') ?? 0;
  if (netcatLines < netcatAcked) out.push({ kind: 'lost-event', message: `netcat answered OK to ${netcatAcked} lines, its sink wrote ${netcatLines}` });
  return out;
}

/** The attacks of a written burst (the `.json` file of a network failure). */
export function readAttacks(path: string): Attack[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as (Omit<Attack, 'chunks'> & { chunks: string[] })[];
  return raw.map((a) => ({ ...a, chunks: a.chunks.map((c) => Buffer.from(c, 'base64')) }));
}

// Real Flume 1.11's hdfs sink writing into the MiniDFSCluster: an agent (avro source → memory
// channel → hdfs sink) fed over Avro RPC with events whose headers the test chooses (fixed
// `timestamp` headers, so buckets and names are known), stopped once the sink has taken them
// all, so that Flume closes and renames every file.
import type { Event } from '../../runtime/core/event.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import { freePort, startFlumeAgent, type FlumeAgent } from './flume.js';
import type { MiniDfs } from './hdfs.js';

export interface FlumeHdfsRun {
  /** Flume's log (INFO), for failures and for the names it opened and renamed. */
  log: string;
  /** SINK counters at the end. */
  sink: Record<string, string>;
  elapsedMs: number;
}

export interface FlumeHdfsOptions {
  dfs: Pick<MiniDfs, 'rpcPort'>;
  /**
   * The sink's properties without the `hdfs.` prefix' agent part, e.g. `{ 'hdfs.path': '/flume/%Y',
   * 'hdfs.fileType': 'DataStream' }`; a path starting with `/` is put under the MiniDFSCluster's
   * hdfs://127.0.0.1:RPCPORT. hdfs.minBlockReplicas defaults to 1 (one datanode: Flume would
   * otherwise roll after every batch, seeing each block under-replicated).
   */
  sink: Record<string, string>;
  events: Event[];
  /** Events per appendBatch call (default 100). */
  batch?: number;
  /** The memory channel's transactionCapacity (default 1000; at least the sink's batch size). */
  transactionCapacity?: number;
  jvmOpts?: string[];
  /** Longest wait for the sink to take every event (default 120 s). */
  drainTimeoutMs?: number;
}

/** Runs a Flume agent with an hdfs sink over the events, stops it (files closed and renamed) and reports. */
export async function runFlumeHdfsSink(o: FlumeHdfsOptions): Promise<FlumeHdfsRun> {
  const port = await freePort();
  const sinkProps = { 'hdfs.minBlockReplicas': '1', ...o.sink };
  const path = sinkProps['hdfs.path'] ?? '/flume';
  sinkProps['hdfs.path'] = path.startsWith('/') ? `hdfs://127.0.0.1:${o.dfs.rpcPort}${path}` : path;
  const properties = [
    'a.sources = r',
    'a.channels = c',
    'a.sinks = k',
    'a.sources.r.type = avro',
    'a.sources.r.bind = 127.0.0.1',
    `a.sources.r.port = ${port}`,
    'a.sources.r.channels = c',
    'a.channels.c.type = memory',
    `a.channels.c.capacity = ${Math.max(10_000, o.events.length + 1000)}`,
    `a.channels.c.transactionCapacity = ${o.transactionCapacity ?? 1000}`,
    'a.sinks.k.type = hdfs',
    'a.sinks.k.channel = c',
    ...Object.entries(sinkProps).map(([k, v]) => `a.sinks.k.${k} = ${v}`),
    '',
  ].join('\n');
  const started = Date.now();
  const agent = await startFlumeAgent({ name: 'a', properties, waitForPorts: [port], jvmOpts: o.jvmOpts ?? ['-Xmx512m'], startTimeoutMs: 90_000 });
  try {
    const client = await AvroClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 60_000 });
    try {
      const batch = o.batch ?? 100;
      for (let i = 0; i < o.events.length; i += batch) {
        const status = await client.appendBatch(o.events.slice(i, i + batch));
        if (status !== 'OK') throw new Error(`Flume's avro source answered ${status} at event ${i}:\n${agent.logText().slice(-4000)}`);
      }
    } finally {
      await client.close();
    }
    const sink = await waitForDrain(agent, o.events.length, o.drainTimeoutMs ?? 120_000);
    const elapsedMs = Date.now() - started;
    await agent.stop(60_000);
    return { log: agent.logText(), sink, elapsedMs };
  } catch (e) {
    const log = agent.logText();
    await agent.stop(5_000);
    throw Object.assign(e as Error, { message: `${(e as Error).message}\n--- Flume's log (end) ---\n${log.slice(-6000)}` });
  }
}

async function waitForDrain(agent: FlumeAgent, count: number, timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await agent.metrics();
    const sink = m['SINK.k'] ?? {};
    if (Number(sink['EventDrainSuccessCount'] ?? 0) >= count) return sink;
    if (Date.now() > deadline) {
      throw new Error(`Flume's hdfs sink took ${sink['EventDrainSuccessCount'] ?? 0} of ${count} events in ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

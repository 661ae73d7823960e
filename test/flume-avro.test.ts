// flowc's avro source and sink against real Apache Flume 1.11.0 (test/peers): Flume's
// AvroCLIClient and RpcClient send to our source; our sink sends to Flume's avro source, plain,
// with deflate and with TLS (a self-signed PKCS12 keystore made with openssl). Every event is
// counted at the far end.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectEverySequence, fileRollCollector, flumeClasspath, flumeTestScope, freePort, rolledLines, runRpcLoad, startFlumeAgent, type FlumeAgent } from './helpers/flume.js';
import { selfSigned } from './helpers/tiers.js';
import { runFlow, takeAll, waitFor, type Running } from './runtime/helpers.js';

const { temp, agent: keepAgent, flow: keepFlow } = flumeTestScope('flowc-avro-flume-');

/** A self-signed PKCS12 keystore (password changeit), made with openssl. */
const selfSignedPkcs12 = (dir: string) => selfSigned(dir).keystore;

/** A flowc collector: avro source → memory channel (nothing drains it, so the test can count). */
async function flowcCollector(extra = ''): Promise<{ r: Running; port: number; source: () => Record<string, string> }> {
  const port = await freePort();
  const r = await runFlow(`
agent collector {
  source rpc : avro { bind = "127.0.0.1", port = ${port}${extra} }
  channel mem : memory { capacity = 200000, transactionCapacity = 1000 }
  rpc -> mem
}`);
  keepFlow(r);
  return { r, port, source: () => r.runner.agents[0]!.metrics.json()['SOURCE.rpc']! };
}

/** Flume's RpcLoad bodies: the sequence number, padded with 'x'. */
const seqOf = (body: Buffer) => Number(/^\d+/.exec(body.toString())![0]);

describe("Flume's clients → flowc's avro source", () => {
  it("flume-ng avro-client (AvroCLIClient): a file of 10,000 lines, none lost", async () => {
    const c = await flowcCollector();
    const d = temp();
    const file = join(d, 'lines.txt');
    writeFileSync(file, Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'y'.repeat(i % 50)}\n`).join(''));
    const proc = spawn('java', ['-Xmx256m', '-cp', flumeClasspath(), 'org.apache.flume.client.avro.AvroCLIClient', '-H', '127.0.0.1', '-p', String(c.port), '-F', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout!.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => proc.on('exit', r));
    expect(code, err).toBe(0);
    const events = takeAll(c.r, 'mem');
    expect(events.map((e) => e.body.toString())).toEqual(readFileSync(file, 'utf8').split('\n').slice(0, -1));
    const m = c.source();
    expect(m).toMatchObject({ EventReceivedCount: '10000', EventAcceptedCount: '10000', ChannelWriteFail: '0' });
    // avro-client sends its own batch size per appendBatch; every one was accepted.
    expect(Number(m.AppendBatchReceivedCount)).toBeGreaterThan(0);
    expect(m.AppendBatchAcceptedCount).toBe(m.AppendBatchReceivedCount);
  }, 120_000);

  it("Flume's RpcClient: 70,000 single-event append calls on one connection, none lost", async () => {
    const c = await flowcCollector();
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, Number(c.source().OpenConnectionCount))), 50);
    const load = await runRpcLoad({ port: c.port, mode: 'append', events: 70_000, bodySize: 32, headers: { from: 'rpcclient' } });
    clearInterval(watch);
    expect(load.exitCode, load.stderr).toBe(0);
    expect(load).toMatchObject({ sent: 70_000, failed: 0 });
    expect(most).toBe(1);
    expect(c.source()).toMatchObject({ AppendReceivedCount: '70000', AppendAcceptedCount: '70000', EventAcceptedCount: '70000' });
    const events = takeAll(c.r, 'mem');
    expect(events[0]!.headers).toEqual({ from: 'rpcclient' });
    expectEverySequence(events.map((e) => seqOf(e.body)), 70_000);
  }, 180_000);

  it("four of Flume's RpcClients at once, after a warm-up (the benchmark's load): every event once", async () => {
    const c = await flowcCollector();
    const load = await runRpcLoad({ port: c.port, mode: 'appendBatch', batch: 100, events: 20_000, warmup: 4_000, threads: 4, bodySize: 64 });
    expect(load.exitCode, load.stderr).toBe(0);
    // Only the measured events count as sent; the warm-up's follow them in sequence.
    expect(load).toMatchObject({ sent: 20_000, failed: 0, threads: 4, warmup: 4_000 });
    expectEverySequence(takeAll(c.r, 'mem').map((e) => seqOf(e.body)), 24_000);
  }, 180_000);

  it("Flume's RpcClient with deflate, and over TLS to a PKCS12 keystore", async () => {
    const deflate = await flowcCollector(', compression-type = deflate');
    const a = await runRpcLoad({ port: deflate.port, mode: 'appendBatch', batch: 100, events: 5000, compression: 'deflate', compressionLevel: 6 });
    expect(a.exitCode, a.stderr).toBe(0);
    expectEverySequence(takeAll(deflate.r, 'mem').map((e) => seqOf(e.body)), 5000);
    const p12 = selfSignedPkcs12(temp());
    const tls = await flowcCollector(`, ssl = true, keystore = "${p12}", keystore-password = "changeit", keystore-type = PKCS12`);
    const b = await runRpcLoad({ port: tls.port, mode: 'appendBatch', batch: 100, events: 5000, ssl: { truststore: p12, truststorePassword: 'changeit', truststoreType: 'PKCS12' } });
    expect(b.exitCode, b.stderr).toBe(0);
    expectEverySequence(takeAll(tls.r, 'mem').map((e) => seqOf(e.body)), 5000);
  }, 180_000);
});

describe("flowc's avro sink → Flume's avro source", () => {
  async function flumeCollector(extra: Record<string, string> = {}): Promise<{ agent: FlumeAgent; port: number; out: string }> {
    const port = await freePort();
    const out = temp();
    const agent = keepAgent(await startFlumeAgent({ name: 'col', properties: fileRollCollector({ type: 'avro', port, out, source: extra }), waitForPorts: [port] }));
    return { agent, port, out };
  }

  async function sendFromFlowc(port: number, events: number, sinkExtra: string): Promise<Running> {
    const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = ${events}, batchSize = 1000 }
  channel buf : memory { capacity = 100000, transactionCapacity = 1000 }
  sink up : avro { hostname = "127.0.0.1", port = ${port}, batch-size = 1000${sinkExtra} }
  gen -> buf -> up
}`);
    keepFlow(r);
    return r;
  }

  for (const [what, source, sink] of [
    ['plain', {}, ''],
    ['deflate', { 'compression-type': 'deflate' }, ', compression-type = deflate, compression-level = 6'],
  ] as const) {
    it(`50,000 events, ${what}: all of them at Flume, each once`, async () => {
      const col = await flumeCollector(source);
      const edge = await sendFromFlowc(col.port, 50_000, sink);
      await waitFor(async () => Number((await col.agent.metrics())['SOURCE.r1']?.EventAcceptedCount ?? 0) >= 50_000, 120_000, '50,000 events at Flume');
      const m = (await col.agent.metrics())['SOURCE.r1']!;
      expect(m.EventAcceptedCount).toBe('50000');
      expect(edge.runner.agents[0]!.metrics.json()['SINK.up']).toMatchObject({ EventDrainSuccessCount: '50000', ConnectionFailedCount: '0' });
      await waitFor(() => rolledLines(col.out).length >= 50_000, 60_000, 'file_roll to write every event');
      expectEverySequence(rolledLines(col.out).map(Number), 50_000);
    }, 180_000);
  }

  it('over TLS: Flume trusts nothing but its keystore; our sink trusts the same PKCS12 as its truststore', async () => {
    const p12 = selfSignedPkcs12(temp());
    const col = await flumeCollector({ ssl: 'true', keystore: p12, 'keystore-password': 'changeit', 'keystore-type': 'PKCS12' });
    await sendFromFlowc(col.port, 5000, `, ssl = true, truststore = "${p12}", truststore-password = "changeit", truststore-type = PKCS12`);
    await waitFor(async () => Number((await col.agent.metrics())['SOURCE.r1']?.EventAcceptedCount ?? 0) >= 5000, 120_000, '5,000 events at Flume over TLS');
    await waitFor(() => rolledLines(col.out).length >= 5000, 60_000, 'file_roll to write every event');
    expectEverySequence(rolledLines(col.out).map(Number), 5000);
  }, 180_000);
});

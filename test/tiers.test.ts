// Tiers of flowc agents linked by Avro RPC, as users run them: `flowc run` child processes on
// loopback ports, fed by `flowc send` or a seq source, checked by the sequence numbers that
// reach the collector's files. The collector is SIGKILLed and restarted in the middle of a
// million events: the edge's avro sink rolls back and re-sends, the collector's file channel
// keeps what it acknowledged, and every event arrives at least once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLines, freePort, scratch, waitFor, type Child } from './runtime/helpers.js';
import { flowcSend, runFlowc, selfSigned, sequenceCount } from './helpers/tiers.js';

const { children, work } = scratch();

async function start(dir: string, flow: string, args: string[] = [], name?: string): Promise<Child> {
  const child = await runFlowc(dir, flow, args, name);
  children.push(child);
  return child;
}

/** The example on free ports, writing under `dir`. */
async function example(dir: string): Promise<{ flow: string; edge: number; collector: number; out: string }> {
  const [edge, collector] = [await freePort(), await freePort()];
  const out = join(dir, 'out');
  const flow = readFileSync('examples/tiers-local.flow', 'utf8')
    .replaceAll('41414', String(edge))
    .replaceAll('41415', String(collector))
    .replace('"out/tiers"', JSON.stringify(out));
  return { flow, edge, collector, out };
}

describe('a tier of flowc agents', () => {
  it('runs the example\'s edge and collector in one process; lines sent to the edge reach the collector\'s files, also those still queued at SIGTERM', async () => {
    const dir = work();
    const { flow, collector, out } = await example(dir);
    const agent = await start(dir, flow);
    expect(agent.stdout()).toContain('agent `local_edge` running');
    expect(agent.stdout()).toContain('agent `local_collector` running');
    expect(agent.stdout()).toContain(`local_edge.up → local_collector.rpc at 127.0.0.1:${collector}`);

    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`);
    const sent = await flowcSend(['--flow', join(dir, 'app.flow'), '--to', 'local_edge.app', '-H', 'app=web', '--batch-size', '500'], { input: lines.join('\n') + '\n' });
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    expect(sent.stdout).toMatch(/^sent 20000 event\(s\) in 40 batch\(es\) to 127\.0\.0\.1:\d+/);

    // Stopped at once: the edge drains into the collector, which is still listening, and the
    // collector into its files.
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const got = fileLines(out);
    expect(got.length).toBe(lines.length);
    expect(new Set(got)).toEqual(new Set(lines));
  }, 60_000);

  // One machine, two processes from one file: the collector with a durable channel, killed
  // with SIGKILL and started again while the edge keeps sending.
  const crash = (variant: 'plain' | 'deflate' | 'tls') =>
    async () => {
      const dir = work();
      const total = 1_000_000;
      const port = await freePort();
      const out = join(dir, 'out');
      let sinkTls = '';
      let sourceTls = '';
      if (variant === 'tls') {
        const cert = selfSigned(dir);
        sourceTls = `, ssl = true, keystore = ${JSON.stringify(cert.keystore)}, keystore-password = "${cert.password}", keystore-type = "PKCS12"`;
        sinkTls = `, ssl = true, truststore = ${JSON.stringify(cert.certPem)}, truststore-type = "PEM"`;
      }
      const compression = variant === 'deflate' ? ', compression-type = deflate' : '';
      const flow = `
agent edge on "127.0.0.1" {
  source numbers : seq { totalEvents = ${total}, batchSize = 1_000 }
  channel buf : memory { capacity = 200_000, transactionCapacity = 1_000 }
  sink up : avro { to = collector.rpc, batch-size = 1_000, request-timeout = 5s${compression}${sinkTls} }
  numbers -> buf -> up
}

agent collector on "127.0.0.1" {
  source rpc : avro { bind = "127.0.0.1", port = ${port}${compression}${sourceTls} }
  channel disk : file {
    checkpointDir = ${JSON.stringify(join(dir, 'checkpoint'))}
    dataDirs = [${JSON.stringify(join(dir, 'data'))}]
    capacity = 1_000_000
    transactionCapacity = 1_000
  }
  sink files : file_roll { sink { directory = ${JSON.stringify(out)}, rollInterval = 0s, batchSize = 1_000 } }
  rpc -> disk -> files
}
`;
      let collector = await start(dir, flow, ['--agent', 'collector'], 'tiers.flow');
      const edge = await start(dir, flow, ['--agent', 'edge'], 'tiers.flow');
      expect(edge.stdout()).not.toContain('links between these agents');

      // Killed once a good part has arrived, with much still on its way.
      await waitFor(() => sequenceCount(out, total).seen >= 250_000, 120_000, 'a quarter of the events at the collector', 300);
      collector.proc.kill('SIGKILL');
      await collector.exited;
      const before = sequenceCount(out, total).seen;
      expect(before).toBeLessThan(total);
      collector = await start(dir, flow, ['--agent', 'collector'], 'tiers.flow');

      const done = await waitFor(() => {
        const c = sequenceCount(out, total);
        return c.seen === total ? c : undefined;
      }, 180_000, 'every event at the collector', 300).catch((e: Error) => {
        const c = sequenceCount(out, total);
        throw new Error(`${e.message}: ${c.seen} of ${total} arrived (first missing ${c.firstMissing})\nedge:\n${edge.stderr().slice(-2000)}\ncollector:\n${collector.stderr().slice(-2000)}`);
      });
      expect(done.seen).toBe(total);
    };

  it('edge → collector, 1,000,000 events, the collector SIGKILLed and restarted: every event arrives', crash('plain'), 300_000);
  it('the same with deflate on the link', crash('deflate'), 300_000);
  it('the same over TLS (a self-signed PKCS12 keystore made with openssl)', crash('tls'), 300_000);
});

// The thrift source and sink in running agents: flowc → flowc without loss (compact, binary,
// TLS), FAILED from the far side rolls the batch back and it is sent again, and hostile peers
// (oversized frames, garbage, a wrong protocol, an unknown method) are disconnected or answered
// while the server keeps serving everyone else.
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Event } from '../../runtime/core/event.js';
import { decodeReply, encodeCall, type ThriftStatus } from '../../runtime/rpc/thrift-codec.js';
import { ThriftClient } from '../../runtime/rpc/thrift-client.js';
import { ThriftServer } from '../../runtime/rpc/thrift-server.js';
import { everyNumber, selfSigned } from '../helpers/tiers.js';
import { componentMetrics as metrics, freePort, runFlow, scratch, waitFor, type Running } from './helpers.js';

const { cleanup, work } = scratch();

async function edgeToCollector(n: number, sourceExtra: string, sinkExtra: string): Promise<Running> {
  const port = await freePort();
  const r = await runFlow(`
agent collector on "127.0.0.1" {
  source rpc : thrift { bind = "127.0.0.1", port = ${port}${sourceExtra} }
  channel mem : memory { capacity = 100000, transactionCapacity = 1000 }
  sink out : null { batchSize = 1000 }
  rpc -> mem -> out
}
agent edge {
  source gen : seq { totalEvents = ${n}, batchSize = 1000 }
  channel buf : memory { capacity = 100000, transactionCapacity = 1000 }
  sink up : thrift { hostname = "127.0.0.1", port = ${port}, batch-size = 1000${sinkExtra} }
  gen -> buf -> up
}`);
  cleanup.push(() => r.stop());
  // The collector commits before it answers, so the sink counts a batch a moment after the source.
  await waitFor(() => Number(metrics(r, 'collector', 'SOURCE.rpc').EventAcceptedCount) >= n && Number(metrics(r, 'edge', 'SINK.up').EventDrainSuccessCount) >= n, 60_000, `${n} events at the collector`);
  expect(metrics(r, 'collector', 'SOURCE.rpc')).toMatchObject({ EventAcceptedCount: String(n), ChannelWriteFail: '0' });
  expect(metrics(r, 'edge', 'SINK.up')).toMatchObject({ EventDrainSuccessCount: String(n), ConnectionFailedCount: '0' });
  return r;
}

describe('thrift sink → thrift source (flowc → flowc)', () => {
  it('20,000 events in the compact protocol, none lost, with Flume counters on both sides', async () => {
    await edgeToCollector(20_000, '', '');
  }, 90_000);

  it('5,000 events in the binary protocol', async () => {
    await edgeToCollector(5000, ', protocol = binary', ', protocol = binary');
  }, 90_000);

  it('5,000 events over TLS: a PKCS12 keystore at the source, the same file as the sink truststore', async () => {
    const { keystore: p12, password } = selfSigned(work());
    await edgeToCollector(5000, `, ssl = true, keystore = "${p12}", keystore-password = "${password}", keystore-type = PKCS12`, `, ssl = true, truststore = "${p12}", truststore-password = "${password}", truststore-type = PKCS12`);
  }, 90_000);

  it('a collector that answers FAILED: the batch is rolled back and sent again; nothing lost, nothing committed twice', async () => {
    const seen: number[] = [];
    let calls = 0;
    const server = new ThriftServer({
      host: '127.0.0.1',
      port: 0,
      protocol: 'compact',
      handler: {
        append: async () => 'FAILED',
        appendBatch: async (events: Event[]): Promise<ThriftStatus> => {
          if (calls++ % 3 === 1) return 'FAILED';
          for (const e of events) seen.push(Number(e.body.toString()));
          return 'OK';
        },
      },
    });
    await server.listen();
    cleanup.push(() => server.close());
    const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = 3000, batchSize = 100 }
  channel buf : memory { capacity = 10000, transactionCapacity = 100 }
  sink up : thrift { hostname = "127.0.0.1", port = ${server.port}, batch-size = 100 }
  gen -> buf -> up
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => seen.length >= 3000, 120_000, 'every event accepted');
    expect(everyNumber(seen, 3000)).toBe(true);
    expect(seen.length).toBe(3000);
    const sink = metrics(r, 'edge', 'SINK.up');
    expect(sink.EventDrainSuccessCount).toBe('3000');
    expect(Number(sink.ConnectionClosedCount)).toBeGreaterThan(0);
  }, 150_000);
});

describe('hostile peers at the thrift source', () => {
  async function collector(): Promise<{ r: Running; port: number }> {
    const port = await freePort();
    const r = await runFlow(`
agent c {
  source rpc : thrift { bind = "127.0.0.1", port = ${port} }
  channel mem : memory { capacity = 10000, transactionCapacity = 1000 }
  rpc -> mem
}`);
    cleanup.push(() => r.stop());
    return { r, port };
  }

  /** Sends bytes and resolves with what came back once the server closes the connection. */
  function sendAndWaitClose(port: number, bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      const got: Buffer[] = [];
      s.on('data', (b) => got.push(b));
      s.on('error', () => undefined);
      s.on('close', () => resolve(Buffer.concat(got)));
      s.on('connect', () => s.write(bytes));
      setTimeout(() => reject(new Error('the server did not close the connection')), 20_000).unref();
    });
  }

  async function stillServes(port: number): Promise<void> {
    const c = await ThriftClient.connect({ host: '127.0.0.1', port, protocol: 'compact' });
    expect(await c.appendBatch([{ headers: { k: 'v' }, body: Buffer.from('after') }])).toBe('OK');
    await c.close();
  }

  it('a frame length of 2 GB is refused before anything is buffered: disconnected, the server keeps serving', async () => {
    const { r, port } = await collector();
    const head = Buffer.alloc(4);
    head.writeInt32BE(0x7fffffff);
    expect((await sendAndWaitClose(port, Buffer.concat([head, Buffer.alloc(1000, 1)]))).length).toBe(0);
    const neg = Buffer.alloc(8, 0xff);
    expect((await sendAndWaitClose(port, neg)).length).toBe(0);
    await stillServes(port);
    expect(metrics(r, 'c', 'SOURCE.rpc').EventAcceptedCount).toBe('1');
  }, 60_000);

  it('garbage, an HTTP request and a binary-protocol call on a compact source are disconnected; nothing reaches the channel', async () => {
    const { r, port } = await collector();
    const garbage = Buffer.alloc(64, 0x41);
    garbage.writeInt32BE(60, 0);
    await sendAndWaitClose(port, garbage);
    await sendAndWaitClose(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await sendAndWaitClose(port, encodeCall('binary', 1, [{ headers: {}, body: Buffer.from('x') }]));
    // A list that claims a million events in a 20-byte frame.
    const lie = Buffer.from([0, 0, 0, 20, 0x82, 0x21, 1, 11, ...Buffer.from('appendBatch'), 0x19, 0xfc, 0x80, 0x89, 0x7a]);
    lie.writeInt32BE(lie.length - 4, 0);
    await sendAndWaitClose(port, lie);
    await stillServes(port);
    expect(metrics(r, 'c', 'SOURCE.rpc')).toMatchObject({ EventReceivedCount: '1', EventAcceptedCount: '1' });
  }, 60_000);

  it('an unknown method gets a TApplicationException and the connection goes on', async () => {
    const { port } = await collector();
    const call = encodeCall('compact', 7, [{ headers: {}, body: Buffer.from('x') }]);
    // Rename appendBatch → appendBatcX: same length, unknown to the server.
    const at = call.indexOf('appendBatch');
    call[at + 10] = 'X'.charCodeAt(0);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write(call));
      let got = Buffer.alloc(0);
      s.on('data', (b) => {
        got = Buffer.concat([got, b]);
        if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
          s.destroy();
          resolve(got.subarray(4, 4 + got.readInt32BE(0)));
        }
      });
      s.on('error', reject);
    });
    const decoded = decodeReply(reply, 'compact');
    expect(decoded).toMatchObject({ seqid: 7, exception: expect.stringContaining('appendBatcX') });
    await stillServes(port);
  }, 60_000);

  it('a peer that stops half-way through a frame is disconnected after the read timeout', async () => {
    const server = new ThriftServer({ host: '127.0.0.1', port: 0, protocol: 'compact', readTimeoutMs: 500, handler: { append: async () => 'OK', appendBatch: async () => 'OK' } });
    await server.listen();
    cleanup.push(() => server.close());
    const half = encodeCall('compact', 1, [{ headers: {}, body: Buffer.alloc(100) }]).subarray(0, 50);
    expect((await sendAndWaitClose(server.port, half)).length).toBe(0);
    await stillServes(server.port);
  }, 60_000);
});

describe('thrift in a bundle', () => {
  it('flowc build --target bundle includes the thrift modules; the bundle runs with plain node', async () => {
    const { spawnNode, bin } = await import('./helpers.js');
    const { copyFileSync, writeFileSync } = await import('node:fs');
    const d = work();
    const port = await freePort();
    writeFileSync(
      join(d, 'c.flow'),
      `agent c {\n  source rpc : thrift { bind = "127.0.0.1", port = ${port}, protocol = binary }\n  channel mem : memory\n  sink log : logger\n  rpc -> mem -> log\n}\n`,
    );
    const b = spawnNode([bin, 'build', 'c.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited, b.stderr()).toBe(0);
    const empty = work();
    copyFileSync(join(d, 'dist', 'c.agent.mjs'), join(empty, 'c.agent.mjs'));
    const agent = spawnNode(['c.agent.mjs'], empty);
    cleanup.push(() => agent.proc.kill('SIGKILL'));
    await waitFor(() => agent.stdout().includes(`thrift://127.0.0.1:${port}`), 20_000, 'the bundled agent to start');
    const c = await ThriftClient.connect({ host: '127.0.0.1', port, protocol: 'binary' });
    expect(await c.append({ headers: { h: 'v' }, body: Buffer.from('from the bundle') })).toBe('OK');
    await c.close();
    await waitFor(() => agent.stdout().includes('from the bundle'), 10_000, 'the logger line');
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  }, 60_000);
});

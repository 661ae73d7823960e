// The avro source and sink in running agents: delivery without loss, FAILED and resend,
// failover between collectors, TLS with a PKCS12 keystore made by openssl, ipFilterRules.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '../../runtime/core/event.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import type { Status } from '../../runtime/rpc/protocol.js';
import { AvroServer } from '../../runtime/rpc/server.js';
import { everyNumber, selfSigned } from '../helpers/tiers.js';
import { componentMetrics as metrics, freePort, runFlow, scratch, waitFor, type Running } from './helpers.js';

const { cleanup, work } = scratch();

/** A collector in the test: counts the sequence numbers it accepts. */
async function collector(answer: (n: number, events: Event[]) => Status = () => 'OK') {
  const seen: number[] = [];
  let calls = 0;
  const server = new AvroServer({
    host: '127.0.0.1',
    port: 0,
    handler: {
      append: async () => 'FAILED',
      appendBatch: async (events) => {
        const status = answer(calls++, events);
        if (status === 'OK') for (const e of events) seen.push(Number(e.body.toString()));
        return status;
      },
    },
  });
  await server.listen();
  cleanup.push(() => server.close());
  return { server, seen, port: server.port };
}

/**
 * Runs an edge (a seq source of `n` events into an avro sink) and its collector (an avro source
 * into a null sink) in this process and waits until the collector accepted all `n`. `sourceExtra`
 * and `sinkExtra` are more properties (`, ssl = true`) for the avro source and sink.
 */
async function edgeToCollector(n: number, sourceExtra = '', sinkExtra = ''): Promise<Running> {
  const port = await freePort();
  const r = await runFlow(`
agent collector on "127.0.0.1" {
  source rpc : avro { bind = "127.0.0.1", port = ${port}${sourceExtra} }
  channel mem : memory { capacity = 100000, transactionCapacity = 1000 }
  sink out : null { batchSize = 1000 }
  rpc -> mem -> out
}
agent edge {
  source gen : seq { totalEvents = ${n}, batchSize = 500 }
  channel buf : memory { capacity = 100000, transactionCapacity = 1000 }
  sink up : avro { to = collector.rpc, batch-size = 500${sinkExtra} }
  gen -> buf -> up
}`);
  cleanup.push(() => r.stop());
  await waitFor(() => metrics(r, 'collector', 'SOURCE.rpc')?.EventAcceptedCount === String(n), 30_000, `${n.toLocaleString('en')} events at the collector`);
  return r;
}

/** Runs agent `c`: an avro source `rpc` on `port` with more properties `props` (`, ssl = true`) into a memory channel. */
async function avroSource(port: number, props: string, channel = 'channel mem : memory'): Promise<Running> {
  const r = await runFlow(`agent c { source rpc : avro { bind = "127.0.0.1", port = ${port}${props} }
  ${channel}
  rpc -> mem }`);
  cleanup.push(() => r.stop());
  return r;
}

describe('avro sink → avro source', () => {
  it('edge → collector in one process: 20,000 events, none lost, with Flume counters on both sides', async () => {
    const r = await edgeToCollector(20_000);
    // The collector accepts the last batch before the sink reads its OK and counts it.
    await waitFor(() => metrics(r, 'edge', 'SINK.up').EventDrainSuccessCount === '20000', 30_000, 'the last batch counted');
    const source = metrics(r, 'collector', 'SOURCE.rpc');
    const sink = metrics(r, 'edge', 'SINK.up');
    expect(source).toMatchObject({ EventReceivedCount: '20000', EventAcceptedCount: '20000', OpenConnectionCount: '1', ChannelWriteFail: '0' });
    // One appendBatch per batch the sink took (the seq source's batches may be split).
    const batches = Number(sink.BatchCompleteCount) + Number(sink.BatchUnderflowCount);
    expect(batches).toBeGreaterThanOrEqual(40);
    expect(source.AppendBatchReceivedCount).toBe(String(batches));
    expect(source.AppendBatchAcceptedCount).toBe(String(batches));
    expect(sink).toMatchObject({ ConnectionCreatedCount: '1', ConnectionFailedCount: '0', EventDrainAttemptCount: '20000', EventDrainSuccessCount: '20000' });
  });

  it('a batch answered FAILED is rolled back and sent again on a new connection', async () => {
    const c = await collector((n) => (n < 3 ? 'FAILED' : 'OK'));
    const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = 1000, batchSize = 100 }
  channel buf : memory { capacity = 10000, transactionCapacity = 100 }
  sink up : avro { hostname = "127.0.0.1", port = ${c.port}, batch-size = 100 }
  gen -> buf -> up
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => c.seen.length >= 1000, 60_000, '1,000 events');
    expect(everyNumber(c.seen, 1000)).toBe(true);
    expect(c.seen).toHaveLength(1000);
    // The collector holds the last batch before the sink reads its OK and counts it.
    await waitFor(() => metrics(r, 'edge', 'SINK.up').EventDrainSuccessCount === '1000', 30_000, 'the last batch counted');
    const k = metrics(r, 'edge', 'SINK.up');
    expect(Number(k.ConnectionCreatedCount)).toBe(4);
    expect(Number(k.ConnectionClosedCount)).toBeGreaterThanOrEqual(3);
    expect(k.EventWriteFail).toBe('3');
    expect(k.EventDrainSuccessCount).toBe('1000');
  });

  it('reset-connection-interval reconnects while events flow', async () => {
    const c = await collector();
    const r = await runFlow(`
agent edge {
  source gen : seq { batchSize = 10 }
  channel buf : memory { capacity = 10000, transactionCapacity = 100 }
  sink up : avro { hostname = "127.0.0.1", port = ${c.port}, batch-size = 100, reset-connection-interval = 1s }
  gen -> buf -> up
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => Number(metrics(r, 'edge', 'SINK.up').ConnectionCreatedCount) >= 3, 20_000, 'two reconnections');
    const k = metrics(r, 'edge', 'SINK.up');
    expect(Number(k.ConnectionClosedCount)).toBeGreaterThanOrEqual(2);
    expect(k.ConnectionFailedCount).toBe('0');
    expect(k.EventWriteFail).toBe('0');
  });

  it('in a failover group, the edge survives the loss of its collector', async () => {
    const backup = await collector();
    let primaryClosed = false;
    const primary = await collector((n) => {
      if (n === 10 && !primaryClosed) {
        primaryClosed = true;
        void primary.server.close();
        return 'FAILED';
      }
      return 'OK';
    });
    const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = 10000, batchSize = 100 }
  channel buf : memory { capacity = 20000, transactionCapacity = 100 }
  sink a : avro { hostname = "127.0.0.1", port = ${primary.port}, batch-size = 100, request-timeout = 2s, connect-timeout = 2s }
  sink b : avro { hostname = "127.0.0.1", port = ${backup.port}, batch-size = 100 }
  gen -> buf -> failover up { a: 10, b: 5 }
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => everyNumber([...primary.seen, ...backup.seen], 10000), 60_000, 'every event at one collector');
    expect(primary.seen.length).toBeGreaterThan(0);
    expect(backup.seen.length).toBeGreaterThan(0);
  });

  it('in a load_balance group, every event arrives while one collector is gone', async () => {
    const up = await collector();
    const downPort = await freePort();
    const r = await runFlow(`
agent edge {
  source gen : seq { totalEvents = 5000, batchSize = 100 }
  channel buf : memory { capacity = 20000, transactionCapacity = 100 }
  sink a : avro { hostname = "127.0.0.1", port = ${downPort}, batch-size = 100, connect-timeout = 1s }
  sink b : avro { hostname = "127.0.0.1", port = ${up.port}, batch-size = 100 }
  gen -> buf -> balance up [a, b] with { backoff = true }
}`);
    cleanup.push(() => r.stop());
    await waitFor(() => everyNumber(up.seen, 5000), 60_000, 'every event at the live collector');
    expect(Number(metrics(r, 'edge', 'SINK.a').ConnectionFailedCount)).toBeGreaterThan(0);
  });

  it('deflate on both sides', async () => {
    await edgeToCollector(5000, ', compression-type = deflate', ', compression-type = deflate, compression-level = 9');
  });
});

describe('avro TLS', () => {
  it('a PKCS12 keystore made by openssl; the sink trusts it as a truststore, or trusts all certificates', async () => {
    const { keystore: p12, password } = selfSigned(work());
    const keystore = `, ssl = true, keystore = "${p12}", keystore-password = "${password}", keystore-type = PKCS12`;
    for (const trust of [`truststore = "${p12}", truststore-password = "${password}", truststore-type = PKCS12`, 'trust-all-certs = true']) {
      await edgeToCollector(3000, keystore, `, ssl = true, ${trust}, compression-type = none`);
    }
    // A plain client cannot talk to a TLS source.
    const port = await freePort();
    await avroSource(port, keystore);
    const plain = await AvroClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 2000 });
    await expect(plain.append({ headers: {}, body: Buffer.from('x') })).rejects.toThrow();
    const secure = await AvroClient.connect({ host: '127.0.0.1', port, tls: { trustAllCerts: true } });
    expect(await secure.append({ headers: {}, body: Buffer.from('x') })).toBe('OK');
    await secure.close();
    // Without trust, the self-signed certificate is refused.
    await expect(AvroClient.connect({ host: '127.0.0.1', port, tls: {} })).rejects.toThrow(/self.signed|certificate/i);
  });

  it('TLS and deflate together (zlib outside TLS, as Flume 1.10+)', async () => {
    const { keystore: p12, password } = selfSigned(work());
    const port = await freePort();
    await avroSource(port, `, ssl = true, keystore = "${p12}", keystore-password = "${password}", keystore-type = PKCS12, compression-type = deflate`);
    const c = await AvroClient.connect({ host: '127.0.0.1', port, tls: { trustAllCerts: true }, compression: { type: 'deflate' } });
    expect(await c.appendBatch([{ headers: { a: 'b' }, body: Buffer.from('hello') }])).toBe('OK');
    await c.close();
  });

  it('a PEM keystore (key and certificate in one file) and a PEM truststore; a certificate-only PKCS12 truststore says how to convert it', async () => {
    const d = work();
    const { keyPem, certPem } = selfSigned(d);
    const pem = join(d, 'server.pem');
    writeFileSync(pem, Buffer.concat([readFileSync(keyPem), readFileSync(certPem)]));
    const port = await freePort();
    await avroSource(port, `, ssl = true, keystore = "${pem}", keystore-type = PEM`);
    const c = await AvroClient.connect({ host: '127.0.0.1', port, tls: { truststore: certPem, truststoreType: 'PEM' } });
    expect(await c.append({ headers: {}, body: Buffer.from('pem') })).toBe('OK');
    await c.close();
    const certOnly = join(d, 'trust.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-nokeys', '-in', certPem, '-out', certOnly, '-passout', 'pass:x'], { stdio: 'ignore' });
    await expect(AvroClient.connect({ host: '127.0.0.1', port, tls: { truststore: certOnly, truststorePassword: 'x' } })).rejects.toThrow(/openssl pkcs12 -in .*trust\.p12 -nokeys -out .*trust\.pem/);
  });

  it('a JKS keystore is refused with the command that converts it', async () => {
    const d = work();
    const jks = join(d, 'server.jks');
    writeFileSync(jks, Buffer.from('feedfeed0000000200000001', 'hex'));
    const port = await freePort();
    await expect(avroSource(port, `, ssl = true, keystore = "${jks}", keystore-password = "x"`)).rejects.toThrow(
      /JKS file.*\n.*keytool -importkeystore -srckeystore .*server\.jks -srcstoretype JKS -destkeystore .*server\.p12 -deststoretype PKCS12/,
    );
  });
});

describe('avro source and its channels', () => {
  it('OK only after the commit; FAILED when the channel is full or the batch exceeds a transaction, as Flume', async () => {
    const port = await freePort();
    const r = await avroSource(port, '', 'channel mem : memory { capacity = 150, transactionCapacity = 100 }');
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ headers: { i: String(i) }, body: Buffer.from(`e${i}`) }));
    const c = await AvroClient.connect({ host: '127.0.0.1', port });
    expect(await c.appendBatch(batch(100))).toBe('OK');
    expect(r.runner.agents[0]!.channels.get('mem')!.size()).toBe(100);
    expect(await c.appendBatch(batch(101))).toBe('FAILED');
    expect(await c.appendBatch(batch(60))).toBe('FAILED');
    expect(await c.append(batch(1)[0]!)).toBe('OK');
    expect(r.runner.agents[0]!.channels.get('mem')!.size()).toBe(101);
    await c.close();
    expect(metrics(r, 'c', 'SOURCE.rpc')).toMatchObject({
      AppendBatchReceivedCount: '3',
      AppendBatchAcceptedCount: '1',
      AppendReceivedCount: '1',
      AppendAcceptedCount: '1',
      EventReceivedCount: '262',
      EventAcceptedCount: '101',
      ChannelWriteFail: '2',
    });
  });

  it('ipFilterRules that are not Flume rules are refused at start, with the form to use', async () => {
    const port = await freePort();
    await expect(avroSource(port, ', ipFilter = true, ipFilterRules = "allow:127.0.0.1"')).rejects.toThrow(/`allow:127\.0\.0\.1` is not of the form allow\|deny:ip\|name:<pattern>/);
  });
});

describe('avro source ipFilterRules', () => {
  it('first matching rule decides; a denied client is disconnected', async () => {
    for (const [rules, ok] of [
      ['deny:ip:127.*', false],
      ['allow:name:localhost,deny:ip:*', true],
      ['allow:ip:10.*,deny:ip:127.0.0.?', false],
      ['allow:ip:10.*', true],
    ] as const) {
      const port = await freePort();
      await avroSource(port, `, ipFilter = true, ipFilterRules = "${rules}"`);
      const c = await AvroClient.connect({ host: '127.0.0.1', port, requestTimeoutMs: 3000 });
      const result = c.append({ headers: {}, body: Buffer.from('x') });
      if (ok) expect(await result).toBe('OK');
      else await expect(result).rejects.toThrow(/closed/);
      await c.close();
    }
  });
});

describe('avro in a bundle', () => {
  it('flowc build --target bundle includes the rpc modules; the bundle runs with plain node', async () => {
    const { spawnNode, bin, waitFor: wait } = await import('./helpers.js');
    const { copyFileSync } = await import('node:fs');
    const d = work();
    const port = await freePort();
    writeFileSync(
      join(d, 'c.flow'),
      `agent c {\n  source rpc : avro { bind = "127.0.0.1", port = ${port}, compression-type = deflate }\n  channel mem : memory\n  sink log : logger\n  rpc -> mem -> log\n}\n`,
    );
    const b = spawnNode([bin, 'build', 'c.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited).toBe(0);
    const empty = work();
    copyFileSync(join(d, 'dist', 'c.agent.mjs'), join(empty, 'c.agent.mjs'));
    const agent = spawnNode(['c.agent.mjs'], empty);
    cleanup.push(() => agent.proc.kill('SIGKILL'));
    await wait(() => agent.stdout().includes(`avro://127.0.0.1:${port}`), 20_000, 'the bundled agent to start');
    const c = await AvroClient.connect({ host: '127.0.0.1', port, compression: { type: 'deflate' } });
    expect(await c.appendBatch([{ headers: { h: 'v' }, body: Buffer.from('from the bundle') }])).toBe('OK');
    await c.close();
    await wait(() => agent.stdout().includes('from the bundle'), 10_000, 'the logger line');
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});

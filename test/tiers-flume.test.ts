// A flowc agent in the middle of a real Flume deployment: one .flow file declares three
// agents; the edge and the far collector run in Apache Flume 1.11 (from the properties that
// `flowc build` emits), the middle collector in `flowc run`. 100,000 sequence numbers from
// Flume's seq source must all reach the far collector's files. And `flowc send` delivers to
// Flume's own avro source, with deflate and over TLS.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowc } from './helpers/cli.js';
import { startFlumeAgent, type FlumeAgent } from './helpers/flume.js';
import { flowcSend, runFlowc, selfSigned, sequenceCount } from './helpers/tiers.js';
import { fileLines, freePort, scratch, waitFor } from './runtime/helpers.js';

const { children, cleanup, work } = scratch();

async function flume(name: string, properties: string, ports: number[]): Promise<FlumeAgent> {
  const agent = await startFlumeAgent({ name, properties, waitForPorts: ports });
  cleanup.push(() => agent.stop(5_000));
  return agent;
}

describe('flowc between real Flume agents', () => {
  it('Flume edge → flowc collector → Flume collector: 100,000 events, none lost', async () => {
    const dir = work();
    const total = 100_000;
    const [mid, far] = [await freePort(), await freePort()];
    const out = join(dir, 'far');
    const flow = `
agent edge on "127.0.0.1" {
  source numbers : seq { totalEvents = ${total}, batchSize = 1_000 }
  channel buf : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink up : avro { to = middle.rpc, batch-size = 1_000 }
  numbers -> buf -> up
}

agent middle on "127.0.0.1" {
  source rpc : avro { bind = "127.0.0.1", port = ${mid} }
  channel mem : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink up : avro { to = far.rpc, batch-size = 1_000, compression-type = deflate }
  rpc -> mem -> up
}

agent far on "127.0.0.1" {
  source rpc : avro { bind = "127.0.0.1", port = ${far}, compression-type = deflate }
  channel mem : memory { capacity = 100_000, transactionCapacity = 1_000 }
  sink files : file_roll { sink { directory = ${JSON.stringify(out)}, rollInterval = 0s, batchSize = 1_000 } }
  rpc -> mem -> files
}
`;
    writeFileSync(join(dir, 'tiers.flow'), flow);
    mkdirSync(out);
    const built = flowc(['build', 'tiers.flow', '--target', 'properties', '-o', 'props'], { cwd: dir });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);

    // Receivers first, as `flowc run` of the whole file would start them.
    const farAgent = await flume('far', readFileSync(join(dir, 'props', 'far.properties'), 'utf8'), [far]);
    const middle = await runFlowc(dir, flow, ['--agent', 'middle', '--monitor-port', '0'], 'tiers.flow');
    children.push(middle);
    const edge = await flume('edge', readFileSync(join(dir, 'props', 'edge.properties'), 'utf8'), []);

    await waitFor(() => sequenceCount(out, total).seen === total, 120_000, `${total} events at the far collector`, 300).catch((e: Error) => {
      throw new Error(`${e.message}: ${sequenceCount(out, total).seen} arrived\nmiddle:\n${middle.stderr().slice(-2000)}\nedge:\n${edge.logText().slice(-3000)}`);
    });
    const far1 = await farAgent.metrics();
    expect(Number(far1['SOURCE.rpc']!.EventAcceptedCount)).toBeGreaterThanOrEqual(total);
    const c = sequenceCount(out, total);
    expect(c).toMatchObject({ seen: total, firstMissing: undefined });
    // The middle tier's counters, in Flume's names, agree.
    const monitor = /monitor: (http:\/\/\S+)\/metrics/.exec(middle.stdout())![1]!;
    const m = (await (await fetch(`${monitor}/metrics`)).json()) as Record<string, Record<string, string>>;
    expect(Number(m['SOURCE.rpc']!.EventAcceptedCount)).toBeGreaterThanOrEqual(total);
    expect(Number(m['SINK.up']!.EventDrainSuccessCount)).toBeGreaterThanOrEqual(total);
  }, 240_000);

  it('flowc send → Flume\'s avro source: every line, with its headers, with deflate and over TLS', async () => {
    const dir = work();
    const cert = selfSigned(dir);
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    const out = join(dir, 'out');
    mkdirSync(out);
    const props = `
a.sources = plain secure
a.channels = c
a.sinks = k
a.sources.plain.type = avro
a.sources.plain.bind = 127.0.0.1
a.sources.plain.port = ${plainPort}
a.sources.plain.compression-type = deflate
a.sources.plain.channels = c
a.sources.secure.type = avro
a.sources.secure.bind = 127.0.0.1
a.sources.secure.port = ${tlsPort}
a.sources.secure.ssl = true
a.sources.secure.keystore = ${cert.keystore}
a.sources.secure.keystore-password = ${cert.password}
a.sources.secure.keystore-type = PKCS12
a.sources.secure.channels = c
a.channels.c.type = memory
a.channels.c.capacity = 100000
a.channels.c.transactionCapacity = 1000
a.sinks.k.type = file_roll
a.sinks.k.channel = c
a.sinks.k.sink.directory = ${out}
a.sinks.k.sink.rollInterval = 0
a.sinks.k.sink.serializer = header_and_text
`;
    const agent = await flume('a', props, [plainPort, tlsPort]);
    const lines = Array.from({ length: 10_000 }, (_, i) => `${i} plain`);
    writeFileSync(join(dir, 'lines.txt'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'headers.properties'), '# as avro-client -R reads it\nteam = payments\nenv: test\n');
    const plain = await flowcSend(['--port', String(plainPort), '--host', '127.0.0.1', '--compression', 'deflate', '-R', 'headers.properties', '-H', 'env=prod', '-b', '1000', 'lines.txt'], { cwd: dir });
    expect(plain.stderr).toBe('');
    expect(plain.status).toBe(0);
    const secure = await flowcSend(['--port', String(tlsPort), '--host', '127.0.0.1', '--truststore', cert.certPem, '--truststore-type', 'PEM', '-b', '500'], { cwd: dir, input: lines.map((l) => l.replace('plain', 'tls')).join('\n') });
    expect(secure.stderr).toBe('');
    expect(secure.status).toBe(0);

    await waitFor(async () => Number((await agent.metrics())['SINK.k']?.EventDrainSuccessCount ?? 0) >= 20_000, 60_000, 'Flume to write every event');
    const written = fileLines(out);
    expect(written.length).toBe(20_000);
    // header_and_text: `{team=payments, env=prod} 0 plain` (a -H header wins over the file's).
    const plainLines = written.filter((l) => l.endsWith(' plain'));
    expect(plainLines.length).toBe(10_000);
    expect(plainLines.every((l) => /^\{(team=payments, env=prod|env=prod, team=payments)\} \d+ plain$/.test(l))).toBe(true);
    expect(written.filter((l) => /^\{\} \d+ tls$/.test(l)).length).toBe(10_000);
  }, 180_000);
});

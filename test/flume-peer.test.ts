// Real Apache Flume 1.11.0 as a peer: its own config loader accepts what flowc emits, and the
// helpers start, load and stop real agents (test/helpers/flume.ts, test/peers/README.md).
import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { flowc } from './helpers/cli.js';
import { flumeDropReasons, flumeLoadConfig, flumeLoadConfigs, flumeProblems, flumeTestScope, freePort, runRpcLoad, startFlumeAgent } from './helpers/flume.js';

const { temp, agent: keepAgent } = flumeTestScope('flowc-peer-');

/** Sends lines to a netcat source and waits for its `OK` per line. */
function netcatSend(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.split('\n').length > lines.length) s.end();
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.write(lines.map((l) => `${l}\n`).join(''));
  });
}

/** A machine-specific resource that the example names and this machine does not have. */
const notOnThisMachine = /Keytab is not a readable file/;

describe('real Flume 1.11 loads what flowc emits', () => {
  it('every example builds to properties that load with 0 errors and 0 dropped components', () => {
    const out = temp();
    const built = flowc(['build', '--target', 'properties', 'examples', '-o', out]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.properties')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const reports = flumeLoadConfigs(files.map((f) => ({ file: join(out, f), agent: basename(f, '.properties') })));
    const problems: string[] = [];
    for (const r of reports) {
      const reasons = flumeDropReasons(r);
      expect(r.found, r.agent).toBe(true);
      expect(r.materialised.sources.length + r.materialised.sinks.length, `${r.agent} runs something`).toBeGreaterThan(0);
      for (const p of flumeProblems(r)) {
        const name = /^dropped \w+ (.*)$/.exec(p)?.[1];
        // Flume logs why it removed a component; only a file this machine lacks is excused.
        const why = name ? reasons[name] ?? '' : '';
        if (name && notOnThisMachine.test(why)) continue;
        problems.push(`${r.agent}: ${p}${why ? ` (${why})` : ''}`);
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it('reports what Flume drops, with its errors', () => {
    const file = join(temp(), 'bad.properties');
    writeFileSync(file, [
      'a1.sources = r1 r2',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = netcat',
      'a1.sources.r1.bind = 127.0.0.1',
      'a1.sources.r1.port = 1',
      'a1.sources.r1.channels = c1',
      'a1.sources.r2.type = seq',
      'a1.sources.r2.channels = nowhere',
      'a1.channels.c1.type = memory',
      'a1.channels.c1.capacity = 100',
      'a1.channels.c1.transactionCapacity = 1000',
      'a1.sinks.k1.type = logger',
      'a1.sinks.k1.channel = c1',
      'a1.sinks.k1.maxBytesToLog =',
      '',
    ].join('\n'));
    const r = flumeLoadConfig(file, 'a1');
    expect(r.errors).toContainEqual(expect.objectContaining({ type: 'PROPERTY_VALUE_NULL', level: 'ERROR' }));
    expect(r.log).toMatch(/Could not configure source {2}r2 due to: No Channels configured for r2/);
    expect(flumeDropReasons(r)).toMatchObject({ c1: expect.stringMatching(/Transaction Capacity of Memory Channel cannot be higher than the capacity/) });
    expect(r.declared.sources).toEqual(['r1', 'r2']);
    expect(Object.keys(r.kept!.sources)).toEqual(['r1']);
    // transactionCapacity above capacity fails the channel's configure: Flume drops the channel
    // and everything attached to it.
    expect(r.dropped.channels).toEqual(['c1']);
    expect(r.dropped.sources).toEqual(['r1', 'r2']);
    expect(r.dropped.sinks).toEqual(['k1']);
    expect(flumeProblems(r).length).toBeGreaterThan(0);
  }, 300_000);
});

describe('a real Flume agent', () => {
  it('starts, takes events on its netcat source, reports metrics, and stops by PID', async () => {
    const port = await freePort();
    const agent = await startFlumeAgent({
      name: 'a1',
      properties: [
        'a1.sources = r1',
        'a1.channels = c1',
        'a1.sinks = k1',
        'a1.sources.r1.type = netcat',
        'a1.sources.r1.bind = 127.0.0.1',
        `a1.sources.r1.port = ${port}`,
        'a1.sources.r1.channels = c1',
        'a1.channels.c1.type = memory',
        'a1.sinks.k1.type = null',
        'a1.sinks.k1.channel = c1',
        '',
      ].join('\n'),
      waitForPorts: [port],
    });
    keepAgent(agent);
    const answer = await netcatSend(port, ['one', 'two', 'three']);
    expect(answer).toBe('OK\nOK\nOK\n');
    // Flume's netcat source and null sink keep no monitored counters; the channel does.
    let m = await agent.metrics();
    for (let i = 0; i < 600 && m['CHANNEL.c1']?.EventTakeSuccessCount !== '3'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      m = await agent.metrics();
    }
    expect(m['CHANNEL.c1']).toMatchObject({ EventPutSuccessCount: '3', EventTakeSuccessCount: '3', ChannelSize: '0' });
    expect(agent.logText()).toMatch(/Starting Sink k1/);

    await agent.stop();
    expect(() => process.kill(agent.pid, 0)).toThrow(/ESRCH/);
  }, 300_000);

  it('takes load from Flume\'s RpcClient on an avro source (appendBatch and append)', async () => {
    const port = await freePort();
    const agent = await startFlumeAgent({
      name: 'collector',
      properties: [
        'collector.sources = r1',
        'collector.channels = c1',
        'collector.sinks = k1',
        'collector.sources.r1.type = avro',
        'collector.sources.r1.bind = 127.0.0.1',
        `collector.sources.r1.port = ${port}`,
        'collector.sources.r1.compression-type = deflate',
        'collector.sources.r1.channels = c1',
        'collector.channels.c1.type = memory',
        'collector.channels.c1.capacity = 10000',
        'collector.channels.c1.transactionCapacity = 1000',
        'collector.sinks.k1.type = null',
        'collector.sinks.k1.channel = c1',
        '',
      ].join('\n'),
      waitForPorts: [port],
    });
    keepAgent(agent);
    const batch = await runRpcLoad({ port, events: 2_000, batch: 100, bodySize: 64, compression: 'deflate', headers: { host: 'edge-1' } });
    expect(batch).toMatchObject({ sent: 2_000, failed: 0, exitCode: 0 });
    expect(batch.eventsPerSec).toBeGreaterThan(0);
    const single = await runRpcLoad({ port, mode: 'append', events: 300, compression: 'deflate' });
    expect(single).toMatchObject({ sent: 300, failed: 0, exitCode: 0 });
    const m = await agent.metrics();
    expect(m['SOURCE.r1']?.EventAcceptedCount).toBe('2300');
    expect(m['SOURCE.r1']?.AppendBatchAcceptedCount).toBe('20');
    expect(m['SOURCE.r1']?.AppendAcceptedCount).toBe('300');

    // Nobody listening: every call fails and the launcher says so.
    await agent.stop();
    const refused = await runRpcLoad({ port, events: 10, batch: 5, connectTimeoutMs: 2_000, requestTimeoutMs: 2_000 });
    expect(refused.sent).toBe(0);
    expect(refused.failed).toBe(10);
    expect(refused.exitCode).toBe(1);
  }, 300_000);
});

// One end-to-end test per source: real sockets on 127.0.0.1, real child processes.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/core/config.js';
import { flowsPerTest, freePort, freeUdpPort, httpPost, runFlow, takeAll, takeN, tcpExchange, udpSend, waitFor } from './helpers.js';

const { run } = flowsPerTest();

const body = (e: { body: Buffer }) => e.body.toString();

describe('seq', () => {
  it('generates totalEvents counted bodies in batches', async () => {
    const running = await run(`agent a { source s : seq { totalEvents = 25, batchSize = 10 }
      channel c : memory { capacity = 100 }
      s -> c }`);
    const events = await takeN(running, 'c', 25);
    expect(events.map(body)).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    expect(running.runner.agents[0]!.metrics.json()['SOURCE.s']).toMatchObject({ EventAcceptedCount: '25', AppendBatchAcceptedCount: '3' });
  });
});

describe('netcat', () => {
  it('answers OK per line, rejects an oversized line with FAILED and closes, and keeps serving', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port}, max-line-length = 16 }
      channel c : memory
      s -> c }`);
    expect(await tcpExchange(port, 'one\ntwo\r\n')).toBe('OK\nOK\n');
    const reply = await tcpExchange(port, `ok line\n${'x'.repeat(40)}\nnever\n`);
    expect(reply).toBe('OK\nFAILED: Event exceeds the maximum length (16 chars, including newline)\n');
    expect(await tcpExchange(port, 'after\n')).toBe('OK\n');
    expect(takeAll(running, 'c').map(body)).toEqual(['one', 'two\r', 'ok line', 'after']);
  });

  it('answers FAILED when the channel is full', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port} }
      channel c : memory { capacity = 2, transactionCapacity = 2, keep-alive = 0s }
      s -> c }`);
    expect(await tcpExchange(port, 'a\nb\n')).toBe('OK\nOK\n');
    expect(await tcpExchange(port, 'c\n')).toMatch(/^FAILED: channel `c` is full/);
  });

  it('reports a port in use clearly', async () => {
    const port = await freePort();
    const first = await runFlow(`agent a { source s : netcat { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      s -> c }`);
    const second = await runFlow(`agent b { source s : netcat { bind = "127.0.0.1", port = ${port} }
        channel c : memory
        s -> c }`);
    try {
      // the second agent runs on; its source is retried, and says why it fails
      const status = await waitFor(() => second.runner.agents[0]!.status().find((x) => x.name === 's' && x.lastError), 10_000, 'the failure');
      expect(status.state).toBe('failing');
      expect(status.lastError).toContain(`tcp port ${port} on 127.0.0.1 is already in use`);
      // once the port is free, the retry takes it
      await first.stop();
      await waitFor(() => second.runner.agents[0]!.status().find((x) => x.name === 's')!.state === 'running', 10_000, 'the restart');
      expect(await tcpExchange(port, 'now\n')).toBe('OK\n');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('netcatudp', () => {
  it('turns each datagram up to its first newline into an event with the sender header', async () => {
    const port = await freeUdpPort();
    const running = await run(`agent a { source s : netcatudp { bind = "127.0.0.1", port = ${port}, remoteAddress = "from" }
      channel c : memory
      s -> c }`);
    await udpSend(port, 'hello\nignored');
    await udpSend(port, 'world');
    const events = await takeN(running, 'c', 2);
    expect(events.map(body).sort()).toEqual(['hello', 'world']);
    expect(events[0]!.headers.from).toMatch(/^\/127\.0\.0\.1:\d+$/);
  });
});

describe('exec', () => {
  it('turns stdout lines into events and restarts the command', async () => {
    const running = await run(`agent a { source s : exec {
        command = "printf 'l1\\\\nl2\\\\n'", shell = "/bin/sh -c", restart = true, restartThrottle = 100ms, batchSize = 5, batchTimeout = 50ms }
      channel c : memory { capacity = 1000 }
      s -> c }`);
    const events = await takeN(running, 'c', 4);
    expect(events.slice(0, 4).map(body)).toEqual(['l1', 'l2', 'l1', 'l2']);
  });

  it('a command that does not exist: the agent runs on, the source is retried with a clear message', async () => {
    const running = await run(`agent a { source s : exec { command = "no-such-command-flowc --x" }
      channel c : memory
      s -> c }`);
    const line = await waitFor(() => running.lines.find((l) => l.includes('restarting it in')), 10_000, 'the retry');
    expect(line).toContain('source `s` failed: cannot start: command `no-such-command-flowc` not found');
    expect(running.runner.agents[0]!.status().find((x) => x.name === 's')).toMatchObject({ state: 'failing' });
  });
});

describe('http', () => {
  const flow = (port: number, extra = '', channel = 'capacity = 100') => `agent a {
      source s : http { bind = "127.0.0.1", port = ${port} ${extra} }
      channel c : memory { ${channel} }
      s -> c }`;

  it('accepts a JSON batch, answers 400 on bad JSON and 503 on a full channel, committing nothing then', async () => {
    const port = await freePort();
    const running = await run(flow(port, '', 'capacity = 3, transactionCapacity = 3, keep-alive = 0s'));
    const ok = await httpPost(port, JSON.stringify([{ headers: { a: 'b', n: 1 }, body: 'hello' }, { body: 'x' }, {}]));
    expect(ok.status).toBe(200);
    expect((await httpPost(port, '[{"body": "x"')).status).toBe(400);
    expect((await httpPost(port, '{"body": "x"}')).status).toBe(400);
    expect((await httpPost(port, '')).status).toBe(500);
    const full = await httpPost(port, JSON.stringify([{ body: 'y' }]));
    expect(full.status).toBe(503);
    const events = takeAll(running, 'c');
    expect(events.map(body)).toEqual(['hello', 'x', '']);
    expect(events[0]!.headers).toEqual({ a: 'b', n: '1' });
    expect((await httpPost(port, JSON.stringify([{ body: 'y' }]))).status).toBe(200);
    expect(takeAll(running, 'c').map(body)).toEqual(['y']);
    const m = running.runner.agents[0]!.metrics.json()['SOURCE.s']!;
    expect(m).toMatchObject({ EventAcceptedCount: '4', ChannelWriteFail: '1', EventReadFail: '3' });
  });

  it('takes the whole body as one event with the blob handler', async () => {
    const port = await freePort();
    const running = await run(flow(port, ', handler = "org.apache.flume.source.http.BLOBHandler", handler.mandatoryParameters = ["id"]'));
    expect((await httpPost(port, 'raw bytes', {}, '/?id=7&x=1')).status).toBe(200);
    expect((await httpPost(port, 'no id')).status).toBe(500);
    const [e] = takeAll(running, 'c');
    expect(body(e!)).toBe('raw bytes');
    expect(e!.headers).toEqual({ id: '7', x: '1' });
  });
});

describe('syslog', () => {
  it('syslogtcp parses RFC 3164 and RFC 5424 into Flume headers, cuts long records, keeps fields on request', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : syslogtcp { host = "127.0.0.1", port = ${port}, eventSize = 80, keepFields = "hostname" }
      channel c : memory
      s -> c }`);
    await tcpExchange(
      port,
      '<34>Oct 11 22:14:15 mymachine su: failed\n' +
        '<165>1 2003-10-11T22:14:15.003Z host.example.com evntslog - ID47 - msg\n' +
        'garbage\n' +
        `<13>Jan  2 10:00:00 h ${'y'.repeat(100)}\n`,
    );
    const events = await takeN(running, 'c', 5);
    const [a, b, c, d, rest] = events;
    expect(a!.headers).toMatchObject({ Facility: '4', Severity: '2', priority: '34', host: 'mymachine' });
    expect(a!.headers.timestamp).toMatch(/^\d+$/);
    expect(body(a!)).toBe('mymachine su: failed');
    expect(b!.headers).toMatchObject({ Facility: '20', Severity: '5', priority: '165', version: '1', host: 'host.example.com' });
    expect(body(b!)).toBe('host.example.com evntslog - ID47 - msg');
    expect(c!.headers).toEqual({ Facility: '0', Severity: '0', 'flume.syslog.status': 'Invalid', priority: '165', version: '1' });
    expect(body(c!)).toBe('garbage');
    expect(d!.headers['flume.syslog.status']).toBe('Incomplete');
    expect(body(d!)).toMatch(/^h y+$/); // parsed as far as it goes, with the kept host name
    expect(rest!.headers['flume.syslog.status']).toBe('Invalid');
  });

  it('syslogtcp reads RFC 5424 offsets as Flume does', async () => {
    const port = await freePort();
    const running = await run(`agent a { source s : syslogtcp { host = "127.0.0.1", port = ${port} }
      channel c : memory
      s -> c }`);
    await tcpExchange(port, '<14>1 2024-03-01T10:00:00+02:00 h app - - - with offset\n');
    const [e] = await takeN(running, 'c', 1);
    expect(e!.headers.timestamp).toBe(String(Date.UTC(2024, 2, 1, 8, 0, 0)));
  });

  it('syslogudp takes one datagram as one record', async () => {
    const port = await freeUdpPort();
    const running = await run(`agent a { source s : syslogudp { host = "127.0.0.1", port = ${port}, keepFields = all, clientIPHeader = "ip" }
      channel c : memory
      s -> c }`);
    await udpSend(port, '<11>Feb  5 01:02:03 box app: hi');
    const [e] = await takeN(running, 'c', 1);
    expect(e!.headers).toMatchObject({ Facility: '1', Severity: '3', host: 'box', ip: '127.0.0.1' });
    expect(body(e!)).toBe('<11>Feb  5 01:02:03 box app: hi');
  });

  it('multiport_syslogtcp listens on several ports with capitalised headers and a port header', async () => {
    const p1 = await freePort();
    const p2 = await freePort();
    const running = await run(`agent a { source s : multiport_syslogtcp { host = "127.0.0.1", ports = [${p1}, ${p2}], portHeader = "port" }
      channel c : memory
      s -> c }`);
    await tcpExchange(p1, '<34>1 2024-03-01T10:00:00.5Z h1 app - - - one\n');
    await tcpExchange(p2, '<13>Oct 11 22:14:15 h2 two\nnot syslog\n');
    const events = await takeN(running, 'c', 3);
    expect(events[0]!.headers).toMatchObject({ Priority: '34', Version: '1', Facility: '4', Severity: '2', host: 'h1', port: String(p1) });
    expect(events[0]!.headers.timestamp).toBe(String(Date.UTC(2024, 2, 1, 10, 0, 0, 500)));
    expect(body(events[0]!)).toBe('app - - - one');
    expect(events[1]!.headers).toMatchObject({ Priority: '13', host: 'h2', port: String(p2) });
    expect(body(events[1]!)).toBe('two');
    expect(events[2]!.headers['flume.syslog.status']).toBe('Invalid');
  });
});

describe('configuration errors', () => {
  it('refuses a kind the runtime lacks', async () => {
    await expect(runFlow(`agent a { source s : seq
      channel c : jdbc
      s -> c }`)).rejects.toThrow(ConfigError);
  });
});

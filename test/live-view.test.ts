// `flowc run --ui` without a browser: the event stream's wire format and fields, the edges'
// counters, the server's manners (127.0.0.1 only, GET only, clean end at shutdown), and that a
// client that stops reading cannot hold the agent up.
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveGraph } from '../cli/live/graph.js';
import { edgeBases } from '../cli/live/rates.js';
import { SseHub } from '../cli/live/sse.js';
import { LiveFeed, type Frame } from '../cli/live/feed.js';
import { compileText } from '../compiler/program.js';
import { metricsOf, quickstart, readEvents, runAgent, sendSteadily, type SseReader } from './helpers/live.js';
import { bin, collector, freePort, httpPost, removeDir, runFlow, spawnNode, tempDir, waitFor, type Child, scratch } from './runtime/helpers.js';

const { children, cleanup, work } = scratch();

function graphOf(text: string) {
  const r = compileText(text, 'app.flow');
  expect(r.errorCount).toBe(0);
  return liveGraph(r.program, r.program.agents.map((a) => a.name));
}

describe('the counters behind each edge', () => {
  it('uses the source, the channel or the sink counter that counts exactly that edge, best first', () => {
    const bases = edgeBases(graphOf(`agent a {
  source one : netcat { bind = "127.0.0.1", port = 4001 }
  source two : http { bind = "127.0.0.1", port = 4002 }
  source three : http { bind = "127.0.0.1", port = 4003 }
  channel own : memory
  channel shared : memory
  channel spare : memory
  sink k1 : logger
  sink k2 : logger
  sink k3 : logger
  sink k4 : logger
  one -> own, shared
  two -> shared
  three -> route header "kind" {
    "x" -> spare
    default -> shared
  }
  own -> k1
  shared -> k2
  spare -> k3
  spare -> k4
}`));
    const of = (from: string, to: string) => bases.get(`a/${from}->a/${to}`)!.map((b) => `${b.node} ${b.counter}`);
    // The source's accepted events first; the netcat source keeps no counters, so the puts
    // into the channel that only it feeds stand in.
    expect(of('source/one', 'selector/one')).toEqual(['a/source/one EventAcceptedCount', 'a/channel/own EventPutSuccessCount']);
    expect(of('selector/one', 'channel/own')).toEqual(['a/channel/own EventPutSuccessCount', 'a/source/one EventAcceptedCount']);
    // Three sources write to `shared`: its puts are not this edge's.
    expect(of('selector/one', 'channel/shared')).toEqual(['a/source/one EventAcceptedCount']);
    expect(of('source/two', 'channel/shared')).toEqual(['a/source/two EventAcceptedCount']);
    // A multiplexing selector's share of a shared channel is counted nowhere.
    expect(of('selector/three', 'channel/shared')).toEqual([]);
    expect(of('selector/three', 'channel/spare')).toEqual(['a/channel/spare EventPutSuccessCount']);
    // The logger sink keeps no counters either; a channel's takes are its one sink's events.
    expect(of('channel/own', 'sink/k1')).toEqual(['a/sink/k1 EventDrainSuccessCount', 'a/channel/own EventTakeSuccessCount']);
    expect(of('channel/spare', 'sink/k3')).toEqual(['a/sink/k3 EventDrainSuccessCount']);
  });

  it('gives every edge a rate line for elkjs to make room for, after any label it had', () => {
    const graph = graphOf(`agent a {
  source s : http { bind = "127.0.0.1", port = 4002 }
  channel c : memory
  channel d : memory
  s -> c, d?
  c -> k
  sink k : logger
}`);
    expect(graph.edges.map((e) => e.label)).toEqual(['— ev/s', '— ev/s', 'optional\n— ev/s', '— ev/s']);
  });
});

describe('flowc run --ui', () => {
  it('streams frames as server-sent events: rates per edge, fill per channel, health and raw counters', async () => {
    const d = work();
    const { flow, port } = await quickstart(d);
    const agent = await runAgent(d, flow, ['--ui-port', '0', '--monitor-port', '0']);
    children.push(agent.child);
    expect(agent.ui).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const sse: SseReader = await readEvents(`${agent.ui}events`);
    cleanup.push(() => sse.close());
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sse.headers['cache-control']).toBe('no-store');
    const sending = sendSteadily(port, 200, 3);
    await waitFor(() => sse.events.length >= 4, 15_000, 'four frames');
    await sending;

    // The wire format: a retry hint, then `id`, `event` and one `data` line per frame.
    expect(sse.raw()).toMatch(/^retry: 2000\n\nid: \d+\nevent: frame\ndata: \{.*\}\n\n/);
    const frames = sse.events.map((e) => {
      expect(e.event).toBe('frame');
      const f = JSON.parse(e.data) as Frame;
      expect(e.id).toBe(String(f.seq));
      return f;
    });
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]!.seq).toBe(frames[i - 1]!.seq + 1);
      expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThan(600);
      expect(frames[i]!.at - frames[i - 1]!.at).toBeLessThan(2500);
    }

    const last = frames[frames.length - 1]!;
    expect(last.interval).toBeGreaterThan(0.5);
    const edge = last.edges['quickstart/selector/lines->quickstart/channel/to_files']!;
    expect(edge.basis).toEqual({ node: 'quickstart/channel/to_files', counter: 'EventPutSuccessCount' });
    expect(Object.keys(last.edges).sort()).toEqual(
      [
        'quickstart/source/lines->quickstart/selector/lines',
        'quickstart/selector/lines->quickstart/channel/to_console',
        'quickstart/selector/lines->quickstart/channel/to_files',
        'quickstart/channel/to_console->quickstart/sink/console',
        'quickstart/channel/to_files->quickstart/sink/files',
      ].sort(),
    );
    expect(frames.some((f) => (f.edges['quickstart/selector/lines->quickstart/channel/to_files']!.rate ?? 0) > 50)).toBe(true);
    for (const e of Object.values(last.edges)) {
      expect(e.rate === null || (typeof e.rate === 'number' && e.rate >= 0)).toBe(true);
      expect(e.basis).not.toBeNull();
    }
    const channel = last.nodes['quickstart/channel/to_files']!;
    expect(channel).toMatchObject({ state: 'running', restarts: 0, failures: 0 });
    expect(typeof channel.fill).toBe('number');
    expect(channel.counters).toMatchObject({ ChannelCapacity: 10000 });
    expect(Object.keys(channel.rates).sort()).toEqual(['EventPutSuccessCount', 'EventTakeSuccessCount']);
    expect(last.nodes['quickstart/sink/files']).toMatchObject({ state: 'running', rates: { EventDrainSuccessCount: expect.any(Number) } });
    // The logger sink and the netcat source keep no counters, but still have a status.
    expect(last.nodes['quickstart/sink/console']).toMatchObject({ state: 'running', counters: {} });
    expect(last.nodes['quickstart/source/lines']).toMatchObject({ state: 'running' });

    // The raw counters are those of /metrics.
    const count = edge.count!;
    const m = await metricsOf(agent.monitor!);
    expect(Number(m['CHANNEL.to_files']!.EventPutSuccessCount)).toBeGreaterThanOrEqual(count);

    // /state: the latest frame as JSON.
    const state = (await (await fetch(`${agent.ui}state`)).json()) as Frame;
    expect(state.seq).toBeGreaterThanOrEqual(last.seq);

    // At shutdown: a last frame with everything stopped, `bye`, and the stream ends.
    agent.child.proc.kill('SIGTERM');
    await sse.ended;
    expect(await agent.child.exited).toBe(0);
    const tail = sse.events.slice(-2);
    expect(tail.map((e) => e.event)).toEqual(['frame', 'bye']);
    const final = JSON.parse(tail[0]!.data) as Frame;
    expect(Object.values(final.nodes).every((n) => n.state === 'stopped')).toBe(true);
  }, 40_000);

  it('answers only GET requests addressed to 127.0.0.1 or localhost, and keeps no secret', async () => {
    const d = work();
    const port = await freePort();
    const agent = await runAgent(
      d,
      `agent a {
  source s : syslogtcp { host = "127.0.0.1", port = ${port}, keystore-password = "ks-S3CRET" }
  channel c : memory
  sink k : logger
  s -> c -> k
}`,
      ['--ui-port', '0'],
    );
    children.push(agent.child);
    const at = new URL(agent.ui);
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: at.port, path, method, headers }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain("connect-src 'self'");
    expect(page.body).not.toContain('S3CRET');
    expect((await get('/state')).body).not.toContain('S3CRET');
    expect((await get('/', { host: `localhost:${at.port}` })).status).toBe(200);
    expect((await get('/', { host: 'attacker.example:80' })).status).toBe(403);
    expect((await get('/state', { host: `attacker.example:${at.port}` })).status).toBe(403);
    expect((await get('/state', {}, 'POST')).status).toBe(405);
    expect((await get('/nothing')).status).toBe(404);
  }, 30_000);

  it('refuses a bad --ui-port, and a port in use, with nothing left running', async () => {
    const d = work();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => blocker.close(r)));
    const taken = (blocker.address() as AddressInfo).port;
    const { flow } = await quickstart(d);
    const bad = spawnNode([bin, 'run', 'app.flow', '--ui-port', 'eighty'], d);
    children.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--ui-port takes a port number');
    writeFileSync(join(d, 'app.flow'), flow);
    const busy = spawnNode([bin, 'run', 'app.flow', '--ui-port', String(taken)], d);
    children.push(busy);
    expect(await busy.exited).toBe(1);
    expect(busy.stderr()).toContain(`error: ui port ${taken} is already in use`);
    expect(busy.stderr()).toContain('nothing is running');
  }, 30_000);
});

describe('the feed', () => {
  it('shows a failover group\'s primary red while the backup delivers, and the group still running', async () => {
    const primaryPort = await freePort(); // nothing listens there
    const backup = await collector();
    cleanup.push(() => backup.close());
    const port = await freePort();
    const rules = 'rollback.200 = false, "backoff.2XX" = false, incrementMetrics.200 = true';
    const text = `agent a {
      source s : http { bind = "127.0.0.1", port = ${port} }
      channel c : memory
      sink primary : http { endpoint = "http://127.0.0.1:${primaryPort}/", ${rules}, connectTimeout = 500ms }
      sink backup : http { endpoint = "http://127.0.0.1:${backup.port}/", ${rules} }
      s -> c -> failover { primary: 10, backup: 5 } with { maxpenalty = 30s }
    }`;
    const running = await runFlow(text);
    cleanup.push(() => running.stop());
    const feed = new LiveFeed(graphOf(text), () => running.runner.agents);
    await httpPost(port, JSON.stringify(['e1', 'e2', 'e3'].map((body) => ({ body }))));
    await waitFor(() => backup.bodies.length === 3, 10_000, 'events at the backup');
    const frame = feed.tick();
    expect(frame.nodes['a/sink/primary']).toMatchObject({ state: 'failing', lastError: expect.stringContaining('ECONNREFUSED') });
    expect(frame.nodes['a/sink/backup']).toMatchObject({ state: 'running' });
    expect(frame.nodes['a/group/c_failover']).toMatchObject({ state: 'running' });
    expect(frame.edges['a/channel/c->a/sink/backup']!.count).toBe(3);
    expect(frame.edges['a/channel/c->a/sink/primary']!.count).toBe(0);
  });
});

describe('the event hub', () => {
  it('never waits for a client that stops reading: it skips frames for it, then drops it', async () => {
    const hub = new SseHub(1000);
    const responses: ServerResponse[] = [];
    const server = createServer((req, res) => {
      responses.push(res);
      hub.add(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r(undefined)));
    });
    const port = (server.address() as AddressInfo).port;
    // A raw client that sends its request and then never reads a byte.
    const stalled = connect(port, '127.0.0.1', () => {
      stalled.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      stalled.pause();
    });
    cleanup.push(() => stalled.destroy());
    const reader = await readEvents(`http://127.0.0.1:${port}/events`);
    cleanup.push(() => reader.close());
    await waitFor(() => hub.size === 2, 5_000, 'two clients');

    // send() is synchronous, so it cannot wait for a client; what it must not do is queue frames
    // for one that stopped reading (memory) or keep it forever.
    const big = { pad: 'x'.repeat(256 * 1024) };
    let stalledBacklog = 0;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 10_000 && hub.size > 1; i++) {
      hub.send('frame', { seq: i, ...big }, i);
      stalledBacklog = Math.max(stalledBacklog, ...responses.map((r) => r.writableLength));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(hub.size).toBe(1);
    // It was held to about one frame while it stalled: skipped, not queued.
    expect(stalledBacklog).toBeLessThan(2 * 300 * 1024);
    // The reading client got frames throughout.
    await waitFor(() => reader.events.length > 5, 5_000, 'frames at the reading client');
    hub.close('bye', {});
    await reader.ended;
    expect(reader.events[reader.events.length - 1]!.event).toBe('bye');
  }, 30_000);
});

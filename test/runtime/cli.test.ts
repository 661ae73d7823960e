// `flowc run` and `flowc build --target bundle` as a user runs them: the built CLI in a child
// process (run `npx tsc -p tsconfig.json` first), real ports, files and signals.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { bin, collector, fileLines, freePort, httpPost, removeDir, spawnNode, tcpExchange, tempDir, waitFor, type Child, scratch } from './helpers.js';

const { children, cleanup, work } = scratch();

function run(dir: string, flow: string, args: string[] = []): Child {
  writeFileSync(join(dir, 'app.flow'), flow);
  const c = spawnNode([bin, 'run', 'app.flow', ...args], dir);
  children.push(c);
  return c;
}

const started = (c: Child) => waitFor(() => c.stdout().includes('press Ctrl-C'), 15_000, `the banner (stderr: ${c.stderr()})`);

describe('flowc run', () => {
  it('prints diagnostics and starts nothing when the file has errors', async () => {
    const c = run(work(), 'agent a {\n  source s : netcat { bind = "127.0.0.1", port = 99999 }\n  channel c : memory\n  s -> c\n}\n');
    expect(await c.exited).toBe(1);
    expect(c.stderr()).toContain('error[FLOW026]');
    expect(c.stderr()).toContain('nothing was started');
  });

  it('reports a port in use, an unwritable directory and a missing command without a stack trace', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => blocker.close(r)));
    const d = work();
    // A source that cannot start does not stop the agent (as in Flume): it is retried.
    const c1 = run(d, `agent a { source s : netcat { bind = "127.0.0.1", port = ${port} }\n channel c : memory\n s -> c }\n`);
    await waitFor(() => c1.stderr().includes('restarting it in'), 30_000, 'the retry');
    await started(c1); // the agent runs on; SIGTERM stops it as usual
    c1.proc.kill('SIGTERM');
    expect(await c1.exited).toBe(0);
    expect(c1.stderr()).toContain(`source \`s\` failed: cannot start: tcp port ${port} on 127.0.0.1 is already in use`);
    writeFileSync(join(d, 'plain-file'), 'x');
    const c2 = run(d, `agent a { source s : seq\n channel c : memory\n sink k : file_roll { sink.directory = "plain-file/out" }\n s -> c -> k }\n`);
    expect(await c2.exited).toBe(1);
    expect(c2.stderr()).toMatch(/cannot start sink `k`: .*plain-file\/out/);
    const c3 = run(d, `agent a { source s : exec { command = "flowc-no-such-tool -f x" }\n channel c : memory\n s -> c }\n`);
    await waitFor(() => c3.stderr().includes('restarting it in'), 30_000, 'the retry');
    await started(c3); // the agent runs on; SIGTERM stops it as usual
    c3.proc.kill('SIGTERM');
    expect(await c3.exited).toBe(0);
    expect(c3.stderr()).toContain('source `s` failed: cannot start: command `flowc-no-such-tool` not found');
    for (const c of [c1, c2, c3]) expect(c.stderr()).not.toMatch(/\n\s+at /);
  });

  it('keeps the agent up when a source fails to start, shows it failing in /status and the live view, and retries it', async () => {
    const d = work();
    const tool = join(d, 'later-tool.sh'); // does not exist yet
    const c = run(
      d,
      `agent a {
        source counter : seq { totalEvents = 5 }
        source tail : exec { command = "${tool}", restart = true, restartThrottle = 100ms }
        channel c : memory
        sink k : file_roll { sink { directory = "out", rollInterval = 0 } }
        counter -> c
        tail -> c
        c -> k
      }\n`,
      ['--monitor-port', '0', '--ui-port', '0'],
    );
    await waitFor(() => c.stdout().includes('press Ctrl-C') || c.proc.exitCode !== null, 60_000, 'the banner');
    expect(c.stderr()).not.toContain('nothing is running');
    expect(c.proc.exitCode).toBe(null);
    const monitor = /monitor: (http:\/\/\S+)\/metrics/.exec(c.stdout())![1]!;
    const ui = /live view: (http:\/\/\S+\/)/.exec(c.stdout())![1]!;
    // the other source delivers
    await waitFor(() => fileLines(join(d, 'out')).length === 5, 15_000, 'the seq events in the files');
    type Status = { role: string; name: string; state: string; restarts: number; lastError?: string };
    const tailStatus = async () => ((await (await fetch(`${monitor}/status`)).json()) as Record<string, Status[]>).a!.find((x) => x.name === 'tail')!;
    const failing = await waitFor(async () => {
      const st = await tailStatus();
      return st.state === 'failing' && st.restarts >= 1 && st;
    }, 15_000, 'the exec source failing in /status');
    expect(failing.lastError).toContain(`command \`${tool}\` not found`);
    const node = await waitFor(async () => {
      const frame = (await (await fetch(`${ui}state`)).json()) as { nodes?: Record<string, { state?: string; lastError?: string }> };
      const n = frame.nodes?.['a/source/tail'];
      return n?.state === 'failing' && n;
    }, 15_000, 'the exec source failing in the live view');
    expect(node.lastError).toContain('not found');
    // once the command exists, the retry starts it
    writeFileSync(tool, '#!/bin/sh\necho from-the-tool\n', { mode: 0o755 });
    await waitFor(() => fileLines(join(d, 'out')).includes('from-the-tool'), 20_000, 'the tool\'s line in the files');
    expect(c.proc.exitCode).toBe(null);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  }, 120_000);

  it('serves /metrics in Flume JSON, /metrics/prometheus and /health', async () => {
    const port = await freePort();
    const c = run(work(), `agent a { source s : http { bind = "127.0.0.1", port = ${port} }\n channel c : memory\n s -> c }\n`, ['--monitor-port', '0']);
    await started(c);
    const url = /monitor: (http:\/\/\S+)\/metrics/.exec(c.stdout())![1]!;
    expect((await httpPost(port, JSON.stringify([{ body: '1' }, { body: '2' }, { body: '3' }]))).status).toBe(200);
    expect((await httpPost(port, JSON.stringify([{ body: '4' }, { body: '5' }]))).status).toBe(200);
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    const m = (await res.json()) as Record<string, Record<string, string>>;
    expect(m['SOURCE.s']).toMatchObject({ Type: 'SOURCE', EventReceivedCount: '5', EventAcceptedCount: '5', AppendBatchAcceptedCount: '2' });
    expect(m['CHANNEL.c']).toMatchObject({ Type: 'CHANNEL', ChannelSize: '5', ChannelCapacity: '100', ChannelFillPercentage: '5.0', EventPutSuccessCount: '5', StopTime: '0' });
    for (const v of Object.values(m['CHANNEL.c']!)) expect(typeof v).toBe('string');
    const prom = await (await fetch(`${url}/metrics/prometheus`)).text();
    expect(prom).toContain('flume_source_event_accepted_count{agent="a",component="s"} 5');
    expect(prom).toContain('# TYPE flume_channel_channel_size gauge');
    // The text exposition format, line by line: comments, then samples of declared metrics.
    const declared = new Set<string>();
    for (const line of prom.split('\n').filter((l) => l.length > 0)) {
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|untyped|summary|histogram)$/.exec(line);
      if (type) {
        declared.add(type[1]!);
        continue;
      }
      if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?\d+(\.\d+)?(e[-+]?\d+)?|NaN|[-+]Inf)$/.exec(line);
      expect(sample, `not a Prometheus sample line: ${line}`).not.toBeNull();
      expect(declared.has(sample![1]!), `sample before its # TYPE: ${line}`).toBe(true);
    }
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('on SIGTERM stops the source and drains the memory channel into the sink, then exits 0', async () => {
    const slow = await collector();
    cleanup.push(() => slow.close());
    const original = slow.server.listeners('request')[0] as (...a: unknown[]) => void;
    slow.server.removeAllListeners('request');
    slow.server.on('request', (...a: unknown[]) => setTimeout(() => original(...a), 20));
    const port = await freePort();
    const c = run(
      work(),
      `agent a { source s : http { bind = "127.0.0.1", port = ${port} }
        channel c : memory
        sink k : http { endpoint = "http://127.0.0.1:${slow.port}/", rollback.200 = false, backoff.200 = false }
        s -> c -> k }\n`,
    );
    await started(c);
    const bodies = Array.from({ length: 40 }, (_, i) => `e${i}`);
    expect((await httpPost(port, JSON.stringify(bodies.map((body) => ({ body }))))).status).toBe(200);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(slow.bodies).toEqual(bodies);
    expect(c.stdout()).toContain('every channel was drained');
    await expect(httpPost(port, '[]')).rejects.toThrow();
  });

  it('exits 1 and says how many events were left in which channel when the drain times out', async () => {
    const port = await freePort();
    const nowhere = await freePort(); // nothing listens there: the sink cannot deliver
    const c = run(
      work(),
      `agent a { source s : http { bind = "127.0.0.1", port = ${port} }
        channel c : memory
        sink k : http { endpoint = "http://127.0.0.1:${nowhere}/" }
        s -> c -> k }\n`,
      ['--drain-timeout', '300'],
    );
    await started(c);
    expect((await httpPost(port, JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ body: `e${i}` }))))).status).toBe(200);
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(1);
    const out = c.stdout() + c.stderr();
    expect(out).toContain('50 accepted event(s) were not delivered');
    expect(out).toContain('agent `a`, channel `c` (memory): 50 event(s), lost');
    expect(out).not.toContain('every channel was drained');
  });
});

describe('flowc build --target bundle', () => {
  it('writes a readable .ts and a single-file .mjs that runs with plain node in an empty folder', async () => {
    const d = work();
    const port = await freePort();
    const flow = readFileSync('examples/quickstart.flow', 'utf8').replaceAll('44444', String(port));
    writeFileSync(join(d, 'quickstart.flow'), flow);
    const b = spawnNode([bin, 'build', 'quickstart.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited).toBe(0);
    const ts = readFileSync(join(d, 'dist', 'quickstart.agent.ts'), 'utf8');
    expect(ts).toContain('"sink.rollInterval": 300');
    expect(ts).toContain("import sink_file_roll from 'flowc/runtime/sinks/file_roll.js';");
    const empty = work();
    copyFileSync(join(d, 'dist', 'quickstart.agent.mjs'), join(empty, 'quickstart.agent.mjs'));
    expect(existsSync(join(empty, 'node_modules'))).toBe(false);
    const c = spawnNode(['quickstart.agent.mjs'], empty);
    children.push(c);
    await started(c);
    expect(await tcpExchange(port, 'hello bundle\nsecond\n')).toBe('OK\nOK\n');
    await waitFor(() => c.stdout().includes('hello bundle }'), 10_000, 'the logger line');
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(fileLines(join(empty, 'out', 'quickstart'))).toEqual(['hello bundle', 'second']);
  });

  it('writes a .ts that names the runtime by package, not by paths of the machine that built it', async () => {
    const d = work();
    const port = await freePort();
    writeFileSync(join(d, 'app.flow'), `agent a {\n  source s : netcat { bind = "127.0.0.1", port = ${port} }\n  channel c : memory\n  sink k : logger\n  s -> c -> k\n}\n`);
    const b = spawnNode([bin, 'build', 'app.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited).toBe(0);
    const ts = readFileSync(join(d, 'dist', 'a.agent.ts'), 'utf8');
    const specifiers = [...ts.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(4);
    for (const s of specifiers) expect(s).toMatch(/^flowc\/runtime\/[\w/]+\.js$/);
    expect(ts).not.toContain(process.cwd());
    // Another project, where flowc is installed as a dependency: the .ts, compiled on its own
    // (not bundled), runs against that installation.
    const other = work();
    writeFileSync(join(other, 'package.json'), '{ "name": "elsewhere", "private": true, "type": "module" }\n');
    mkdirSync(join(other, 'node_modules'));
    symlinkSync(process.cwd(), join(other, 'node_modules', 'flowc'));
    const { transformSync } = await import('esbuild');
    writeFileSync(join(other, 'a.agent.mjs'), transformSync(ts, { loader: 'ts', format: 'esm' }).code);
    const c = spawnNode(['a.agent.mjs'], other);
    children.push(c);
    await started(c);
    expect(await tcpExchange(port, 'from elsewhere\n')).toBe('OK\n');
    c.proc.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });

  it('writes nothing when any agent of any input cannot be bundled', async () => {
    const d = work();
    writeFileSync(join(d, 'a.flow'), 'agent a {\n  source s : seq\n  channel c : memory\n  sink k : logger\n  s -> c -> k\n}\n');
    writeFileSync(join(d, 'b.flow'), 'agent b {\n  source s : seq\n  channel c : memory\n  sink archive : irc { hostname = "irc.example.com", nick = "flume", chan = "logs" }\n  s -> c -> archive\n}\n');
    const b = spawnNode([bin, 'build', 'a.flow', 'b.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited).toBe(1);
    expect(b.stderr()).toContain('error[FLOW095]: sink `archive` is of kind `irc`');
    expect(b.stderr()).toContain('nothing was written');
    expect(b.stdout()).not.toContain('wrote');
    expect(existsSync(join(d, 'dist'))).toBe(false);
  });

  it('fails with a diagnostic naming a component the runtime does not implement', async () => {
    const d = work();
    writeFileSync(join(d, 'app.flow'), 'agent a {\n  source s : seq\n  channel c : memory\n  sink archive : irc { hostname = "irc.example.com", nick = "flume", chan = "logs" }\n  s -> c -> archive\n}\n');
    const b = spawnNode([bin, 'build', 'app.flow', '--target', 'bundle', '-o', 'dist'], d);
    expect(await b.exited).toBe(1);
    expect(b.stderr()).toContain('error[FLOW095]: sink `archive` is of kind `irc`, which the flowc runtime does not implement');
    expect(b.stderr()).toContain('--target properties');
    expect(existsSync(join(d, 'dist'))).toBe(false);
  });
});

describe('flowc run --watch', () => {
  it('hears every save by rename (sed -i, and editors that save so), not only the first', async () => {
    const d = work();
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const c = run(d, `agent a {\n  source s : netcat { bind = "127.0.0.1", port = ${ports[0]} }\n  channel c : memory\n  s -> c\n}\n`, ['--watch']);
    await started(c);
    expect(await tcpExchange(ports[0]!, 'one\n')).toBe('OK\n');
    for (let i = 1; i < ports.length; i++) {
      // sed -i writes a new file and renames it over app.flow
      execFileSync('sed', ['-i', `s/port = ${ports[i - 1]}/port = ${ports[i]}/`, join(d, 'app.flow')]);
      await waitFor(() => c.stdout().split('agent `a` reloaded').length - 1 === i, 20_000, `reload ${i} after a save by rename`);
      expect(await tcpExchange(ports[i]!, `line ${i}\n`)).toBe('OK\n');
    }
  });

  it('keeps running on errors, and reloads what changed, keeping the events of unchanged memory channels', async () => {
    const d = work();
    const port = await freePort();
    const flow = (value: string) => `agent a {
  source s : http { bind = "127.0.0.1", port = ${port} }
  channel c : memory
  s | static { key = "v", value = "${value}" } -> c
}
`;
    const c = run(d, flow('one'), ['--watch', '--monitor-port', '0']);
    await started(c);
    const url = /monitor: (http:\/\/\S+)\/metrics/.exec(c.stdout())![1]!;
    const size = async () => ((await (await fetch(`${url}/metrics`)).json()) as Record<string, Record<string, string>>)['CHANNEL.c']!.ChannelSize;
    expect((await httpPost(port, JSON.stringify([{ body: '1' }, { body: '2' }]))).status).toBe(200);
    writeFileSync(join(d, 'app.flow'), 'agent a {\n  source s : http { port = 99999 }\n');
    await waitFor(() => c.stderr().includes('the agents keep running'), 10_000, 'the error notice');
    expect((await httpPost(port, JSON.stringify([{ body: '3' }]))).status).toBe(200);
    writeFileSync(join(d, 'app.flow'), flow('two'));
    await waitFor(() => c.stdout().includes('agent `a` reloaded; kept channel(s) `c` with their events'), 10_000, 'the reload');
    expect((await httpPost(port, JSON.stringify([{ body: '4' }]))).status).toBe(200);
    expect(await size()).toBe('4');
  });

  it('restarts only the sink whose property changed: the source keeps its clients connected', async () => {
    const d = work();
    const port = await freePort();
    const out = join(d, 'out');
    const flow = (roll: string) => `agent a {
  source s : netcat { bind = "127.0.0.1", port = ${port} }
  channel c : memory
  sink k : file_roll { sink.directory = "${out}", sink.rollInterval = ${roll} }
  s -> c -> k
}
`;
    const c = run(d, flow('0'), ['--watch']);
    await started(c);
    const socket = connect(port, '127.0.0.1');
    let replies = '';
    socket.on('data', (b) => (replies += b.toString()));
    socket.write('before\n');
    await waitFor(() => replies === 'OK\n', 5_000, 'the first OK');
    writeFileSync(join(d, 'app.flow'), flow('1h'));
    await waitFor(() => c.stdout().includes('agent `a` reloaded'), 10_000, 'the reload');
    expect(c.stdout()).toContain('restarted only sink `k`');
    // The same connection still works: the source was not restarted.
    socket.write('after\n');
    await waitFor(() => replies === 'OK\nOK\n', 5_000, 'the second OK on the same connection');
    socket.end();
    await waitFor(() => fileLines(out).length === 2, 10_000, 'both lines in the files');
    expect(fileLines(out).sort()).toEqual(['after', 'before']);
  });
});

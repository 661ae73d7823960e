// The file channel on real files: restarts, kill -9, torn and corrupt logs, locks, full disks,
// dual checkpoints, and log files deleted once drained.
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import create, { type FileChannel } from '../../runtime/channels/file.js';
import { Logger } from '../../runtime/core/log.js';
import { MetricsRegistry } from '../../runtime/core/metrics.js';
import type { Event } from '../../runtime/core/event.js';
import { ChannelException } from '../../runtime/core/errors.js';
import { AvroClient } from '../../runtime/rpc/client.js';
import { freePort, httpPost, runFlow, scratch, spawnNode, tcpExchange, waitFor } from './helpers.js';

const { children, cleanup, work } = scratch();

function channel(dir: string, params: Record<string, unknown> = {}, lines: string[] = []): FileChannel {
  const log = new Logger('', { write: (_l, line) => lines.push(line) }, 'debug');
  const ch = create(
    {
      name: 'c',
      kind: 'file',
      params: {
        checkpointDir: join(dir, 'checkpoint'),
        dataDirs: [join(dir, 'data')],
        capacity: 1_000_000,
        transactionCapacity: 10_000,
        checkpointInterval: 30_000,
        maxFileSize: 2146435071,
        minimumRequiredSpace: 1048576,
        'keep-alive': 0,
        fsyncPerTransaction: true,
        ...params,
      } as never,
    },
    { agent: 'a', name: 'c', log, metrics: new MetricsRegistry('a'), fail: () => {} },
  ) as FileChannel;
  return ch;
}

function ev(i: number): Event {
  return { headers: { seq: String(i), host: 'h' }, body: Buffer.from(`event ${i}`) };
}

async function put(ch: FileChannel, from: number, n: number): Promise<void> {
  const tx = ch.getTransaction();
  tx.begin();
  for (let i = from; i < from + n; i++) tx.put(ev(i));
  await tx.commit();
  tx.close();
}

async function take(ch: FileChannel, n: number, commit = true): Promise<Event[]> {
  const tx = ch.getTransaction();
  tx.begin();
  const out: Event[] = [];
  tx.takeInto!(out, n);
  if (commit) await tx.commit();
  else await tx.rollback();
  tx.close();
  return out;
}

const seqs = (es: Event[]) => es.map((e) => Number(e.headers.seq));
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('file channel', () => {
  it('keeps committed events, their headers and order across a restart; taken ones stay taken', async () => {
    const dir = work();
    const a = channel(dir);
    a.start();
    await put(a, 0, 500);
    await put(a, 500, 500);
    expect(seqs(await take(a, 300))).toEqual(range(0, 300));
    expect(seqs(await take(a, 50, false))).toEqual(range(300, 350)); // rolled back: back at the head
    await a.stop();

    const b = channel(dir);
    b.start();
    expect(b.size()).toBe(700);
    const rest = await take(b, 1000);
    expect(seqs(rest)).toEqual(range(300, 1000));
    expect(rest[0]).toEqual(ev(300));
    await b.stop();
  });

  it('loses no committed event when the process is killed with SIGKILL before any checkpoint', async () => {
    const dir = work();
    const script = `
      import create from ${JSON.stringify(resolve('dist/runtime/channels/file.js'))};
      import { MetricsRegistry } from ${JSON.stringify(resolve('dist/runtime/core/metrics.js'))};
      import { Logger } from ${JSON.stringify(resolve('dist/runtime/core/log.js'))};
      const ch = create({ name: 'c', kind: 'file', params: { checkpointDir: ${JSON.stringify(join(dir, 'checkpoint'))},
        dataDirs: [${JSON.stringify(join(dir, 'data'))}], capacity: 100000, transactionCapacity: 1000, checkpointInterval: 600000,
        maxFileSize: 200000, minimumRequiredSpace: 1048576, 'keep-alive': 0, fsyncPerTransaction: true } },
        { agent: 'a', name: 'c', log: new Logger('x'), metrics: new MetricsRegistry('a'), fail() {} });
      ch.start();
      let n = 0;
      for (let b = 0; b < 40; b++) {
        const tx = ch.getTransaction(); tx.begin();
        for (let i = 0; i < 100; i++, n++) tx.put({ headers: { seq: String(n) }, body: Buffer.from('event ' + n) });
        await tx.commit(); tx.close();
        if (b === 19) { const t = ch.getTransaction(); t.begin(); const out = []; t.takeInto(out, 500); await t.commit(); t.close(); }
      }
      process.stdout.write('acked ' + n + '\\n');
      // a commit in flight when the kill comes
      const tx = ch.getTransaction(); tx.begin(); tx.put({ headers: { seq: 'late' }, body: Buffer.from('x') }); void tx.commit();
      setInterval(() => {}, 1000);`;
    const child = spawnNode(['--input-type=module', '-e', script]);
    children.push(child);
    await waitFor(() => child.stdout().includes('acked 4000'), 30_000, 'the child to commit');
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(existsSync(join(dir, 'checkpoint', 'checkpoint'))).toBe(false);

    const lines: string[] = [];
    const b = channel(dir, {}, lines);
    b.start(); // the dead child's lock is stale and taken over
    const all = await take(b, 10_000);
    const nums = all.map((e) => e.headers.seq).filter((s) => s !== 'late').map(Number);
    expect(nums).toEqual(range(500, 4000));
    await b.stop();
  });

  it('ignores a torn last record and keeps everything before it', async () => {
    const dir = work();
    const a = channel(dir);
    a.start();
    await put(a, 0, 100);
    await a.stop();
    // Simulate a write cut short: half a record at the end of the newest log file, no checkpoint.
    const data = join(dir, 'data');
    const newest = readdirSync(data).filter((n) => n.startsWith('log-')).sort((x, y) => Number(x.slice(4)) - Number(y.slice(4))).at(-1)!;
    const oldest = readdirSync(data).filter((n) => n.startsWith('log-')).sort()[0]!;
    const whole = readFileSync(join(data, oldest));
    writeFileSync(join(dir, 'checkpoint', 'checkpoint'), 'garbage');
    appendFileSync(join(data, newest), whole.subarray(0, 40));
    const lines: string[] = [];
    const b = channel(dir, {}, lines);
    b.start();
    expect(seqs(await take(b, 1000))).toEqual(range(0, 100));
    expect(lines.join('\n')).toMatch(/the checkpoint in .* cannot be used: it is not a flowc file channel checkpoint/);
    expect(lines.join('\n')).toMatch(new RegExp(`${newest}: cut 40 bytes of an unfinished write at offset \\d+`));
    await b.stop();
  });

  it('refuses to start on a corrupt record in the middle of a log, naming the file and offset', async () => {
    const dir = work();
    const a = channel(dir);
    a.start();
    await put(a, 0, 10);
    await put(a, 10, 10);
    await a.stop();
    const data = join(dir, 'data');
    const first = readdirSync(data).filter((n) => n.startsWith('log-')).sort()[0]!;
    const path = join(data, first);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('event 3');
    bytes[at + 6] = 0x39; // "event 3" → "event 9": the checksum no longer matches
    writeFileSync(path, bytes);
    writeFileSync(join(dir, 'checkpoint', 'checkpoint'), ''); // force a replay of the whole log
    const b = channel(dir);
    let error: unknown;
    try {
      b.start();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChannelException);
    const recordStart = bytes.lastIndexOf(Buffer.from([0x0c, 0xf1]), at);
    expect((error as Error).message).toContain(`the log file ${path} is corrupt at offset ${recordStart}`);
    // The failed start released its locks: a fixed directory starts again.
    bytes[at + 6] = 0x33;
    writeFileSync(path, bytes);
    const c = channel(dir);
    c.start();
    expect(c.size()).toBe(20);
    await c.stop();
  });

  it('a second agent on the same directories fails at once, clearly', async () => {
    const dir = work();
    const port = await freePort();
    const flow = (p: number) => `agent a { source s : http { bind = "127.0.0.1", port = ${p} }
      channel c : file { checkpointDir = "${join(dir, 'cp')}", dataDirs = "${join(dir, 'data')}" }
      sink k : null
      s -> c -> k }`;
    writeFileSync(join(dir, 'one.flow'), flow(port));
    writeFileSync(join(dir, 'two.flow'), flow(await freePort()));
    const first = spawnNode([resolve('bin/flowc.js'), 'run', join(dir, 'one.flow')]);
    children.push(first);
    await waitFor(() => first.stdout().includes(`${port}`), 30_000, 'the first agent to start');
    const second = spawnNode([resolve('bin/flowc.js'), 'run', join(dir, 'two.flow')]);
    children.push(second);
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(second.stderr()).toContain(`checkpointDir ${join(dir, 'cp')} is in use by another agent (process ${first.proc.pid}`);
    expect(second.stderr()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('answers 503 (http), FAILED (avro) and FAILED (netcat) instead of dropping when free space is below minimumRequiredSpace', async () => {
    const dir = work();
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const [hp, np, ap] = [await freePort(), await freePort(), await freePort()];
    const running = await runFlow(`agent a {
      source h : http { bind = "127.0.0.1", port = ${hp} }
      source n : netcat { bind = "127.0.0.1", port = ${np} }
      source r : avro { bind = "127.0.0.1", port = ${ap} }
      channel c : file { checkpointDir = "${join(dir, 'cp')}", dataDirs = "${join(dir, 'data')}", minimumRequiredSpace = ${free + 1024 * 1024 * 1024} }
      sink k : null
      h -> c
      n -> c
      r -> c
      c -> k }`);
    cleanup.push(() => running.stop());
    const r = await httpPost(hp, JSON.stringify([{ headers: {}, body: 'x' }]), { 'content-type': 'application/json' });
    expect(r.status).toBe(503);
    expect(r.text).toMatch(/refuses the write: .* free in .*, below minimumRequiredSpace/);
    expect(await tcpExchange(np, 'x\n')).toMatch(/^FAILED: .*below minimumRequiredSpace/);
    const client = await AvroClient.connect({ host: '127.0.0.1', port: ap, requestTimeoutMs: 5000 });
    try {
      expect(await client.appendBatch([{ headers: {}, body: Buffer.from('x') }])).toBe('FAILED');
    } finally {
      await client.close();
    }
    expect(running.runner.agents[0]!.channels.get('c')!.size()).toBe(0);
  });

  it('fills a real small disk (tmpfs) up to minimumRequiredSpace, answers 503, and keeps what it accepted', async (ctx) => {
    const dir = work();
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      // Not root, or no mount in this sandbox: the test above covers refusal by minimumRequiredSpace.
      ctx.skip();
      return;
    }
    cleanup.unshift(() => execFileSync('umount', ['-l', mnt]));
    const port = await freePort();
    const running = await runFlow(`agent a {
      source h : http { bind = "127.0.0.1", port = ${port} }
      channel c : file { checkpointDir = "${join(mnt, 'cp')}", dataDirs = "${join(mnt, 'data')}", minimumRequiredSpace = 1048576 }
      sink k : http { endpoint = "http://127.0.0.1:9/never" }
      h -> c -> k }`);
    let accepted = 0;
    let status = 200;
    const body = 'y'.repeat(1000);
    for (let i = 0; i < 200 && status === 200; i++) {
      const batch = Array.from({ length: 50 }, (_, k) => ({ headers: { seq: String(accepted + k) }, body }));
      const r = await httpPost(port, JSON.stringify(batch), { 'content-type': 'application/json' });
      status = r.status;
      if (status === 200) accepted += 50;
    }
    expect(status).toBe(503);
    expect(accepted).toBeGreaterThan(1000);
    const ch = running.runner.agents[0]!.channels.get('c')!;
    expect(ch.size()).toBe(accepted);
    await running.stop();
    const again = channel(mnt, { checkpointDir: join(mnt, 'cp'), dataDirs: [join(mnt, 'data')] });
    again.start();
    expect(seqs(await take(again, 10_000))).toEqual(range(0, accepted));
    await again.stop();
  });

  it('falls back to the backup checkpoint when the main one is damaged', async () => {
    const dir = work();
    const params = { useDualCheckpoints: true, backupCheckpointDir: join(dir, 'backup') };
    const a = channel(dir, params);
    a.start();
    await put(a, 0, 300);
    await take(a, 100);
    await a.stop(); // writes both checkpoints
    writeFileSync(join(dir, 'checkpoint', 'checkpoint'), Buffer.alloc(64, 7));
    const lines: string[] = [];
    const b = channel(dir, params, lines);
    b.start();
    expect(lines.join('\n')).toMatch(/checkpoint in .*checkpoint cannot be used: it is not a flowc file channel checkpoint/);
    expect(seqs(await take(b, 1000))).toEqual(range(100, 300));
    await b.stop();
  });

  it('deletes log files no longer needed after a checkpoint', async () => {
    const dir = work();
    const a = channel(dir, { maxFileSize: 4096 });
    a.start();
    for (let i = 0; i < 50; i++) await put(a, i * 20, 20);
    const logs = () => readdirSync(join(dir, 'data')).filter((n) => n.startsWith('log-')).length;
    expect(logs()).toBeGreaterThan(10);
    await take(a, 990);
    await a.checkpoint();
    await put(a, 1000, 1); // moves the replay start past the drained files
    await a.checkpoint();
    expect(logs()).toBeLessThanOrEqual(3);
    expect(seqs(await take(a, 100))).toEqual([...range(990, 1001)]);
    await a.stop();
    const b = channel(dir, { maxFileSize: 4096 });
    b.start();
    expect(b.size()).toBe(0);
    await b.stop();
    expect(statSync(join(dir, 'checkpoint', 'checkpoint')).size).toBeGreaterThan(0);
  });

  it('waits keep-alive for room, then refuses a commit on a full channel', async () => {
    const dir = work();
    const a = channel(dir, { capacity: 100, transactionCapacity: 100, 'keep-alive': 1 });
    a.start();
    await put(a, 0, 80);
    const started = Date.now();
    await expect(put(a, 80, 30)).rejects.toThrow(/channel `c` is full \(capacity 100\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const later = put(a, 80, 30);
    await take(a, 20);
    await later; // room made within keep-alive
    expect(a.size()).toBe(90);
    await a.stop();
  });
});

describe('file channel replay of a large log', () => {
  it('replays 1,000,000 queued events after a SIGKILL (no checkpoint), in order, printing progress', async () => {
    const dir = work();
    const script = `
      import create from ${JSON.stringify(resolve('dist/runtime/channels/file.js'))};
      import { MetricsRegistry } from ${JSON.stringify(resolve('dist/runtime/core/metrics.js'))};
      import { Logger } from ${JSON.stringify(resolve('dist/runtime/core/log.js'))};
      const ch = create({ name: 'c', kind: 'file', params: { checkpointDir: ${JSON.stringify(join(dir, 'checkpoint'))},
        dataDirs: [${JSON.stringify(join(dir, 'data'))}], capacity: 2000000, transactionCapacity: 10000, checkpointInterval: 3600000,
        maxFileSize: 2146435071, minimumRequiredSpace: 1048576, 'keep-alive': 0, fsyncPerTransaction: true } },
        { agent: 'a', name: 'c', log: new Logger('x'), metrics: new MetricsRegistry('a'), fail() {} });
      ch.start();
      const body = Buffer.alloc(60, 'x');
      for (let b = 0; b < 100; b++) {
        const tx = ch.getTransaction(); tx.begin();
        const evs = [];
        for (let i = 0; i < 10000; i++) evs.push({ headers: { seq: String(b * 10000 + i) }, body });
        tx.putAll(evs);
        await tx.commit(); tx.close();
      }
      process.stdout.write('acked\\n');
      setInterval(() => {}, 1000);`;
    const child = spawnNode(['--input-type=module', '-e', script]);
    children.push(child);
    await waitFor(() => child.stdout().includes('acked'), 240_000, 'the child to commit 1,000,000 events');
    child.proc.kill('SIGKILL');
    await child.exited;

    const lines: string[] = [];
    const b = channel(dir, { capacity: 2_000_000 }, lines);
    const t0 = Date.now();
    b.start();
    const ms = Date.now() - t0;
    console.log(`file channel: replayed 1,000,000 queued events in ${ms} ms`);
    expect(b.size()).toBe(1_000_000);
    // A replay that runs more than a second says how far it is, once a second.
    if (ms > 1500) expect(lines.some((l) => /replaying the log of channel `c`: \d+% \(.* MiB of .* MiB, \d+ events read\)/.test(l))).toBe(true);
    expect(lines.join('\n')).toMatch(/replayed 100 logged transactions \(\d+ MiB\) in \d+ ms: 1000000 events queued/);
    let next = 0;
    for (;;) {
      const es = await take(b, 10_000);
      if (es.length === 0) break;
      for (const e of es) {
        if (Number(e.headers.seq) !== next) throw new Error(`event ${next} expected, got ${e.headers.seq}`);
        next++;
      }
    }
    expect(next).toBe(1_000_000);
    await b.stop();
  }, 600_000);
});

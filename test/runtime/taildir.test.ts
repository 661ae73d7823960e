// The taildir source on real files: groups, headers, Flume's positionFile, restarts, and
// rotation by rename and by copy-truncate while lines are written — no line lost or repeated.
import { describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import type { ChannelFactory, ComponentRegistry } from '../../runtime/core/component.js';
import { dynamicRegistry } from '../../runtime/loader.js';
import { join } from 'node:path';
import { runFlow, scratch, takeAll, waitFor, type Running } from './helpers.js';

const { cleanup, work } = scratch();

async function start(text: string): Promise<Running> {
  const r = await runFlow(text);
  cleanup.unshift(() => r.stop());
  return r;
}

const body = (e: { body: Buffer }) => e.body.toString();

async function collect(r: Running, n: number, timeoutMs = 20_000) {
  const got: { headers: Record<string, string>; body: Buffer }[] = [];
  await waitFor(() => {
    got.push(...takeAll(r, 'c'));
    return got.length >= n;
  }, timeoutMs, `${n} events (have ${got.length})`);
  // Nothing more comes: a little later the channel is still empty.
  await new Promise((res) => setTimeout(res, 300));
  got.push(...takeAll(r, 'c'));
  return got;
}

const fast = 'backoffSleepIncrement = 20, maxBackoffSleep = 50';

describe('taildir', () => {
  it('follows the files of each group with its headers, whole lines only, and writes Flume\'s positionFile', async () => {
    const dir = work();
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'app.log'), 'one\r\ntwo\npart');
    writeFileSync(join(dir, 'b', 'x-1.log'), 'b1\n');
    writeFileSync(join(dir, 'b', 'x-2.txt'), 'not matched\n');
    const pos = join(dir, 'pos.json');
    const r = await start(`agent a {
      source s : taildir { filegroups = "f1 f2", filegroups.f1 = "${join(dir, 'a', 'app.log')}", filegroups.f2 = "${join(dir, 'b', 'x-.*\\\\.log')}",
        headers.f1.kind = "app", headers.f2.kind = "x", fileHeader = true, byteOffsetHeader = true, positionFile = "${pos}", ${fast} }
      channel c : memory
      s -> c }`);
    let events = await collect(r, 3);
    expect(events.map(body).sort()).toEqual(['b1', 'one', 'two']);
    const one = events.find((e) => body(e) === 'one')!;
    const two = events.find((e) => body(e) === 'two')!;
    expect(one.headers).toMatchObject({ kind: 'app', file: join(dir, 'a', 'app.log'), byteoffset: '0' });
    expect(two.headers.byteoffset).toBe('5');
    expect(events.find((e) => body(e) === 'b1')!.headers.kind).toBe('x');
    appendFileSync(join(dir, 'a', 'app.log'), 'ial\n');
    events = await collect(r, 1);
    expect(events.map(body)).toEqual(['partial']);
    await waitFor(() => {
      const list = JSON.parse(readFileSync(pos, 'utf8'));
      return list.length === 2 && list.some((e: { pos: number; file: string }) => e.file.endsWith('app.log') && e.pos === 17);
    }, 10_000, 'the positionFile');
    const list = JSON.parse(readFileSync(pos, 'utf8')) as { inode: number; pos: number; file: string }[];
    expect(list.find((e) => e.file.endsWith('app.log'))!.inode).toBe(statSync(join(dir, 'a', 'app.log')).ino);
  });

  it('resumes from the positionFile after a restart, and skipToEnd starts new files at their end', async () => {
    const dir = work();
    const pos = join(dir, 'pos.json');
    writeFileSync(join(dir, 'app.log'), 'a\nb\n');
    const flow = `agent a {
      source s : taildir { filegroups = "f", filegroups.f = "${join(dir, '.*\\\\.log')}", positionFile = "${pos}", ${fast} }
      channel c : memory
      s -> c }`;
    const first = await runFlow(flow);
    expect((await collect(first, 2)).map(body)).toEqual(['a', 'b']);
    await first.stop();
    appendFileSync(join(dir, 'app.log'), 'c\n');
    const second = await start(flow);
    expect((await collect(second, 1)).map(body)).toEqual(['c']);

    const other = work();
    writeFileSync(join(other, 'old.log'), 'old\n');
    const third = await start(`agent a {
      source s : taildir { filegroups = "f", filegroups.f = "${join(other, '.*\\\\.log')}", positionFile = "${join(other, 'p.json')}", skipToEnd = true, writePosInterval = 100, ${fast} }
      channel c : memory
      s -> c }`);
    await waitFor(() => existsSync(join(other, 'p.json')) && readFileSync(join(other, 'p.json'), 'utf8').includes('old.log'), 10_000, 'the file to be followed');
    appendFileSync(join(other, 'old.log'), 'new\n');
    expect((await collect(third, 1)).map(body)).toEqual(['new']);
  });

  it('a kill after positions were written past rotations the source had not looked at yet loses no generation', async () => {
    // A source reading a backlog commits batch after batch, writing positionFile after each,
    // and looks at its directory again only when the backlog is read. Rotations meanwhile
    // (app.log → app.log.1, a new app.log → app.log.2, a new app.log) are older than those
    // writes. The channel here holds the source's commits back at will, so that positionFile
    // is copied at the moment a kill -9 would leave it: after the first batch, past the
    // rotations, before the next look.
    const dir = work();
    const log = join(dir, 'app.log');
    const pos = join(dir, 'pos.json');
    const atKill = join(dir, 'pos-at-kill.json');
    writeFileSync(log, 'a1\na2\na3\n');
    let held: (() => void)[] = [];
    let holding = true;
    const hold = () => (holding ? new Promise<void>((r) => held.push(r)) : Promise.resolve());
    const release = () => {
      for (const r of held.splice(0)) r();
    };
    const heldMemory: ChannelFactory = (config, ctx) => {
      const ch = memory(config, ctx);
      const getTransaction = () => {
        const tx = ch.getTransaction();
        const commit = async () => {
          await hold();
          await tx.commit();
        };
        return new Proxy(tx, { get: (t, k) => (k === 'commit' ? commit : Reflect.get(t, k)) });
      };
      return new Proxy(ch, { get: (t, k) => (k === 'getTransaction' ? getTransaction : Reflect.get(t, k)) });
    };
    const registry: ComponentRegistry = {
      load: async (d, kind) => (d === 'channels' && kind === 'memory' ? (heldMemory as never) : dynamicRegistry.load(d, kind)),
    };
    const flow = (positionFile: string) => `agent a {
      source s : taildir { filegroups = "f", filegroups.f = "${dir}/app\\\\.log", positionFile = "${positionFile}", batchSize = 1, ${fast} }
      channel c : memory
      s -> c }`;
    const memory = (await dynamicRegistry.load('channels', 'memory'))!;
    const first = await runFlow(flow(pos), { registry });
    cleanup.unshift(() => {
      holding = false;
      release();
      return first.stop();
    });
    await waitFor(() => held.length === 1, 10_000, 'the first batch of app.log');
    appendFileSync(log, 'a4\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b1\nb2\n');
    renameSync(log, `${log}.2`);
    writeFileSync(log, 'c1\n');
    const rotated = statSync(`${log}.2`).ctimeMs;
    await waitFor(() => Date.now() > rotated + 20, 5_000, 'a later clock');
    release();
    await waitFor(() => held.length === 1, 10_000, 'the second batch of app.log');
    // Here the kill: positionFile as it is now (its times too).
    const st = statSync(pos);
    copyFileSync(pos, atKill);
    utimesSync(atKill, st.atime, st.mtime);
    expect(JSON.parse(readFileSync(atKill, 'utf8'))).toEqual([{ inode: statSync(`${log}.1`).ino, pos: 3, file: log }]);
    holding = false;
    release();

    const second = await start(flow(atKill));
    const got: string[] = [];
    await waitFor(() => {
      got.push(...takeAll(second, 'c').map(body));
      return got.length >= 6;
    }, 10_000).catch(() => undefined); // what is missing, the assertion says
    // The batch in flight at the kill (a2) again, then everything after it, once.
    expect(got.sort(), second.lines.join('\n')).toEqual(['a2', 'a3', 'a4', 'b1', 'b2', 'c1']);
    await new Promise((res) => setTimeout(res, 300));
    expect(takeAll(second, 'c').map(body)).toEqual([]);
  });

  for (const mode of ['rename', 'copytruncate'] as const) {
    for (const pattern of ['app\\\\.log', 'app\\\\.log.*']) {
      it(`rotation by ${mode} while lines are written (pattern ${pattern.replace(/\\\\/g, '\\')}): every line exactly once`, async () => {
        const dir = work();
        const log = join(dir, 'app.log');
        writeFileSync(log, '');
        const r = await start(`agent a {
          source s : taildir { filegroups = "f", filegroups.f = "${dir}/${pattern}", positionFile = "${join(dir, 'pos.json')}", batchSize = 7, ${fast} }
          channel c : memory { capacity = 100000, transactionCapacity = 100 }
          s -> c }`);
        const total = 3000;
        let rotations = 0;
        for (let i = 0; i < total; ) {
          // A burst of lines, then sometimes a rotation, then a pause so that the source polls at
          // varying points between writes and rotations.
          const burst = 1 + Math.floor(Math.random() * 40);
          let text = '';
          for (let k = 0; k < burst && i < total; k++, i++) text += `line ${i}\n`;
          appendFileSync(log, text);
          if (Math.random() < 0.08) {
            rotations++;
            const to = `${log}.${rotations}`;
            if (mode === 'rename') {
              renameSync(log, to);
              writeFileSync(log, '');
            } else {
              copyFileSync(log, to);
              truncateSync(log, 0);
              // One copy-truncate per look of the source: a second one before it looks again
              // would leave a whole generation only in a copy (which, when the patterns do not
              // match it, nothing reads: the limit of copy-truncate, in Flume as here).
              const seen = rotations;
              await waitFor(() => r.lines.filter((l) => l.includes('Restarting from pos 0')).length >= seen, 10_000, 'the source to see the rotation');
            }
          }
          await new Promise((res) => setTimeout(res, Math.random() * 15));
        }
        expect(rotations).toBeGreaterThan(3);
        const events = await collect(r, total, 30_000).catch((e: Error) => {
          throw new Error(`${e.message}\n${r.lines.slice(-20).join('\n')}`);
        });
        const got = events.map(body);
        const expected = Array.from({ length: total }, (_, i) => `line ${i}`);
        const missing = expected.filter((l) => !got.includes(l));
        expect(missing, `missing after ${rotations} rotations`).toEqual([]);
        expect(got.length, 'duplicates').toBe(total);
        expect([...got].sort()).toEqual([...expected].sort());
      }, 120_000);
    }
  }
});

// The spooling directory source on real files: order, completion, patterns, deserializers
// (LINE, BLOB, AVRO), resuming after a stop, and files that change after pickup.
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { runFlow, scratch, takeAll, waitFor, type Running } from './helpers.js';
import { crc64AvroHex, canonicalForm } from '../../runtime/lib/avro-container.js';
import { writeContainer } from './avro-files.js';

const { cleanup, work } = scratch();

async function start(text: string): Promise<Running> {
  const r = await runFlow(text);
  cleanup.unshift(() => r.stop());
  return r;
}

const body = (e: { body: Buffer }) => e.body.toString();

function write(dir: string, name: string, text: string | Buffer, ageSeconds = 0): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  const t = Date.now() / 1000 - 1000 + ageSeconds;
  utimesSync(path, t, t);
  return path;
}

async function collect(r: Running, n: number, timeoutMs = 15_000): Promise<{ headers: Record<string, string>; body: Buffer }[]> {
  const got: { headers: Record<string, string>; body: Buffer }[] = [];
  await waitFor(() => {
    got.push(...takeAll(r, 'c'));
    return got.length >= n;
  }, timeoutMs, `${n} events (have ${got.length})`);
  return got;
}

describe('spooldir', () => {
  it('reads files oldest first, line by line, adds file and basename headers, and renames them .COMPLETED', async () => {
    const dir = work();
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    write(spool, 'b.log', 'b1\r\nb2\n\nb4', 20);
    write(spool, 'a.log', 'a1\na2\n', 10);
    write(spool, '.hidden', 'never\n');
    write(spool, 'skip.tmp', 'never\n');
    const r = await start(`agent a {
      source s : spooldir { spoolDir = "${spool}", fileHeader = true, basenameHeader = true, ignorePattern = ".*\\\\.tmp", pollDelay = 50, batchSize = 2 }
      channel c : memory
      s -> c }`);
    const events = await collect(r, 6);
    expect(events.map(body)).toEqual(['a1', 'a2', 'b1\r', 'b2', '', 'b4']);
    expect(events[0]!.headers).toMatchObject({ file: join(spool, 'a.log'), basename: 'a.log' });
    await waitFor(() => existsSync(join(spool, 'b.log.COMPLETED')), 10_000, 'b.log to be completed');
    expect(readdirSync(spool).sort()).toEqual(['.flumespool', '.hidden', 'a.log.COMPLETED', 'b.log.COMPLETED', 'skip.tmp']);
  });

  it('cuts lines longer than maxLineLength as Flume does, and decodes the input charset', async () => {
    const dir = work();
    write(dir, 'x.txt', Buffer.from('abcdefghij\nabcd\nabc\ncaf\xe9\n', 'latin1'));
    const r = await start(`agent a {
      source s : spooldir { spoolDir = "${dir}", deserializer.maxLineLength = 4, inputCharset = "ISO-8859-1", pollDelay = 50 }
      channel c : memory
      s -> c }`);
    const events = await collect(r, 8);
    // 10 chars: 4 + 4 + 2; exactly 4 chars: the piece, then an empty rest (Flume counts the newline).
    expect(events.map(body)).toEqual(['abcd', 'efgh', 'ij', 'abcd', '', 'abc', 'café', '']);
  });

  it('deletes finished files with deletePolicy = immediate, and marks them in trackerDir with trackingPolicy = tracker_dir', async () => {
    const a = work();
    const b = work();
    write(a, 'one', 'x\n');
    write(b, 'two', 'y\n');
    const r = await start(`agent a {
      source s1 : spooldir { spoolDir = "${a}", deletePolicy = "immediate", pollDelay = 50 }
      source s2 : spooldir { spoolDir = "${b}", trackingPolicy = "tracker_dir", recursiveDirectorySearch = true, pollDelay = 50 }
      channel c : memory
      s1 -> c
      s2 -> c }`);
    expect((await collect(r, 2)).map(body).sort()).toEqual(['x', 'y']);
    await waitFor(() => !existsSync(join(a, 'one')) && existsSync(join(b, '.flumespool', 'two.COMPLETED')), 10_000, 'completion');
    expect(existsSync(join(b, 'two'))).toBe(true);
    mkdirSync(join(b, 'sub'));
    write(join(b, 'sub'), 'three', 'z\n');
    expect((await collect(r, 1)).map(body)).toEqual(['z']);
  });

  it('reads a file as BLOB events of at most maxBlobLength bytes', async () => {
    const dir = work();
    const bytes = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 256));
    write(dir, 'blob.bin', bytes);
    const r = await start(`agent a {
      source s : spooldir { spoolDir = "${dir}", deserializer = "org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder", deserializer.maxBlobLength = 1000, pollDelay = 50 }
      channel c : memory
      s -> c }`);
    const events = await collect(r, 3);
    expect(events.map((e) => e.body.length)).toEqual([1000, 1000, 500]);
    expect(Buffer.concat(events.map((e) => e.body))).toEqual(bytes);
  });

  it('reads Avro container files (null and deflate codecs): one event per record, its binary encoding, with the schema hash', async () => {
    const dir = work();
    const schema = {
      type: 'record',
      name: 'Line',
      namespace: 'com.example',
      fields: [
        { name: 'n', type: 'long' },
        { name: 'text', type: ['null', 'string'], default: null },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const records = Array.from({ length: 250 }, (_, i) => ({ n: i, text: i % 3 ? `line ${i}` : null, tags: ['a', String(i)] }));
    await writeContainer(join(dir, 'plain.avro'), type, records.slice(0, 100), 'null');
    await writeContainer(join(dir, 'packed.avro'), type, records.slice(100), 'deflate');
    const r = await start(`agent a {
      source s : spooldir { spoolDir = "${dir}", deserializer = "AVRO", pollDelay = 50, batchSize = 40 }
      channel c : memory { capacity = 1000 }
      s -> c }`);
    const events = await collect(r, 250);
    const decoded = events.map((e) => type.fromBuffer(e.body) as { n: number });
    expect(decoded.map((d) => d.n).sort((x, y) => x - y)).toEqual(records.map((x) => x.n));
    const hash = crc64AvroHex(canonicalForm(schema));
    expect(events.every((e) => e.headers['flume.avro.schema.hash'] === hash)).toBe(true);
  });

  it('resumes after a stop where the last committed batch ended: nothing skipped, nothing read twice', async () => {
    const dir = work();
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    write(dir, 'big.log', `${lines.join('\n')}\n`);
    const flow = (capacity: number) => `agent a {
      source s : spooldir { spoolDir = "${dir}", batchSize = 10, pollDelay = 50, maxBackoff = 100 }
      channel c : memory { capacity = ${capacity}, transactionCapacity = 10, keep-alive = 0s }
      s -> c }`;
    const first = await runFlow(flow(300));
    const ch = first.runner.agents[0]!.channels.get('c')!;
    await waitFor(() => ch.size() === 300, 15_000, 'the channel to fill');
    await first.stop();
    const got = takeAll(first, 'c').map(body);
    const saved = JSON.parse(readFileSync(join(dir, '.flumespool', '.flumespool-main.meta'), 'utf8'));
    expect(saved.path).toBe(join(dir, 'big.log'));
    const second = await start(flow(10_000));
    got.push(...(await collect(second, 700)).map(body));
    expect(got).toEqual(lines);
    await waitFor(() => existsSync(join(dir, 'big.log.COMPLETED')), 10_000, 'completion');
  });

  it('stops with Flume\'s error when a file changes after pickup', async () => {
    const dir = work();
    write(dir, 'grows.log', Array.from({ length: 100 }, (_, i) => `l${i}`).join('\n') + '\n');
    const r = await start(`agent a {
      source s : spooldir { spoolDir = "${dir}", batchSize = 10, pollDelay = 50, maxBackoff = 100 }
      channel c : memory { capacity = 20, transactionCapacity = 10, keep-alive = 0s }
      s -> c }`);
    const ch = r.runner.agents[0]!.channels.get('c')!;
    await waitFor(() => ch.size() === 20, 10_000, 'the channel to fill');
    appendFileSync(join(dir, 'grows.log'), 'late\n');
    write(dir, 'next.log', 'never read\n', 500);
    await waitFor(() => {
      takeAll(r, 'c');
      return r.lines.some((l) => l.includes(`FATAL: spooling directory source s: File has been modified since being read: ${join(dir, 'grows.log')}`));
    }, 15_000, 'the FATAL error');
    expect(r.lines.join('\n')).toContain('Restart or reconfigure Flume to continue processing.');
    expect(existsSync(join(dir, 'grows.log'))).toBe(true);
    expect(existsSync(join(dir, 'next.log.COMPLETED'))).toBe(false);
  });

  it('says clearly that a spoolDir does not exist, and starts reading once it does', async () => {
    const dir = work();
    const spool = join(dir, 'later');
    const r = await start(`agent a { source s : spooldir { spoolDir = "${spool}", pollDelay = 50 }
      channel c : memory
      s -> c }`);
    await waitFor(() => r.lines.some((l) => l.includes(`the spooling directory ${spool} does not exist; create it, or fix spoolDir`)), 10_000, 'the error');
    mkdirSync(spool);
    write(spool, 'x.log', 'hello\n');
    expect((await collect(r, 1, 30_000)).map(body)).toEqual(['hello']);
  });
});

// The hdfs sink on the local backend (real files): naming, in-use files and renames, rolling by
// count, size, interval and idle time (fake clock), maxOpenFiles, escapes, formats, failures.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { readAvroWithFastavro } from '../helpers/python.js';
import { ev, filesUnder, hdfsSink, type SinkHarness } from './hdfs-sink-harness.js';
import { removeDir, tempDir } from './helpers.js';

const T0 = 1_700_000_000_000; // the fake clock's start: file counters start here
let harness: SinkHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await stopSink();
  for (const d of dirs.splice(0)) removeDir(d);
});

/** Stops the sink under test now: its open files are closed and renamed. */
async function stopSink(): Promise<void> {
  await harness?.sink.stop();
  harness = undefined;
}

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const base = 'hdfs.fileType = "DataStream", hdfs.rollInterval = 0, hdfs.rollSize = 0, hdfs.rollCount = 0';
/** `base` with some of its roll settings replaced. */
const roll = (over: Record<string, string>) =>
  base
    .split(', ')
    .filter((kv) => !(kv.split(' = ')[0]! in over))
    .concat(Object.entries(over).map(([k, v]) => `${k} = ${v}`))
    .join(', ');
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

/** The writer's schema and the Flume events of an Avro container file, read by avsc. */
function readAvro(file: string): Promise<{ schema: unknown; records: { headers: Record<string, string>; body: Buffer }[] }> {
  const records: { headers: Record<string, string>; body: Buffer }[] = [];
  let schema: unknown;
  return new Promise((resolve, reject) => {
    avro
      .createFileDecoder(file)
      .on('metadata', (type: avro.Type) => (schema = type.schema()))
      .on('data', (r: { headers: Record<string, string>; body: Buffer }) => records.push(r))
      .on('end', () => resolve({ schema, records }))
      .on('error', reject);
  });
}

describe('hdfs sink: files and rolling (local backend)', () => {
  it('writes under the in-use name, renames on stop, and names files <prefix>.<counter> from the clock', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}`);
    await harness.write([ev('one'), ev('two')]);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}.tmp`]);
    expect(lines(join(d, `FlumeData.${T0 + 1}.tmp`))).toEqual(['one', 'two']);
    await stopSink();
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`]);
  });

  it('rolls by hdfs.rollCount before the event that would exceed it, counting on from the same counter', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "file://${d}", ${roll({ 'hdfs.rollCount': '10' })}, hdfs.batchSize = 100`);
    await harness.write(Array.from({ length: 25 }, (_, i) => ev(`e${i}`)));
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`, `FlumeData.${T0 + 2}`, `FlumeData.${T0 + 3}.tmp`]);
    expect(lines(join(d, `FlumeData.${T0 + 1}`))).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    expect(lines(join(d, `FlumeData.${T0 + 3}.tmp`))).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
  });

  it('rolls by hdfs.rollSize on body bytes (not the newlines the serializer adds)', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${roll({ 'hdfs.rollSize': '10' })}`);
    await harness.write(['abcd', 'efgh', 'ijkl', 'mn', 'op'].map((s) => ev(s)));
    // 4+4+4 = 12 >= 10 after the third event; the next ones start a new file.
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`, `FlumeData.${T0 + 2}.tmp`]);
    expect(lines(join(d, `FlumeData.${T0 + 1}`))).toEqual(['abcd', 'efgh', 'ijkl']);
    expect(lines(join(d, `FlumeData.${T0 + 2}.tmp`))).toEqual(['mn', 'op']);
  });

  it('rolls by hdfs.rollInterval on the clock; the next event starts a new writer whose counter is the time then', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${roll({ 'hdfs.rollInterval': '30s' })}`);
    await harness.write([ev('a')]);
    await harness.pass(29_999);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}.tmp`]);
    await harness.pass(1);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`]);
    harness.clock.advance(5_000);
    await harness.write([ev('b')]);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`, `FlumeData.${T0 + 35_001}.tmp`]);
  });

  it('closes a file after hdfs.idleTimeout without writes, and each write pushes that back', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, hdfs.idleTimeout = 10s`);
    await harness.write([ev('a')]);
    harness.clock.advance(9_000);
    await harness.write([ev('b')]);
    await harness.pass(9_000);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}.tmp`]);
    await harness.pass(1_000);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`]);
    expect(lines(join(d, `FlumeData.${T0 + 1}`))).toEqual(['a', 'b']);
    expect(harness.clock.scheduled).toBe(0);
  });

  it('keeps at most hdfs.maxOpenFiles open, closing the least recently used bucket', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}/%{k}", ${base}, hdfs.maxOpenFiles = 2`);
    await harness.write([ev('1', { k: 'a' }), ev('2', { k: 'b' })]);
    await harness.write([ev('3', { k: 'a' })]); // a is now the most recent
    await harness.write([ev('4', { k: 'c' })]); // evicts b
    expect(filesUnder(d)).toEqual([`a/FlumeData.${T0 + 1}.tmp`, `b/FlumeData.${T0 + 1}`, `c/FlumeData.${T0 + 1}.tmp`]);
    await harness.write([ev('5', { k: 'b' })]); // b again: a new writer and file; evicts a
    expect(filesUnder(d)).toEqual([`a/FlumeData.${T0 + 1}`, `b/FlumeData.${T0 + 1}`, `b/FlumeData.${T0 + 2}.tmp`, `c/FlumeData.${T0 + 1}.tmp`]);
    expect(lines(join(d, `a/FlumeData.${T0 + 1}`))).toEqual(['1', '3']);
  });

  it('names files with filePrefix (escaped), fileSuffix, inUsePrefix and inUseSuffix', async () => {
    const d = dir();
    harness = await hdfsSink(
      `hdfs.path = "${d}", ${base}, hdfs.filePrefix = "log-%{app}", hdfs.fileSuffix = ".txt", hdfs.inUsePrefix = "_", hdfs.inUseSuffix = ".writing"`,
    );
    await harness.write([ev('x', { app: 'web' })]);
    expect(filesUnder(d)).toEqual([`_log-web.${T0 + 1}.txt.writing`]);
    await stopSink();
    expect(filesUnder(d)).toEqual([`log-web.${T0 + 1}.txt`]);
  });

  it('hdfs.emptyInUseSuffix writes under the final name at once', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, hdfs.emptyInUseSuffix = true`);
    await harness.write([ev('x')]);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`]);
  });

  it('puts each event in the bucket its escapes name, with rounding and the time zone', async () => {
    const d = dir();
    harness = await hdfsSink(
      `hdfs.path = "${d}/%{host}/%Y-%m-%d/%H%M", ${base}, hdfs.round = true, hdfs.roundValue = 15, hdfs.roundUnit = "minute", hdfs.timeZone = "America/New_York", hdfs.filePrefix = "ev-%y%j"`,
    );
    const at = (iso: string) => String(Date.parse(iso));
    await harness.write([
      ev('a', { host: 'h1', timestamp: at('2024-03-10T06:59:59Z') }), // 01:59:59 EST → 01:45
      ev('b', { host: 'h1', timestamp: at('2024-03-10T07:00:00Z') }), // 03:00 EDT (the skipped hour)
      ev('c', { host: 'h2', timestamp: at('2024-12-31T23:14:00Z') }), // 18:14 EST → 18:00
      ev('d', { host: 'h1', timestamp: at('2024-03-10T06:50:00Z') }),
    ]);
    expect(filesUnder(d)).toEqual([
      `h1/2024-03-10/0145/ev-24070.${T0 + 1}.tmp`,
      `h1/2024-03-10/0300/ev-24070.${T0 + 1}.tmp`,
      `h2/2024-12-31/1800/ev-24366.${T0 + 1}.tmp`,
    ]);
    expect(lines(join(d, `h1/2024-03-10/0145/ev-24070.${T0 + 1}.tmp`))).toEqual(['a', 'd']);
  });

  it('useLocalTimeStamp takes the time from the clock, not the header', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}/%Y%m%d-%H%M%S", ${base}, hdfs.useLocalTimeStamp = true, hdfs.timeZone = "UTC"`);
    await harness.write([ev('x', { timestamp: '0' })]);
    const when = new Date(Date.now()).toISOString().slice(0, 10).replace(/-/g, '');
    expect(filesUnder(d)[0]).toMatch(new RegExp(`^${when}-\\d{6}/FlumeData\\.${T0 + 1}\\.tmp$`));
  });

  it('an event without the timestamp its path needs fails the batch, which stays in the channel', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}/%Y", ${base}`);
    await harness.put([ev('x')]);
    await expect(harness.sink.process()).rejects.toThrow(/no 'timestamp' header/);
    expect(harness.channel.size()).toBe(1);
  });
});

describe('hdfs sink: formats', () => {
  it('header_and_text writes the headers map, a space and the body', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, serializer = "header_and_text"`);
    await harness.write([ev('body', { a: '1', b: '2' }), ev('x')]);
    expect(lines(join(d, `FlumeData.${T0 + 1}.tmp`))).toEqual(['{a=1, b=2} body', '{} x']);
  });

  it('text without appendNewline writes the bodies back to back', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, serializer = "text", serializer.appendNewline = "false"`);
    await harness.write([ev('ab'), ev('cd')]);
    expect(readFileSync(join(d, `FlumeData.${T0 + 1}.tmp`), 'utf8')).toBe('abcd');
  });

  it('CompressedStream with gzip: one gzip member per batch, .gz by default, read by gzip -dc even while in use', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", hdfs.fileType = "CompressedStream", hdfs.codeC = "gzip", hdfs.rollInterval = 0, hdfs.rollSize = 0, hdfs.rollCount = 0, hdfs.batchSize = 10`);
    const events = Array.from({ length: 35 }, (_, i) => ev(`line ${i}`));
    await harness.write(events);
    const inUse = join(d, `FlumeData.${T0 + 1}.gz.tmp`);
    expect(execFileSync('gzip', ['-dc', inUse], { encoding: 'utf8' }).split('\n').slice(0, -1)).toEqual(events.map((e) => e.body.toString()));
    await stopSink();
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}.gz`]);
    execFileSync('gzip', ['-t', join(d, `FlumeData.${T0 + 1}.gz`)]);
  });

  it('CompressedStream with deflate (Hadoop DefaultCodec): a zlib stream per batch, .deflate, read back member by member by Python zlib', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", hdfs.fileType = "CompressedStream", hdfs.codeC = "default", hdfs.rollInterval = 0, hdfs.rollSize = 0, hdfs.rollCount = 0, hdfs.batchSize = 4`);
    const events = Array.from({ length: 10 }, (_, i) => ev(`row ${i}`));
    for (const part of [events.slice(0, 4), events.slice(4, 8), events.slice(8)]) {
      await harness.write(part);
    }
    const script = `
import sys, zlib
data = open(sys.argv[1], 'rb').read()
out, members = b'', 0
while data:
    d = zlib.decompressobj()
    out += d.decompress(data)
    data = d.unused_data
    members += 1
sys.stdout.write(str(members) + '\\n' + out.decode())
`;
    const [members, ...text] = execFileSync('python3', ['-c', script, join(d, `FlumeData.${T0 + 1}.deflate.tmp`)], { encoding: 'utf8' }).split('\n');
    expect(members).toBe('3');
    expect(text.slice(0, -1)).toEqual(events.map((e) => e.body.toString()));
  });

  it('avro_event writes an Avro container of Flume events that avsc reads, block by block', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, hdfs.fileSuffix = ".avro", serializer = "avro_event", hdfs.batchSize = 7`);
    const events = Array.from({ length: 20 }, (_, i) => ev(`body ${i}`, { n: String(i), 'k.x': 'v' }));
    await harness.write(events);
    await stopSink();
    const file = join(d, `FlumeData.${T0 + 1}.avro`);
    const { schema, records: got } = await readAvro(file);
    expect(schema).toMatchObject({ type: 'record', name: 'Event' });
    expect(got.map((r) => [r.headers, r.body.toString()])).toEqual(events.map((e) => [{ ...e.headers }, e.body.toString()]));
  });

  it('avro_event files are read by Python fastavro, in use (after a crash) and closed, null and deflate', async () => {
    for (const codec of ['null', 'deflate']) {
      const d = dir();
      harness = await hdfsSink(`hdfs.path = "${d}", ${base}, serializer = "avro_event", serializer.compressionCodec = "${codec}", serializer.syncIntervalBytes = 100, hdfs.batchSize = 5`);
      const events = Array.from({ length: 12 }, (_, i) => ev(`body ${i} ${'x'.repeat(i * 10)}`, { n: String(i) }));
      await harness.write(events);
      const inUse = readAvroWithFastavro(join(d, `FlumeData.${T0 + 1}.tmp`));
      expect(inUse.codec).toBe(codec);
      expect(inUse.schema).toMatchObject({ type: 'record', name: 'Event' });
      expect(inUse.records).toEqual(events.map((e) => ({ headers: { ...e.headers }, body: e.body.toString('latin1') })));
      await stopSink();
      expect(readAvroWithFastavro(join(d, `FlumeData.${T0 + 1}`)).records).toHaveLength(12);
    }
  });

  it('avro_event with the deflate codec', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, serializer = "avro_event", serializer.compressionCodec = "deflate"`);
    await harness.write([ev('a'), ev('b')]);
    const { records } = await readAvro(join(d, `FlumeData.${T0 + 1}.tmp`));
    expect(records.map((r) => r.body.toString())).toEqual(['a', 'b']);
  });
});

describe('hdfs sink: SequenceFile (local)', () => {
  it("writes Flume's SequenceFile by default: header, then (timestamp, body) records and a sync marker per batch", async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", hdfs.rollInterval = 0, hdfs.rollSize = 0, hdfs.rollCount = 0`);
    await harness.write([ev('abc', { timestamp: '5' })]);
    const bytes = readFileSync(join(d, `FlumeData.${T0 + 1}.tmp`));
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from('SEQ\x06', 'latin1'));
    expect(bytes.includes(Buffer.from('org.apache.hadoop.io.BytesWritable'))).toBe(true);
    // the record: length 8 + 4 + 3, key length 8, key 5, BytesWritable 3 "abc"; then -1 and the marker
    const record = Buffer.concat([Buffer.from([0, 0, 0, 15, 0, 0, 0, 8]), Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]), Buffer.from([0, 0, 0, 3]), Buffer.from('abc')]);
    const at = bytes.indexOf(record);
    expect(at).toBeGreaterThan(0);
    expect(bytes.readInt32BE(at + record.length)).toBe(-1);
    expect(bytes.length).toBe(at + record.length + 4 + 16);
  });
});

describe('hdfs sink: transactions', () => {
  it('with a backlog, writes several full transactions with one append and commits them all; a short take ends the group', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${base}, hdfs.batchSize = 10, serializer = "avro_event"`);
    await harness.put(Array.from({ length: 35 }, (_, i) => ev(`e${i}`)));
    expect(await harness.sink.process()).toBe('READY');
    expect(harness.channel.size()).toBe(0);
    const sink = harness.metrics.json()['SINK.k']!;
    expect([sink.BatchCompleteCount, sink.BatchUnderflowCount, sink.BatchEmptyCount, sink.EventDrainSuccessCount]).toEqual(['3', '1', '0', '35']);
    // one append: the container header, then one block of 35 records
    expect((await readAvro(join(d, `FlumeData.${T0 + 1}.tmp`))).records).toHaveLength(35);
    expect(await harness.sink.process()).toBe('BACKOFF');
  });

  it('a failed write rolls every transaction of the group back, in order; the next group is one transaction, then two', async () => {
    const d = dir();
    writeFileSync(join(d, 'blocked'), '');
    harness = await hdfsSink(`hdfs.path = "${d}/blocked", ${base}, hdfs.batchSize = 10`);
    const events = Array.from({ length: 25 }, (_, i) => ev(`e${i}`));
    await harness.put(events);
    await expect(harness.sink.process()).rejects.toThrow(/could not deliver 25 event/);
    expect(harness.channel.size()).toBe(25);
    rmSync(join(d, 'blocked'));
    // After a failure the sink writes one transaction, then groups of two, four…, so that a group
    // too large for the link cannot keep failing whole.
    expect(await harness.sink.process()).toBe('READY');
    expect(harness.channel.size()).toBe(15);
    expect(await harness.sink.process()).toBe('READY');
    expect(harness.channel.size()).toBe(0);
    expect(await harness.sink.process()).toBe('BACKOFF');
    expect(lines(join(d, 'blocked', `FlumeData.${T0 + 2}.tmp`))).toEqual(events.map((e) => e.body.toString()));
  });
});

describe('hdfs sink: failures', () => {
  it('a file that cannot be created rolls the batch back; it is written once the cause is gone', async () => {
    const d = dir();
    writeFileSync(join(d, 'blocked'), 'a file where a directory should be');
    harness = await hdfsSink(`hdfs.path = "${d}/blocked/sub", ${base}`);
    await harness.put([ev('a'), ev('b')]);
    await expect(harness.sink.process()).rejects.toThrow(/blocked/);
    expect(harness.channel.size()).toBe(2);
    expect(harness.metrics.json()['SINK.k']!.ConnectionFailedCount).toBe('1');
    rmSync(join(d, 'blocked'));
    await harness.drain();
    expect(filesUnder(d)).toEqual([`blocked/sub/FlumeData.${T0 + 2}.tmp`]);
    expect(lines(join(d, `blocked/sub/FlumeData.${T0 + 2}.tmp`))).toEqual(['a', 'b']);
  });

  it('a rename that fails is retried every retryInterval, up to closeTries', async () => {
    const d = dir();
    harness = await hdfsSink(`hdfs.path = "${d}", ${roll({ 'hdfs.rollCount': '1' })}, hdfs.closeTries = 3, hdfs.retryInterval = 60s`);
    await harness.write([ev('a')]);
    // The final name gets taken by a directory while the file is open: renaming onto it fails.
    mkdirSync(join(d, `FlumeData.${T0 + 1}`));
    writeFileSync(join(d, `FlumeData.${T0 + 1}`, 'x'), '');
    await harness.write([ev('b')]);
    expect(filesUnder(d)).toContain(`FlumeData.${T0 + 1}.tmp`);
    await harness.pass(60_000);
    expect(filesUnder(d)).toContain(`FlumeData.${T0 + 1}.tmp`);
    rmSync(join(d, `FlumeData.${T0 + 1}`), { recursive: true });
    await harness.pass(60_000);
    expect(filesUnder(d)).toEqual([`FlumeData.${T0 + 1}`, `FlumeData.${T0 + 2}.tmp`]);
    expect(lines(join(d, `FlumeData.${T0 + 1}`))).toEqual(['a']);
  });
});

describe('hdfs sink: what the runtime refuses, with the reason', () => {
  const refused = async (props: string) => {
    const d = dir();
    const path = props.includes('hdfs.path') ? '' : `hdfs.path = "${d}", `;
    return hdfsSink(`${path}${props}`).then(
      async (h) => {
        await h.sink.stop();
        return '';
      },
      (e: Error) => e.message,
    );
  };
  it('compressed SequenceFiles, DataStream with a codec, CompressedStream without one, bzip2, Kerberos, other schemes', async () => {
    expect(await refused('')).toBe(''); // SequenceFile, Flume's default
    expect(await refused('hdfs.codeC = "snappy"')).toMatch(/does not write the `snappy` codec; use gzip, deflate or default/);
    expect(await refused('hdfs.fileType = "DataStream", hdfs.path = "s3a://bucket/x"')).toMatch(/cannot write to `s3a:\/\/` paths/);
    expect(await refused('hdfs.fileType = "DataStream", hdfs.path = "hdfs:///x"')).toMatch(/has no namenode.*hdfs.webhdfsUrl/);
    expect(await refused('hdfs.fileType = "DataStream", hdfs.codeC = "gzip"')).toMatch(/DataStream writes uncompressed/);
    expect(await refused('hdfs.fileType = "CompressedStream"')).toMatch(/CompressedStream needs hdfs.codeC/);
    expect(await refused('hdfs.fileType = "CompressedStream", hdfs.codeC = "bzip2"')).toMatch(/bzip2.*no well-kept JavaScript library.*use gzip, deflate or default/);
    expect(await refused('hdfs.fileType = "DataStream", hdfs.kerberosPrincipal = "flume/_HOST@EX"')).toMatch(/Kerberos/);
    expect(await refused('hdfs.fileType = "DataStream", serializer = "com.example.MySerializer$Builder"')).toMatch(/no event serializer/);
    expect(await refused('hdfs.fileType = "DataStream", hdfs.timeZone = "Mars/Olympus"')).toMatch(/unknown time zone/);
  });
});

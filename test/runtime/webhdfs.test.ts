// runtime/lib/webhdfs.ts against a real HDFS (Hadoop 3.4 MiniDFSCluster on loopback).
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { useMiniDfs } from '../helpers/hdfs.js';
import { WebHdfsClient, WebHdfsError, webHdfsTarget } from '../../runtime/lib/webhdfs.js';

describe('WebHDFS client on a real HDFS', () => {
  const cluster = useMiniDfs();

  it('creates, appends many batches, renames, lists and reads back', async () => {
    expect(await cluster.client.mkdirs('/flume/a/b')).toBe(true);
    expect((await cluster.client.getFileStatus('/flume/a/b')).type).toBe('DIRECTORY');
    await cluster.client.create('/flume/a/b/FlumeData.1.tmp');
    const lines: string[] = [];
    for (let batch = 0; batch < 50; batch++) {
      const chunk = Array.from({ length: 20 }, (_, i) => `event ${batch * 20 + i}\n`);
      lines.push(...chunk);
      await cluster.client.append('/flume/a/b/FlumeData.1.tmp', chunk.map((l) => Buffer.from(l)));
      // The durability point: what append() acknowledged is what a reader sees.
      expect((await cluster.client.getFileStatus('/flume/a/b/FlumeData.1.tmp')).length).toBe(Buffer.byteLength(lines.join('')));
    }
    expect(await cluster.client.rename('/flume/a/b/FlumeData.1.tmp', '/flume/a/b/FlumeData.1')).toBe(true);
    expect(await cluster.client.exists('/flume/a/b/FlumeData.1.tmp')).toBe(false);
    const listed = await cluster.client.listStatus('/flume/a/b');
    expect(listed.map((s) => [s.pathSuffix, s.type, s.length])).toEqual([['FlumeData.1', 'FILE', Buffer.byteLength(lines.join(''))]]);
    expect((await cluster.client.open('/flume/a/b/FlumeData.1')).toString()).toBe(lines.join(''));
    expect((await cluster.client.open('/flume/a/b/FlumeData.1', { offset: 6, length: 3 })).toString()).toBe('0\ne');
  }, 120_000);

  it('creates parents, refuses an existing file, and names the operation, path and HDFS reason', async () => {
    await cluster.client.create('/new/parent/dirs/x', Buffer.from('first'));
    expect((await cluster.client.open('/new/parent/dirs/x')).toString()).toBe('first');
    const exists = await cluster.client.create('/new/parent/dirs/x', Buffer.from('second')).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(WebHdfsError);
    expect((exists as WebHdfsError).alreadyExists).toBe(true);
    expect((exists as Error).message).toMatch(/^WebHDFS CREATE \/new\/parent\/dirs\/x failed: FileAlreadyExistsException: .*\/new\/parent\/dirs\/x/);
    expect((await cluster.client.open('/new/parent/dirs/x')).toString()).toBe('first');

    const missing = await cluster.client.append('/no/such/file', Buffer.from('x')).catch((e: unknown) => e);
    expect((missing as WebHdfsError).notFound).toBe(true);
    expect((missing as Error).message).toMatch(/^WebHDFS APPEND \/no\/such\/file failed: FileNotFoundException: /);
    await expect(cluster.client.getFileStatus('/nope')).rejects.toThrow(/^WebHDFS GETFILESTATUS \/nope failed: FileNotFoundException: File does not exist: \/nope/);
    await expect(cluster.client.open('/nope')).rejects.toThrow(/WebHDFS OPEN \/nope failed: FileNotFoundException/);
    // A file in place of a parent directory.
    await expect(cluster.client.create('/new/parent/dirs/x/child', Buffer.from('y'))).rejects.toThrow(/WebHDFS CREATE \/new\/parent\/dirs\/x\/child failed: \w+Exception: /);
    expect(await cluster.client.rename('/nope', '/nope2')).toBe(false);
    expect(await cluster.client.delete('/new', { recursive: true })).toBe(true);
    expect(await cluster.client.exists('/new')).toBe(false);
  }, 60_000);

  it('writes large bodies (64 MiB in one create, 16 MiB appends) byte for byte', async () => {
    const big = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i >>> 2, i);
    await cluster.client.create('/large/one', [big.subarray(0, 1000), big.subarray(1000)]);
    const part = Buffer.alloc(16 * 1024 * 1024, 0x61);
    await cluster.client.append('/large/one', part);
    await cluster.client.append('/large/one', part);
    const status = await cluster.client.getFileStatus('/large/one');
    expect(status.length).toBe(big.length + 2 * part.length);
    const head = await cluster.client.open('/large/one', { length: big.length });
    expect(head.equals(big)).toBe(true);
    const tail = await cluster.client.open('/large/one', { offset: big.length });
    expect(tail.length).toBe(2 * part.length);
    expect(tail.every((b) => b === 0x61)).toBe(true);
    await cluster.client.delete('/large', { recursive: true });
  }, 180_000);

  it('appends a body made while it is sent (chunks from a generator) byte for byte; a body that fails midway fails the append and keeps what was appended before', async () => {
    await cluster.client.create('/streamed/one');
    const piece = (i: number) => Buffer.alloc(300_000 + i, 0x30 + (i % 10));
    const pieces = Array.from({ length: 20 }, (_, i) => piece(i));
    const length = pieces.reduce((n, p) => n + p.length, 0);
    await cluster.client.append('/streamed/one', { length, *chunks() { for (let i = 0; i < 20; i++) yield piece(i); } });
    expect((await cluster.client.open('/streamed/one')).equals(Buffer.concat(pieces))).toBe(true);
    const broken = {
      length: 10_000_000,
      *chunks(): Generator<Buffer> {
        yield Buffer.alloc(1000, 0x61);
        throw new Error('the encoder broke');
      },
    };
    await expect(cluster.client.append('/streamed/one', broken)).rejects.toThrow(/WebHDFS APPEND \/streamed\/one failed/);
    // What the datanode kept of the broken upload (if anything) follows the acknowledged bytes.
    expect((await cluster.client.open('/streamed/one', { length })).equals(Buffer.concat(pieces))).toBe(true);
    await cluster.client.delete('/streamed', { recursive: true });
  }, 120_000);

  it('appends concurrently to different files, and queues appends to one file', async () => {
    const files = Array.from({ length: 8 }, (_, i) => `/concurrent/f${i}`);
    await Promise.all(files.map((f) => cluster.client.create(f)));
    const rounds = 15;
    const writers = files.map(async (f, fi) => {
      for (let r = 0; r < rounds; r++) await cluster.client.append(f, Buffer.from(`${fi}:${r}\n`));
    });
    // Appends to one file issued all at once still land in order, one after the other.
    await cluster.client.create('/concurrent/burst');
    const burst = Array.from({ length: 20 }, (_, r) => cluster.client.append('/concurrent/burst', Buffer.from(`${r}\n`)));
    await Promise.all([...writers, ...burst]);
    for (const [fi, f] of files.entries()) {
      expect((await cluster.client.open(f)).toString()).toBe(Array.from({ length: rounds }, (_, r) => `${fi}:${r}\n`).join(''));
    }
    expect((await cluster.client.open('/concurrent/burst')).toString()).toBe(Array.from({ length: 20 }, (_, r) => `${r}\n`).join(''));
  }, 120_000);

  it('names odd file names correctly (spaces, %, #, ?, non-ASCII)', async () => {
    const name = '/odd/a b%20c#d?e=ü.tmp';
    await cluster.client.create(name, Buffer.from('odd'));
    expect((await cluster.client.listStatus('/odd')).map((s) => s.pathSuffix)).toEqual(['a b%20c#d?e=ü.tmp']);
    expect(await cluster.client.rename(name, '/odd/done ü')).toBe(true);
    expect((await cluster.client.open('/odd/done ü')).toString()).toBe('odd');
  });

  it('fails over to the next namenode address when the first refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const ha = new WebHdfsClient({ namenodes: [`http://127.0.0.1:${deadPort}`, `http://127.0.0.1:${cluster.dfs.httpPort}`], user: 'flowc' });
    try {
      expect(await ha.mkdirs('/ha')).toBe(true);
      expect(ha.namenode).toBe(`http://127.0.0.1:${cluster.dfs.httpPort}`);
    } finally {
      ha.close();
    }
    const dead = new WebHdfsClient({ namenodes: `http://127.0.0.1:${deadPort}`, timeoutMs: 5000 });
    await expect(dead.mkdirs('/x')).rejects.toThrow(`WebHDFS MKDIRS /x failed: nothing answers at 127.0.0.1:${deadPort}`);
    dead.close();
  });

  it('times out a namenode that accepts but never answers', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const c = new WebHdfsClient({ namenodes: `127.0.0.1:${port}`, timeoutMs: 500 });
    try {
      await expect(c.getFileStatus('/x')).rejects.toThrow(`WebHDFS GETFILESTATUS /x failed: no answer from 127.0.0.1:${port} within 500 ms`);
    } finally {
      c.close();
      silent.close();
    }
  });
});

describe('webHdfsTarget', () => {
  it("maps hdfs:// paths to the namenode's default WebHDFS port, or to the address given", () => {
    expect(webHdfsTarget('hdfs://nn1:8020/flume/%Y')).toEqual({ namenodes: ['http://nn1:9870'], path: '/flume/%Y' });
    expect(webHdfsTarget('hdfs://nn1/flume', 'http://nn1:50070')).toEqual({ namenodes: ['http://nn1:50070'], path: '/flume' });
    expect(webHdfsTarget('hdfs://cluster/flume', 'https://nn1:9871, https://nn2:9871')).toEqual({
      namenodes: ['https://nn1:9871', 'https://nn2:9871'],
      path: '/flume',
    });
    expect(webHdfsTarget('webhdfs://nn1:50070/x')).toEqual({ namenodes: ['http://nn1:50070'], path: '/x' });
    expect(webHdfsTarget('hdfs://[::1]:8020/a b/%{host}')).toEqual({ namenodes: ['http://[::1]:9870'], path: '/a b/%{host}' });
    expect(webHdfsTarget('hdfs:///flume', '127.0.0.1:9870')).toEqual({ namenodes: ['http://127.0.0.1:9870'], path: '/flume' });
    expect(() => webHdfsTarget('hdfs:///flume')).toThrow(/names no namenode host/);
    expect(() => webHdfsTarget('hdfs://nn/x', 'ftp://nn')).toThrow(/must start with http:\/\/ or https:\/\//);
  });
});

// The hdfs sink's native backend (runtime/sinks/hdfs/native-fs.ts: Hadoop RPC to the namenode,
// DataTransferProtocol to the datanode) against a real HDFS (Hadoop 3.4 MiniDFSCluster): files
// across several blocks read back whole by Hadoop's FileSystem API, bytes readable after each
// hflush while the file is open, and clear errors (file exists, namenode down).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hdfsListTree, hdfsReadFile, startMiniDfs, type MiniDfs } from './helpers/hdfs.js';
import { WebHdfsClient } from '../runtime/lib/webhdfs.js';
import { addressOf, type SinkFileSystem } from '../runtime/sinks/hdfs/fs.js';
import { nativeHdfsFileSystem } from '../runtime/sinks/hdfs/native-fs.js';
import { freePort } from './runtime/helpers.js';
import { ev, hdfsSink } from './runtime/hdfs-sink-harness.js';

let dfs: MiniDfs;
let web: WebHdfsClient;
const opened: SinkFileSystem[] = [];

beforeAll(async () => {
  dfs = await startMiniDfs();
  web = new WebHdfsClient({
    namenodes: `http://127.0.0.1:${dfs.httpPort}`,
    user: 'flowc',
  });
}, 180_000);

afterAll(async () => {
  for (const fs of opened) await fs.close?.();
  web?.close();
  await dfs?.stop();
}, 60_000);

function nativeFs(port: number, blockSize?: number): SinkFileSystem {
  const path = `hdfs://127.0.0.1:${port}/x`;
  const fs = nativeHdfsFileSystem(addressOf(path, 'k'), { 'hdfs.path': path, 'hdfs.callTimeout': 20_000 }, 'k', { blockSize });
  opened.push(fs);
  return fs;
}

/** `n` lines of text, `from` on: distinct bytes, so a misplaced or repeated packet shows. */
function lines(from: number, n: number): Buffer {
  let s = '';
  for (let i = from; i < from + n; i++) s += `line ${i} ${'z'.repeat(i % 97)}\n`;
  return Buffer.from(s);
}

describe('native HDFS backend on a real HDFS', () => {
  it('writes a file over several blocks (1 MiB blocks), flushing between writes; Hadoop reads it back whole', async () => {
    const fs = nativeFs(dfs.rpcPort, 1024 * 1024);
    const file = await fs.create('/native/blocks/big.tmp');
    const parts: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const b = lines(i * 1000, 1000); // ~60 KB each: blocks end inside writes, and between packets
      parts.push(b);
      await file.append(b);
      if (i % 3 === 0) await file.sync();
    }
    await file.sync();
    await file.close();
    await fs.rename('/native/blocks/big.tmp', '/native/blocks/big');
    const expected = Buffer.concat(parts);
    expect(expected.length).toBeGreaterThan(3 * 1024 * 1024);
    const [entry] = (await hdfsListTree(dfs, '/native/blocks')).filter((e) => e.type === 'FILE');
    expect(entry).toMatchObject({
      path: '/native/blocks/big',
      length: expected.length,
    });
    expect((await hdfsReadFile(dfs, '/native/blocks/big')).equals(expected)).toBe(true);
  }, 120_000);

  it('makes every synced byte readable while the file is open (hflush), partial chunks included', async () => {
    const fs = nativeFs(dfs.rpcPort);
    const file = await fs.create('/native/flush/open.tmp');
    const written: Buffer[] = [];
    for (const n of [1, 7, 300, 2, 5000]) {
      const b = lines(written.length * 10_000, n);
      written.push(b);
      await file.append(b);
      await file.sync();
      // A reader that is not us (WebHDFS, through the datanode) sees every byte so far.
      expect((await web.open('/native/flush/open.tmp')).equals(Buffer.concat(written))).toBe(true);
    }
    await file.close();
    expect((await hdfsReadFile(dfs, '/native/flush/open.tmp')).equals(Buffer.concat(written))).toBe(true);
  }, 120_000);

  it('never overwrites: creating an existing file fails with the reason', async () => {
    const fs = nativeFs(dfs.rpcPort);
    const file = await fs.create('/native/exists/a');
    await file.close();
    expect(await fs.exists('/native/exists/a')).toBe(true);
    expect(await fs.exists('/native/exists/b')).toBe(false);
    await expect(fs.create('/native/exists/a')).rejects.toThrow('cannot create /native/exists/a in HDFS: the file exists (it is never overwritten)');
  }, 60_000);

  it('a namenode that is down fails the batch with its address; the events stay in the channel', async () => {
    const port = await freePort();
    const harness = await hdfsSink(`hdfs.path = "hdfs://127.0.0.1:${port}/down", hdfs.fileType = "DataStream"`);
    try {
      await harness.put([ev('a'), ev('b')]);
      await expect(harness.sink.process()).rejects.toThrow(`cannot reach the HDFS namenode at 127.0.0.1:${port}: connection refused`);
      expect(harness.channel.size()).toBe(2);
    } finally {
      await harness.sink.stop();
    }
  }, 60_000);

  // Last: it stops the cluster.
  it('HDFS going away mid-run fails the next batch, which stays in the channel; what committed before is in HDFS', async () => {
    const harness = await hdfsSink(
      `hdfs.path = "hdfs://127.0.0.1:${dfs.rpcPort}/native/gone", hdfs.fileType = "DataStream", hdfs.rollCount = 0, hdfs.rollSize = 0, hdfs.rollInterval = 0, hdfs.callTimeout = 10000`,
    );
    try {
      expect(await harness.write([ev('a'), ev('b')])).toEqual([]);
      expect((await web.open((await web.listStatus('/native/gone')).map((s) => `/native/gone/${s.pathSuffix}`)[0]!)).toString()).toBe('a\nb\n');
      await dfs.stop();
      await harness.put([ev('c'), ev('d')]);
      await expect(harness.sink.process()).rejects.toThrow(/could not deliver 2 event\(s\): .*(datanode|namenode)/);
      expect(harness.channel.size()).toBe(2);
    } finally {
      await harness.sink.stop();
    }
  }, 120_000);
});

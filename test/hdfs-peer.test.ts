// The HDFS test peer itself: a real MiniDFSCluster answers WebHDFS on loopback, writes go through
// the namenode's redirect to the datanode, and stop() ends the JVM by PID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { startMiniDfs, type MiniDfs } from './helpers/hdfs.js';

// The datanode answers a PUT with an unasked-for `100 Continue` before its `201`, which fetch
// (undici) rejects as a bad response; node:http skips informational responses.
function httpPut(url: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolvePut, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': body.length, 'content-type': 'application/octet-stream' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolvePut({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('HDFS peer (MiniDFSCluster)', () => {
  let dfs: MiniDfs;
  beforeAll(async () => {
    dfs = await startMiniDfs();
  }, 180_000);
  afterAll(async () => {
    await dfs?.stop();
  }, 60_000);

  it('writes a file through WebHDFS (namenode redirect to the datanode) and reads it back', async () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => `event ${i}\n`).join(''));
    const create = await fetch(dfs.webhdfsUrl('/flume/2023/11/14/FlumeData.1.tmp', 'CREATE', { overwrite: 'false' }), {
      method: 'PUT',
      redirect: 'manual',
    });
    expect(create.status).toBe(307);
    const location = new URL(create.headers.get('location')!);
    expect(location.hostname).toBe('127.0.0.1');
    expect(Number(location.port)).toBe(dfs.datanodeHttpPort);

    const put = await httpPut(location, body);
    expect(put.status).toBe(201);

    const status = (await (await fetch(dfs.webhdfsUrl('/flume/2023/11/14', 'LISTSTATUS'))).json()) as {
      FileStatuses: { FileStatus: { pathSuffix: string; length: number; type: string }[] };
    };
    expect(status.FileStatuses.FileStatus).toEqual([expect.objectContaining({ pathSuffix: 'FlumeData.1.tmp', length: body.length, type: 'FILE' })]);

    const open = await fetch(dfs.webhdfsUrl('/flume/2023/11/14/FlumeData.1.tmp', 'OPEN'));
    expect(open.status).toBe(200);
    expect(Buffer.from(await open.arrayBuffer()).equals(body)).toBe(true);

    const rename = await fetch(dfs.webhdfsUrl('/flume/2023/11/14/FlumeData.1.tmp', 'RENAME', { destination: '/flume/2023/11/14/FlumeData.1' }), { method: 'PUT' });
    expect(await rename.json()).toEqual({ boolean: true });
    const missing = await fetch(dfs.webhdfsUrl('/flume/2023/11/14/FlumeData.1.tmp', 'GETFILESTATUS'));
    expect(missing.status).toBe(404);
  });

  it('stops by PID and removes its storage', async () => {
    const { pid, baseDir } = dfs;
    await dfs.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(baseDir)).toBe(false);
  }, 60_000);
});

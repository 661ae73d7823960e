// The WebHDFS backend of the hdfs sink (`hdfs://`, `webhdfs://`, `swebhdfs://` paths), over
// runtime/lib/webhdfs.ts. Each batch (or group of batches, when the channel has a backlog) is
// one APPEND, which returns once the datanode has written the bytes and closed its stream: they
// are in HDFS and visible to readers before the takes commit, so `sync` and `close` have nothing left to do. The namenode's WebHDFS address is its
// default HTTP port (9870) on the host of an hdfs:// path, or `hdfs.webhdfsUrl`.
import { ConfigError, paramNumber, paramString, type Params } from '../../core/config.js';
import { WebHdfsClient, WebHdfsError, webHdfsTarget } from '../../lib/webhdfs.js';
import { hdfsUser, type ChunkedBytes, type FileSystemAddress, type SinkFile, type SinkFileSystem } from './fs.js';

/**
 * At most this many transactions, or body bytes, a busy sink sends with one APPEND (the
 * channel's backlog may hold fewer); a kill before their commits repeats them all.
 */
export const WEBHDFS_GROUP = { transactions: 1024, bytes: 64 * 1024 * 1024 };

class WebHdfsFile implements SinkFile {
  constructor(
    private readonly client: WebHdfsClient,
    private readonly path: string,
  ) {}

  append(bytes: Buffer): Promise<void> {
    return this.client.append(this.path, bytes);
  }

  appendChunks(bytes: ChunkedBytes): Promise<void> {
    return this.client.append(this.path, bytes);
  }

  async sync(): Promise<void> {
    // APPEND answered: the bytes are in the datanodes' pipeline and readable.
  }

  async close(): Promise<void> {
    // Every APPEND closes the HDFS stream it opened: the file holds no lease between batches.
  }
}

export function webHdfsFileSystem(address: FileSystemAddress, p: Params, sink: string): SinkFileSystem {
  const path = paramString(p, 'hdfs.path') ?? '';
  let namenodes: string[];
  try {
    namenodes = webHdfsTarget(path, paramString(p, 'hdfs.webhdfsUrl')).namenodes;
  } catch (e) {
    throw new ConfigError(`sink \`${sink}\`: ${(e as Error).message}`);
  }
  const client = new WebHdfsClient({
    namenodes,
    user: hdfsUser(p),
    timeoutMs: paramNumber(p, 'hdfs.callTimeout') ?? 30_000,
  });
  return {
    description: `${address.scheme}://${address.authority} (WebHDFS at ${namenodes.join(', ')})`,
    // An APPEND costs 50–500 ms whatever its size (the datanode's close waits for the namenode
    // to complete the block), then moves ~100 MB/s: tens of MB per APPEND are needed to reach that.
    group: WEBHDFS_GROUP,
    async create(file) {
      try {
        await client.create(file, [], { overwrite: false });
      } catch (e) {
        if (e instanceof WebHdfsError && e.alreadyExists) throw new Error(`cannot create ${file} in HDFS: the file exists (it is never overwritten)`);
        throw e;
      }
      return new WebHdfsFile(client, file);
    },
    async rename(from, to) {
      if (!(await client.rename(from, to))) {
        throw new Error(`HDFS refused to rename ${from} to ${to} (the destination exists, or the source is gone)`);
      }
    },
    exists: (file) => client.exists(file),
    async close() {
      client.close();
    },
  };
}

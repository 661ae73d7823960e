// The native HDFS backend of the hdfs sink (`hdfs://host[:port]/` paths without
// hdfs.webhdfsUrl): the namenode's ClientProtocol over Hadoop IPC (port 8020 by default, as in
// Hadoop) and the datanodes' DataTransferProtocol (runtime/lib/hdfs-*.ts), as Java Flume's sink
// writes through Hadoop's client. `sync` is hflush: every byte appended so far is acknowledged
// by the whole pipeline and readable, so a transaction commits after one flush (no request to
// close), and small groups suffice. No Kerberos, no pipeline recovery: a failed datanode fails
// the write, which rolls the take back; the file is closed by lease recovery and a new one opened.
import { randomBytes } from 'node:crypto';
import { ConfigError, paramNumber, paramString, type Params } from '../../core/config.js';
import { HadoopIpcClient, HadoopRemoteError } from '../../lib/hadoop-ipc.js';
import { CLIENT_PROTOCOL, NamenodeClient, type ServerDefaults } from '../../lib/hdfs-namenode.js';
import { HdfsOutputStream } from '../../lib/hdfs-output.js';
import { hdfsUser, type ChunkedBytes, type FileSystemAddress, type SinkFile, type SinkFileSystem } from './fs.js';

/** Hadoop's default namenode RPC port (fs.defaultFS without a port). */
export const DEFAULT_NAMENODE_PORT = 8020;

/**
 * At most this many transactions, or body bytes, a busy sink writes and hflushes at once: a
 * flush costs one round trip through the pipeline, so groups need not be large.
 */
export const NATIVE_GROUP = { transactions: 32, bytes: 32 * 1024 * 1024 };

/** Data bytes per packet: Hadoop's 64 KiB packets hold 126 chunks of 512 bytes. */
const PACKET_CHUNKS = 126;
/** The namenode forgets a writer's files after 60 s without a lease renewal (its soft limit). */
const LEASE_RENEWAL_MS = 20_000;

class NativeHdfsFile implements SinkFile {
  constructor(private readonly out: HdfsOutputStream) {}
  append(bytes: Buffer): Promise<void> {
    return this.out.write(bytes);
  }
  appendChunks(bytes: ChunkedBytes): Promise<void> {
    // Each chunk is a new buffer (formats.ts): packets send it without a copy.
    return this.out.write(bytes.chunks(), true);
  }
  sync(): Promise<void> {
    return this.out.hflush();
  }
  close(): Promise<void> {
    return this.out.close();
  }
}

/** `host[:port]` of an hdfs:// authority; the port defaults to 8020. */
export function namenodeAddress(authority: string): {
  host: string;
  port: number;
} {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) throw new Error(`\`${authority}\` is not a namenode address: write host[:port]`);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port: m[2] ? Number(m[2]) : DEFAULT_NAMENODE_PORT };
}

/** What an exception of the namenode means for a file the sink creates. */
function createError(path: string, e: unknown): Error {
  if (!(e instanceof HadoopRemoteError)) return e as Error;
  switch (e.simpleName) {
    case 'FileAlreadyExistsException':
      return new Error(`cannot create ${path} in HDFS: the file exists (it is never overwritten)`);
    case 'AlreadyBeingCreatedException':
      return new Error(`cannot create ${path} in HDFS: another writer has it open (${e.remoteMessage})`);
    case 'AccessControlException':
      return new Error(`cannot create ${path} in HDFS: permission denied (${e.remoteMessage}); set hdfs.proxyUser or HADOOP_USER_NAME to a user who may write there`);
    case 'SafeModeException':
      return new Error(`cannot create ${path} in HDFS: the namenode is in safe mode (${e.remoteMessage})`);
    case 'ParentNotDirectoryException':
      return new Error(`cannot create ${path} in HDFS: a file is in the way of its directory (${e.remoteMessage})`);
    default:
      return new Error(`cannot create ${path} in HDFS: ${e.simpleName}: ${e.remoteMessage}`);
  }
}

export interface NativeHdfsOptions {
  /** Block size of new files (default: the namenode's, dfs.blocksize); tests set it small. */
  blockSize?: number;
}

export function nativeHdfsFileSystem(address: FileSystemAddress, p: Params, sink: string, opts: NativeHdfsOptions = {}): SinkFileSystem {
  let nnAddr: { host: string; port: number };
  try {
    nnAddr = namenodeAddress(address.authority);
  } catch (e) {
    throw new ConfigError(`sink \`${sink}\`: hdfs.path: ${(e as Error).message}`);
  }
  const timeoutMs = paramNumber(p, 'hdfs.callTimeout') ?? 30_000;
  const user = hdfsUser(p);
  const clientName = `DFSClient_NONMAPREDUCE_flowc_${randomBytes(6).toString('hex')}`;
  const ipc = new HadoopIpcClient({
    ...nnAddr,
    protocol: CLIENT_PROTOCOL,
    protocolVersion: 1,
    user,
    timeoutMs,
  });
  const namenode = new NamenodeClient(ipc);
  let defaults: Promise<ServerDefaults> | undefined;
  let open = 0;
  let renewal: NodeJS.Timeout | undefined;

  const serverDefaults = () => {
    defaults ??= namenode.getServerDefaults().catch((e: unknown) => {
      defaults = undefined;
      throw e;
    });
    return defaults;
  };
  const opened = () => {
    if (open++ === 0) {
      renewal = setInterval(() => void namenode.renewLease(clientName).catch(() => undefined), LEASE_RENEWAL_MS);
      renewal.unref();
    }
  };
  const closed = () => {
    if (--open === 0) clearInterval(renewal);
  };

  return {
    description: `hdfs://${nnAddr.host}:${nnAddr.port} (native: Hadoop RPC and DataTransferProtocol)`,
    group: NATIVE_GROUP,
    async create(path) {
      const d = await serverDefaults();
      const blockSize = opts.blockSize ?? d.blockSize;
      let fileId: number;
      try {
        fileId = (
          await namenode.create(path, {
            clientName,
            permission: 0o644,
            replication: d.replication,
            blockSize,
            createParent: true,
          })
        ).fileId;
      } catch (e) {
        throw createError(path, e);
      }
      opened();
      const out = new HdfsOutputStream({
        namenode,
        src: path,
        fileId,
        clientName,
        blockSize,
        bytesPerChecksum: d.bytesPerChecksum,
        packetBytes: PACKET_CHUNKS * d.bytesPerChecksum,
        timeoutMs,
        onClosed: closed,
      });
      return new NativeHdfsFile(out);
    },
    async rename(from, to) {
      if (!(await namenode.rename(from, to))) {
        throw new Error(`HDFS refused to rename ${from} to ${to} (the destination exists, or the source is gone)`);
      }
    },
    async exists(path) {
      return (await namenode.getFileInfo(path)) !== undefined;
    },
    async close() {
      clearInterval(renewal);
      ipc.close();
    },
  };
}

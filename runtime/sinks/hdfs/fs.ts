// The file-system layer under the hdfs sink: what a bucket writer needs from a file system, and
// the choice of backend from hdfs.path. Three backends: local and mounted file systems
// (`file://` and plain paths: a local disk, NFS, HDFS-FUSE), HDFS natively (`hdfs://`) and HDFS
// through WebHDFS (`webhdfs://`, `swebhdfs://`, or `hdfs://` with hdfs.webhdfsUrl).
import { userInfo } from 'node:os';
import { ConfigError, paramString, type Params } from '../../core/config.js';

/**
 * Bytes made while they are written: `length` in all, yielded by `chunks()` a piece at a time;
 * `chunks()` may be called again (a resend) and yields the same bytes.
 */
export interface ChunkedBytes {
  length: number;
  chunks(): Iterable<Buffer>;
}

/** A file open for writing. `append` then `sync` make the bytes durable and visible to readers. */
export interface SinkFile {
  /** Adds bytes at the end of the file. */
  append(bytes: Buffer): Promise<void>;
  /**
   * The same, for bytes made while they are sent (a backend whose append is an upload: the
   * upload starts at once and no buffer of a whole group is needed).
   */
  appendChunks?(bytes: ChunkedBytes): Promise<void>;
  /** Returns once every appended byte is durable (local: fdatasync; native HDFS: hflush; WebHDFS: already, per APPEND). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkFileSystem {
  /** `file:///data/flume` or `hdfs://namenode:8020` (for messages). */
  readonly description: string;
  /**
   * How much a busy sink writes with one append (see processTransactions in sinks/hdfs.ts): at
   * most this many transactions and about this many body bytes. Large where an append has a
   * high fixed cost whatever its size.
   */
  readonly group: { transactions: number; bytes: number };
  /**
   * Creates a new, empty file and any missing parent directories, as Hadoop's create does;
   * fails when the name exists, so that nothing is ever overwritten.
   */
  create(path: string): Promise<SinkFile>;
  /** Renames a file (the in-use name to the final one). */
  rename(from: string, to: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Releases connections (agents keep nothing open after stop). */
  close?(): Promise<void>;
}

/** How a hdfs.path template names its file system: the scheme and authority before the path. */
export interface FileSystemAddress {
  scheme: 'file' | 'hdfs' | 'webhdfs' | 'swebhdfs';
  /** `host:port` for hdfs/webhdfs; '' for local paths. */
  authority: string;
  /** Length of the `scheme://authority` prefix in the template (the path follows it). */
  prefixLength: number;
}

/** Reads the scheme and authority of an hdfs.path; refuses schemes the runtime has no backend for. */
export function addressOf(template: string, sink: string, webhdfsUrl?: string): FileSystemAddress {
  const m = /^([A-Za-z][\w+.-]*):\/\/([^/]*)/.exec(template);
  if (!m) return { scheme: 'file', authority: '', prefixLength: 0 };
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  if (scheme === 'file') {
    if (authority !== '' && authority !== 'localhost') {
      throw new ConfigError(`sink \`${sink}\`: hdfs.path \`${template}\` names the host \`${authority}\`; a file:// path is local: write file:///path`);
    }
    return { scheme: 'file', authority: '', prefixLength: m[0].length };
  }
  if (scheme === 'hdfs' || scheme === 'webhdfs' || scheme === 'swebhdfs') {
    if (authority === '' && !webhdfsUrl) {
      throw new ConfigError(
        `sink \`${sink}\`: hdfs.path \`${template}\` has no namenode: write ${scheme}://<namenode host>[:port]/path (the runtime does not read Hadoop's fs.defaultFS), or set hdfs.webhdfsUrl`,
      );
    }
    if (authority.includes('%')) {
      throw new ConfigError(`sink \`${sink}\`: hdfs.path \`${template}\` has an escape in the namenode address; escapes may only be in the path after it`);
    }
    return { scheme, authority, prefixLength: m[0].length };
  }
  throw new ConfigError(
    `sink \`${sink}\`: the flowc runtime cannot write to \`${scheme}://\` paths (hdfs.path \`${template}\`); it writes to hdfs:// (natively), webhdfs:// and swebhdfs:// (through WebHDFS), file:// and plain local paths. Build this agent for Apache Flume to use other Hadoop file systems: flowc build --target properties`,
  );
}

/**
 * The user both HDFS backends write as (simple authentication), as Hadoop's client decides it:
 * hdfs.proxyUser, else HADOOP_USER_NAME, else the login user.
 */
export function hdfsUser(p: Params): string {
  return paramString(p, 'hdfs.proxyUser') ?? process.env['HADOOP_USER_NAME'] ?? process.env['USER'] ?? userInfo().username;
}

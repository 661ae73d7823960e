// The local backend of the hdfs sink: `file://` and plain paths (a local disk, NFS, HDFS-FUSE).
// A batch is durable once written and fdatasync'd; a new file's directory entry is fsync'd too,
// so a crash of the machine (not only of the agent) keeps the in-use file and its name.
import { constants } from 'node:fs';
import { access, mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SinkFile, SinkFileSystem } from './fs.js';

class LocalFile implements SinkFile {
  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  async append(bytes: Buffer): Promise<void> {
    let off = 0;
    try {
      while (off < bytes.length) off += (await this.handle.write(bytes, off, bytes.length - off)).bytesWritten;
    } catch (e) {
      throw new Error(`cannot write to ${this.path}: ${(e as Error).message}`);
    }
  }

  async sync(): Promise<void> {
    try {
      await this.handle.datasync();
    } catch (e) {
      throw new Error(`cannot sync ${this.path} to disk: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Some file systems (and Windows) cannot open or fsync a directory; the data itself is synced.
  } finally {
    await h?.close();
  }
}

/** At most this many transactions, or body bytes, a busy sink writes (and fdatasyncs) at once. */
export const LOCAL_GROUP = { transactions: 32, bytes: 32 * 1024 * 1024 };

export class LocalFileSystem implements SinkFileSystem {
  readonly description = 'the local file system';
  /** An fdatasync costs milliseconds: 8 MB or so per write already runs at the disk's pace. */
  readonly group = LOCAL_GROUP;

  private async mkdirs(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EEXIST' || code === 'ENOTDIR'
          ? `cannot create the directory ${dir}: a file of that name is in the way`
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `cannot create the directory ${dir}: permission denied`
            : `cannot create the directory ${dir}: ${(e as Error).message}`,
      );
    }
  }

  async create(path: string): Promise<SinkFile> {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND;
    let handle: FileHandle;
    try {
      try {
        handle = await open(path, flags, 0o644);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await this.mkdirs(dirname(path));
        handle = await open(path, flags, 0o644);
      }
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EEXIST'
          ? `cannot create ${path}: the file exists (it is never overwritten)`
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `cannot create ${path}: permission denied`
            : `cannot create ${path}: ${(e as Error).message}`,
      );
    }
    await syncDirectory(dirname(path));
    return new LocalFile(handle, path);
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await rename(from, to);
    } catch (e) {
      throw new Error(`cannot rename ${from} to ${to}: ${(e as Error).message}`);
    }
    await syncDirectory(dirname(to));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }
}

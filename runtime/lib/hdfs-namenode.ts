// The calls of HDFS's ClientProtocol (org.apache.hadoop.hdfs.protocol.ClientProtocol, version 1)
// that a writer needs, over Hadoop IPC: their requests and answers as protobuf messages with
// Hadoop's field numbers (ClientNamenodeProtocol.proto, hdfs.proto), written here by hand.
import { HadoopIpcClient, HadoopRemoteError } from './hadoop-ipc.js';
import { ProtoMessage, ProtoWriter } from './protobuf.js';

export const CLIENT_PROTOCOL = 'org.apache.hadoop.hdfs.protocol.ClientProtocol';

/** Hadoop's ChecksumTypeProto. */
export const CHECKSUM_NULL = 0;
export const CHECKSUM_CRC32 = 1;
export const CHECKSUM_CRC32C = 2;

export interface ServerDefaults {
  blockSize: number;
  bytesPerChecksum: number;
  writePacketSize: number;
  replication: number;
  checksumType: number;
}

/** A block of a file (ExtendedBlockProto): its pool, id, generation stamp and length. */
export interface ExtendedBlock {
  poolId: string;
  blockId: bigint;
  generationStamp: bigint;
  numBytes: number;
}

/** A datanode of a block's pipeline: its address, and its DatanodeInfoProto as the namenode sent it. */
export interface DatanodeTarget {
  ipAddr: string;
  hostName: string;
  xferPort: number;
  /** The encoded DatanodeInfoProto, passed on as is to the first datanode as a target. */
  info: Buffer;
}

/** A newly allocated block (LocatedBlockProto) and where to write it. */
export interface LocatedBlock {
  block: ExtendedBlock;
  offset: number;
  locations: DatanodeTarget[];
  /** The encoded block access token (TokenProto), passed on to the datanode. */
  token: Buffer;
  /** StorageTypeProto per location (DISK = 1…). */
  storageTypes: number[];
}

export interface FileStatus {
  type: 'dir' | 'file' | 'symlink';
  length: number;
  fileId: number;
  blockSize: number;
}

export function encodeExtendedBlock(b: ExtendedBlock): ProtoWriter {
  return new ProtoWriter().string(1, b.poolId).uint(2, b.blockId).uint(3, b.generationStamp).uint(4, b.numBytes);
}

function decodeExtendedBlock(m: ProtoMessage): ExtendedBlock {
  return {
    poolId: m.string(1),
    blockId: m.big(2),
    generationStamp: m.big(3),
    numBytes: m.uint(4),
  };
}

function decodeLocatedBlock(m: ProtoMessage): LocatedBlock {
  const b = m.message(1);
  if (!b) throw new Error('the namenode answered addBlock without a block');
  const locations = m.repeatedBytes(3).map((info): DatanodeTarget => {
    const id = new ProtoMessage(info).message(1);
    if (!id) throw new Error('the namenode sent a datanode without its address');
    return {
      ipAddr: id.string(1),
      hostName: id.string(2),
      xferPort: id.uint(4),
      info,
    };
  });
  return {
    block: decodeExtendedBlock(b),
    offset: m.uint(2),
    locations,
    token: m.bytes(5) ?? Buffer.alloc(0),
    storageTypes: m.repeatedUint(7),
  };
}

function decodeFileStatus(m: ProtoMessage): FileStatus {
  const t = m.uint(1);
  return {
    type: t === 1 ? 'dir' : t === 3 ? 'symlink' : 'file',
    length: m.uint(3),
    fileId: m.uint(13),
    blockSize: m.uint(11),
  };
}

export interface CreateOptions {
  clientName: string;
  /** Permission bits (FsPermissionProto), already masked: 0o644 as Hadoop's default with umask 022. */
  permission: number;
  replication: number;
  blockSize: number;
  createParent: boolean;
}

/** The namenode's ClientProtocol over one Hadoop IPC connection. */
export class NamenodeClient {
  constructor(readonly ipc: HadoopIpcClient) {}

  private async call(method: string, request: ProtoWriter): Promise<ProtoMessage> {
    return new ProtoMessage(await this.ipc.call(method, request.finish()));
  }

  async getServerDefaults(): Promise<ServerDefaults> {
    const d = (await this.call('getServerDefaults', new ProtoWriter())).message(1);
    if (!d) throw new Error('the namenode answered getServerDefaults without defaults');
    return {
      blockSize: d.uint(1),
      bytesPerChecksum: d.uint(2),
      writePacketSize: d.uint(3),
      replication: d.uint(4),
      checksumType: d.uint(8, CHECKSUM_CRC32),
    };
  }

  /** Creates a file (never overwriting one); returns its status (the file id). */
  async create(src: string, o: CreateOptions): Promise<FileStatus> {
    const req = new ProtoWriter()
      .string(1, src)
      .message(2, new ProtoWriter().uint(1, o.permission))
      .string(3, o.clientName)
      .uint(4, 0x01) // CreateFlag CREATE, without OVERWRITE
      .bool(5, o.createParent)
      .uint(6, o.replication)
      .uint(7, o.blockSize);
    const fs = (await this.call('create', req)).message(1);
    if (!fs) throw new Error(`the namenode answered create ${src} without the file's status`);
    return decodeFileStatus(fs);
  }

  async mkdirs(src: string, permission: number): Promise<boolean> {
    return (await this.call('mkdirs', new ProtoWriter().string(1, src).message(2, new ProtoWriter().uint(1, permission)).bool(3, true))).bool(1);
  }

  /** Allocates the next block of a file, after `previous` (with its final length). */
  async addBlock(src: string, clientName: string, fileId: number, previous: ExtendedBlock | undefined, exclude: Buffer[] = []): Promise<LocatedBlock> {
    const req = new ProtoWriter().string(1, src).string(2, clientName);
    if (previous) req.message(3, encodeExtendedBlock(previous));
    for (const info of exclude) req.bytes(4, info);
    req.uint(5, fileId);
    const b = (await this.call('addBlock', req)).message(1);
    if (!b) throw new Error(`the namenode answered addBlock ${src} without a block`);
    return decodeLocatedBlock(b);
  }

  async abandonBlock(src: string, clientName: string, fileId: number, block: ExtendedBlock): Promise<void> {
    await this.call('abandonBlock', new ProtoWriter().message(1, encodeExtendedBlock(block)).string(2, src).string(3, clientName).uint(4, fileId));
  }

  /** Closes a file; false while its last block is not yet reported by enough datanodes (call again). */
  async complete(src: string, clientName: string, fileId: number, last: ExtendedBlock | undefined): Promise<boolean> {
    const req = new ProtoWriter().string(1, src).string(2, clientName);
    if (last) req.message(3, encodeExtendedBlock(last));
    req.uint(4, fileId);
    return (await this.call('complete', req)).bool(1);
  }

  /** Records the blocks allocated so far in the namenode's journal (DFSOutputStream does this at a flush after a new block). */
  async fsync(src: string, clientName: string, fileId: number): Promise<void> {
    await this.call('fsync', new ProtoWriter().string(1, src).string(2, clientName).sint(3, -1).uint(4, fileId));
  }

  async rename(src: string, dst: string): Promise<boolean> {
    return (await this.call('rename', new ProtoWriter().string(1, src).string(2, dst))).bool(1);
  }

  /** The status of a path, or undefined when nothing is there. */
  async getFileInfo(src: string): Promise<FileStatus | undefined> {
    const fs = (await this.call('getFileInfo', new ProtoWriter().string(1, src))).message(1);
    return fs ? decodeFileStatus(fs) : undefined;
  }

  /** Starts lease recovery of a file whose writer failed: the namenode closes it with what the datanodes hold. */
  async recoverLease(src: string, clientName: string): Promise<boolean> {
    return (await this.call('recoverLease', new ProtoWriter().string(1, src).string(2, clientName))).bool(1);
  }

  async renewLease(clientName: string): Promise<void> {
    await this.call('renewLease', new ProtoWriter().string(1, clientName));
  }
}

/** Whether an error is HDFS's way of saying "not yet, try again" (NotReplicatedYet, Retriable, SafeMode while it ends). */
export function isRetriable(e: unknown): boolean {
  return e instanceof HadoopRemoteError && (e.simpleName === 'NotReplicatedYetException' || e.simpleName === 'RetriableException');
}

// Hadoop IPC: the RPC protocol a namenode serves on its RPC port (8020 by default), with
// protobuf calls and simple authentication (no SASL, no Kerberos).
//
// The call id of a request is zigzag-encoded (sint32: what Hadoop 3's client sends and its server
// reads; -3 for the connection context), while an answer carries it as a plain varint.
//
// A connection starts with the preamble `hrpc`, version 9, service class 0 and auth protocol
// NONE, then one frame holding the connection context (the effective user and the protocol).
// Each call is a frame: a 4-byte big-endian length, then, each prefixed by its varint length,
// RpcRequestHeaderProto (call id, client id), RequestHeaderProto (method, protocol, version)
// and the request. Each answer is a frame with RpcResponseHeaderProto and, on success, the
// response; on failure the header carries the Java exception's class name and message.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { ProtoMessage, ProtoWriter, delimited, readVarint } from './protobuf.js';

const RPC_KIND_PROTOBUF = 2;
const RPC_FINAL_PACKET = 0;
const CONNECTION_CONTEXT_CALL_ID = -3;
const MAX_RESPONSE = 128 * 1024 * 1024;

/** An exception the server threw (e.g. org.apache.hadoop.fs.FileAlreadyExistsException). */
export class HadoopRemoteError extends Error {
  override name = 'HadoopRemoteError';
  constructor(
    /** The Java class name of the exception. */
    readonly className: string,
    /** The server's message (its first line: the rest is often a stack trace). */
    readonly remoteMessage: string,
    readonly method: string,
  ) {
    super(`${method}: ${className.slice(className.lastIndexOf('.') + 1)}: ${remoteMessage}`);
  }
  /** The exception's simple name: FileAlreadyExistsException, SafeModeException… */
  get simpleName(): string {
    return this.className.slice(this.className.lastIndexOf('.') + 1);
  }
}

/** The connection failed or closed (refused, reset, timed out): the call's outcome is unknown. */
export class HadoopConnectionError extends Error {
  override name = 'HadoopConnectionError';
}

export interface HadoopIpcOptions {
  host: string;
  port: number;
  /** The protocol every call declares, e.g. org.apache.hadoop.hdfs.protocol.ClientProtocol. */
  protocol: string;
  protocolVersion: number;
  /** The user the server acts as (simple authentication). */
  user: string;
  /** Longest wait for a connection or an answer. */
  timeoutMs: number;
}

interface Pending {
  method: string;
  resolve(body: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One connection to a Hadoop RPC server; reconnects on the next call after it closed. */
export class HadoopIpcClient {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCallId = 0;
  private readonly clientId = randomBytes(16);
  private input: Buffer = Buffer.alloc(0);

  constructor(private readonly o: HadoopIpcOptions) {}

  get address(): string {
    return `${this.o.host}:${this.o.port}`;
  }

  /** Calls `method` with an encoded request; resolves with the encoded response. */
  async call(method: string, request: Buffer): Promise<Buffer> {
    const socket = await this.open();
    const callId = this.nextCallId;
    this.nextCallId = (this.nextCallId + 1) & 0x7fffffff;
    const rpcHeader = this.rpcHeader(callId);
    const header = new ProtoWriter().string(1, method).string(2, this.o.protocol).uint(3, this.o.protocolVersion).finish();
    const frame = framed([delimited(rpcHeader), delimited(header), delimited(request)]);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(callId)) reject(new HadoopConnectionError(`${method} to ${this.address}: no answer within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      this.pending.set(callId, { method, resolve, reject, timer });
      socket.write(frame);
    });
  }

  /** Closes the connection (a later call opens a new one). */
  close(): void {
    this.drop(new HadoopConnectionError(`the connection to ${this.address} was closed`));
  }

  private rpcHeader(callId: number): Buffer {
    return new ProtoWriter().uint(1, RPC_KIND_PROTOBUF).uint(2, RPC_FINAL_PACKET).sint(3, callId).bytes(4, this.clientId).sint(5, -1).finish();
  }

  private open(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.o.host, port: this.o.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        fail(new HadoopConnectionError(`cannot reach the HDFS namenode at ${this.address}: no connection within ${this.o.timeoutMs} ms`));
      }, this.o.timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.connecting = undefined;
        reject(e);
      };
      socket.once('error', (e: NodeJS.ErrnoException) => {
        fail(
          new HadoopConnectionError(
            e.code === 'ECONNREFUSED'
              ? `cannot reach the HDFS namenode at ${this.address}: connection refused (is the namenode running, and is this its RPC port?)`
              : `cannot reach the HDFS namenode at ${this.address}: ${e.message}`,
          ),
        );
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('error', (e) => this.drop(new HadoopConnectionError(`the connection to the namenode at ${this.address} failed: ${e.message}`)));
        socket.on('close', () => this.drop(new HadoopConnectionError(`the namenode at ${this.address} closed the connection`)));
        socket.on('data', (d: Buffer) => this.onData(d));
        socket.write(this.preamble());
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
    });
    return this.connecting;
  }

  /** `hrpc`, version 9, service class 0, auth NONE; then the connection context frame. */
  private preamble(): Buffer {
    const hello = Buffer.from([0x68, 0x72, 0x70, 0x63, 9, 0, 0]);
    const user = new ProtoWriter().string(1, this.o.user);
    const context = new ProtoWriter().message(2, user).string(3, this.o.protocol).finish();
    return Buffer.concat([hello, framed([delimited(this.rpcHeader(CONNECTION_CONTEXT_CALL_ID)), delimited(context)])]);
  }

  private drop(e: Error): void {
    const s = this.socket;
    this.socket = undefined;
    this.input = Buffer.alloc(0);
    s?.destroy();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new HadoopConnectionError(`${p.method}: ${e.message}`));
    }
  }

  private onData(d: Buffer): void {
    this.input = this.input.length === 0 ? d : Buffer.concat([this.input, d]);
    while (this.input.length >= 4) {
      const len = this.input.readUInt32BE(0);
      if (len > MAX_RESPONSE) {
        this.drop(new HadoopConnectionError(`the namenode at ${this.address} sent a frame of ${len} bytes: not a Hadoop RPC server?`));
        return;
      }
      if (this.input.length < 4 + len) return;
      const frame = this.input.subarray(4, 4 + len);
      this.input = this.input.subarray(4 + len);
      try {
        this.onFrame(frame);
      } catch (e) {
        this.drop(new HadoopConnectionError(`the namenode at ${this.address} sent a malformed answer: ${(e as Error).message}`));
        return;
      }
    }
  }

  private onFrame(frame: Buffer): void {
    const h = readDelimited(frame, 0);
    const header = new ProtoMessage(h.message);
    const callId = header.uint(1);
    const status = header.uint(2);
    if (status === 2 || callId >= 0x80000000) {
      // FATAL (or an answer to no call: the connection itself failed): every call fails.
      const cls = header.string(4, 'org.apache.hadoop.ipc.RpcException');
      this.drop(new HadoopRemoteError(cls, firstLine(header.string(5)), 'connection'));
      return;
    }
    const p = this.pending.get(callId);
    if (!p) return;
    this.pending.delete(callId);
    clearTimeout(p.timer);
    if (status !== 0) {
      p.reject(new HadoopRemoteError(header.string(4, 'org.apache.hadoop.ipc.RemoteException'), firstLine(header.string(5)), p.method));
      return;
    }
    p.resolve(h.next < frame.length ? readDelimited(frame, h.next).message : Buffer.alloc(0));
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).trim();
}

/** A 4-byte big-endian length, then the parts. */
function framed(parts: Buffer[]): Buffer {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(len);
  return Buffer.concat([head, ...parts]);
}

/** A varint-length-prefixed message at `offset`. */
export function readDelimited(buf: Buffer, offset: number): { message: Buffer; next: number } {
  const len = readVarint(buf, offset);
  if (!len || len.next + len.value > buf.length) throw new Error('truncated message');
  return {
    message: buf.subarray(len.next, len.next + len.value),
    next: len.next + len.value,
  };
}

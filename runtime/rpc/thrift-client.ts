// A Flume Thrift RPC client (what the thrift sink uses): one connection, framed transport,
// compact or binary protocol, optionally TLS; one call at a time, as Flume's ThriftRpcClient
// does on a connection. A timeout, a transport error or a reply that does not match fails the
// call and closes the connection; make a new client to go on.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Event } from '../core/event.js';
import { openTransport, watchTransport, type TransportOptions } from './connect.js';
import { decodeReply, encodeCall, ThriftFrameReader, type ThriftProtocol, type ThriftStatus } from './thrift-codec.js';
import { DEFAULT_MAX_FRAME_BYTES } from './thrift-server.js';

export interface ThriftClientOptions extends TransportOptions {
  protocol: ThriftProtocol;
  requestTimeoutMs?: number;
}

export class ThriftClient {
  private seqid = 0;
  private pending: { seqid: number; resolve: (s: ThriftStatus) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private failure: Error | undefined;
  private readonly address: string;

  private constructor(
    private readonly stream: Duplex,
    private readonly socket: Socket,
    private readonly o: ThriftClientOptions,
  ) {
    this.address = `${o.host}:${o.port}`;
    const reader = new ThriftFrameReader((payload) => this.onReply(payload), DEFAULT_MAX_FRAME_BYTES);
    watchTransport({ socket, stream }, this.address, (chunk) => reader.push(chunk), (e) => this.fail(e));
  }

  static async connect(o: ThriftClientOptions): Promise<ThriftClient> {
    const { socket, stream } = await openTransport(o);
    return new ThriftClient(stream, socket, o);
  }

  get usable(): boolean {
    return !this.failure;
  }

  append(event: Event): Promise<ThriftStatus> {
    return this.call([event], true);
  }

  appendBatch(events: readonly Event[]): Promise<ThriftStatus> {
    return this.call(events, false);
  }

  async close(): Promise<void> {
    this.fail(new Error('client closed'));
  }

  private call(events: readonly Event[], single: boolean): Promise<ThriftStatus> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('a call is already in progress on this connection'));
    const seqid = (this.seqid = (this.seqid + 1) | 0);
    return new Promise((resolve, reject) => {
      const ms = this.o.requestTimeoutMs ?? 20_000;
      const timer = setTimeout(() => this.fail(new Error(`no answer from ${this.address} within ${ms} ms`)), ms);
      this.pending = { seqid, resolve, reject, timer };
      this.stream.write(encodeCall(this.o.protocol, seqid, events, single));
    });
  }

  private onReply(payload: Buffer): void {
    const p = this.pending;
    if (!p) return this.fail(new Error(`${this.address} sent a reply to no call`));
    let reply;
    try {
      reply = decodeReply(payload, this.o.protocol);
    } catch (e) {
      return this.fail(new Error(`bad reply from ${this.address}: ${(e as Error).message}`));
    }
    if (reply.seqid !== p.seqid) return this.fail(new Error(`${this.address} answered call ${reply.seqid}, expected ${p.seqid}`));
    this.pending = undefined;
    clearTimeout(p.timer);
    if ('exception' in reply) p.reject(new Error(`${this.address} answered with an exception: ${reply.exception}`));
    else p.resolve(reply.status);
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.stream.destroy();
    this.socket.destroy();
  }
}

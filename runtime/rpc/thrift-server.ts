// A Flume Thrift RPC server (ThriftSourceProtocol over the framed transport, compact or binary
// protocol, optionally TLS). Calls on one connection are answered in order, each only after
// the handler (the channels' commit) is done. A peer that sends a frame over the size limit,
// bytes that are not a message, or stalls half-way through a frame is logged and disconnected;
// other connections are not affected. A method the protocol lacks gets Thrift's
// TApplicationException (UNKNOWN_METHOD), as a Java server answers.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import type { Logger } from '../core/log.js';
import { closeServer, listenTcp } from '../lib/net.js';
import { decodeCall, encodeException, encodeReply, MESSAGE_CALL, ThriftFrameReader, type ThriftProtocol, type ThriftStatus } from './thrift-codec.js';

export interface ThriftHandler {
  append(event: Event): Promise<ThriftStatus>;
  appendBatch(events: Event[]): Promise<ThriftStatus>;
}

export interface ThriftServerOptions {
  host: string;
  port: number;
  protocol: ThriftProtocol;
  handler: ThriftHandler;
  tls?: SecureContext;
  /** Largest frame accepted (Java's TFastFramedTransport default: 16,384,000 bytes). */
  maxFrameBytes?: number;
  /** Longest wait for the rest of a frame once it has begun, or for a TLS handshake. */
  readTimeoutMs?: number;
  log?: Logger;
  onConnectionsChange?: (open: number) => void;
}

export const DEFAULT_MAX_FRAME_BYTES = 16_384_000;
const UNKNOWN_METHOD = 1;

export class ThriftServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly o: ThriftServerOptions) {}

  async listen(): Promise<number> {
    const server = createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(socket));
    this.port = await listenTcp(server, this.o.host, this.o.port);
    server.on('error', (e) => this.o.log?.error(`thrift server error: ${errorText(e)}`));
    this.server = server;
    return this.port;
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closeServer(server);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    this.o.onConnectionsChange?.(this.sockets.size);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.o.onConnectionsChange?.(this.sockets.size);
    });
    socket.on('error', (e) => this.o.log?.debug(`thrift client ${socket.remoteAddress}: ${errorText(e)}`));
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const timeoutMs = this.o.readTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.o.log?.warn(`closing the connection of ${peer}: a frame stalled for ${timeoutMs} ms`);
        socket.destroy();
      }, timeoutMs);
      timer.unref();
    };
    socket.on('close', () => clearTimeout(timer));
    let stream: Duplex = socket;
    if (this.o.tls) {
      const secure = new TLSSocket(socket, { isServer: true, secureContext: this.o.tls });
      arm();
      secure.once('secure', () => clearTimeout(timer));
      secure.on('error', (e) => {
        this.o.log?.warn(`TLS with ${peer} failed: ${errorText(e)}`);
        socket.destroy();
      });
      stream = secure;
    }

    const queue: Buffer[] = [];
    let busy = false;
    let closed = false;
    socket.on('close', () => (closed = true));
    const drop = (why: string) => {
      if (closed) return;
      this.o.log?.warn(`closing the connection of ${peer}: ${why}`);
      closed = true;
      clearTimeout(timer);
      socket.destroy();
    };
    const next = async (): Promise<void> => {
      busy = true;
      while (queue.length > 0 && !closed) {
        const reply = await this.answer(queue.shift()!);
        if (closed) break;
        stream.write(reply);
      }
      busy = false;
      if (!closed) stream.resume();
    };
    const reader = new ThriftFrameReader((payload) => {
      queue.push(payload);
      // One call at a time per connection, as Thrift's clients send them; read on once answered.
      stream.pause();
      if (!busy) void next().catch((e) => drop(errorText(e)));
    }, this.o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    stream.on('data', (chunk: Buffer) => {
      if (closed) return;
      try {
        reader.push(chunk);
      } catch (e) {
        drop(errorText(e));
        return;
      }
      if (reader.partial) arm();
      else clearTimeout(timer);
    });
  }

  /** The framed reply to one frame; throws (closing the connection) on a malformed message. */
  private async answer(payload: Buffer): Promise<Buffer> {
    const protocol = this.o.protocol;
    const call = decodeCall(payload, protocol);
    if (call.type !== MESSAGE_CALL) throw new Error(`expected a call, got message type ${call.type}`);
    if (!call.events) return encodeException(protocol, call.name, call.seqid, `Invalid method name: '${call.name}'`, UNKNOWN_METHOD);
    const status = call.name === 'append' ? await this.o.handler.append(call.events[0]!) : await this.o.handler.appendBatch(call.events);
    return encodeReply(protocol, call.name, call.seqid, status);
  }
}

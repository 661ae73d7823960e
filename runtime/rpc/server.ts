// A Flume Avro RPC server: accepts connections (optionally filtered by address, inflated and
// deflated, and TLS, layered as Flume ≥ 1.10 does), cuts each connection's bytes into frames
// and answers each request through a ConnectionResponder, in order.
//
// Protection against bad peers: framing limits (a peer that breaks them is logged and
// disconnected; others are not affected); a read timeout for a frame (or TLS handshake) that
// stalls half-way — an idle connection between frames is fine, Flume's sink keeps one open
// without traffic; a client that sends requests faster than they are answered, or does not
// read its replies, is not read from until it catches up.
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from '../core/log.js';
import { errorText } from '../core/errors.js';
import { listenTcp, closeServer } from '../lib/net.js';
import { DeflateStream } from './deflate.js';
import { DEFAULT_LIMITS, encodeFrame, FrameDecoder, type Frame, type FrameLimits } from './frame.js';
import { ConnectionResponder, KnownProtocols, type AvroHandler } from './responder.js';

export interface AvroServerOptions {
  host: string;
  port: number;
  handler: AvroHandler;
  compression?: 'deflate';
  /** TLS with this context (see tls.ts serverSecureContext). */
  tls?: SecureContext;
  /** Decides whether a client address may connect (ipFilter). */
  allow?: (address: string | undefined) => boolean | Promise<boolean>;
  limits?: Partial<FrameLimits>;
  /** Longest wait for the rest of a frame once it has begun, or for a TLS handshake. */
  readTimeoutMs?: number;
  log?: Logger;
  onConnectionsChange?: (open: number) => void;
}

/** Requests read ahead of the one being answered before the server stops reading. */
const MAX_QUEUED = 16;
/** Reply bytes a client may leave unread before the server stops reading its requests. */
const MAX_UNREAD = 1024 * 1024;

export class AvroServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly known = new KnownProtocols();
  private readonly limits: FrameLimits;
  private readonly readTimeoutMs: number;
  port = 0;

  constructor(private readonly o: AvroServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.readTimeoutMs = o.readTimeoutMs ?? 30_000;
  }

  async listen(): Promise<number> {
    const server = createServer({ noDelay: true, keepAlive: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    this.port = await listenTcp(server, this.o.host, this.o.port);
    server.on('error', (e) => this.o.log?.error(`avro server error: ${errorText(e)}`));
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
    socket.on('error', (e) => this.o.log?.debug(`avro client ${socket.remoteAddress}: ${errorText(e)}`));
    if (!this.o.allow) {
      this.serve(socket);
      return;
    }
    socket.pause();
    Promise.resolve(this.o.allow(socket.remoteAddress)).then(
      (ok) => {
        if (ok) {
          this.serve(socket);
          socket.resume();
        } else {
          this.o.log?.info(`refused a connection from ${socket.remoteAddress} (ipFilterRules)`);
          socket.destroy();
        }
      },
      () => socket.destroy(),
    );
  }

  private serve(socket: Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let stream: Duplex = socket;
    if (this.o.compression === 'deflate') stream = new DeflateStream(socket);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.o.log?.warn(`closing the connection of ${peer}: a frame stalled for ${this.readTimeoutMs} ms`);
        socket.destroy();
      }, this.readTimeoutMs);
      timer.unref();
    };
    socket.on('close', () => clearTimeout(timer));
    if (this.o.tls) {
      const secure = new TLSSocket(stream as Socket, { isServer: true, secureContext: this.o.tls });
      arm();
      secure.once('secure', () => clearTimeout(timer));
      secure.on('error', (e) => {
        this.o.log?.warn(`TLS with ${peer} failed: ${errorText(e)}`);
        socket.destroy();
      });
      stream = secure;
    } else if (stream !== socket) {
      stream.on('error', (e) => {
        this.o.log?.warn(`closing the connection of ${peer}: ${errorText(e)}`);
        socket.destroy();
      });
    }

    const responder = new ConnectionResponder(this.known, this.o.handler);
    const queue: Frame[] = [];
    let busy = false;
    let closed = false;
    let ended = false;
    socket.on('close', () => {
      closed = true;
    });
    const out = stream;
    const next = async (): Promise<void> => {
      busy = true;
      while (queue.length > 0 && !closed) {
        const frame = queue.shift()!;
        const reply = await responder.respond(frame.payload);
        if (reply.error) this.o.log?.warn(`system error answered to ${peer}: ${reply.error}`);
        if (closed) break;
        out.write(encodeFrame(frame.serial, reply.buffers));
      }
      busy = false;
      if (closed) return;
      if (ended) {
        out.end();
        return;
      }
      if (out.writableLength > MAX_UNREAD) out.once('drain', () => !closed && stream.resume());
      else stream.resume();
    };
    const decoder = new FrameDecoder((frame) => {
      queue.push(frame);
      if (queue.length >= MAX_QUEUED) stream.pause();
      if (!busy) {
        void next().catch((e) => {
          this.o.log?.error(`closing the connection of ${peer}: ${errorText(e)}`);
          socket.destroy();
        });
      }
    }, this.limits);
    let broken = false;
    stream.on('data', (chunk: Buffer) => {
      if (broken) return;
      try {
        decoder.push(chunk);
      } catch (e) {
        // Answer the requests read before the bad bytes, then close; read nothing more.
        this.o.log?.warn(`closing the connection of ${peer}: ${errorText(e)}`);
        broken = true;
        ended = true;
        clearTimeout(timer);
        stream.pause();
        if (!busy) out.end();
        setTimeout(() => socket.destroy(), this.readTimeoutMs).unref();
        return;
      }
      if (decoder.partial) arm();
      else clearTimeout(timer);
    });
    // A client that half-closes still gets the answers to what it sent.
    stream.on('end', () => {
      ended = true;
      clearTimeout(timer);
      if (!busy) out.end();
    });
  }
}

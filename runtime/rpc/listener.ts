// The connection handling the avro and thrift servers share: a TCP listener that tracks its
// clients (stopping closes them all), an optional address filter (ipFilter), an optional layer
// under TLS (deflate), TLS, and a read timeout for a frame or TLS handshake that stalls half-way
// (an idle connection between frames is fine: Flume's sinks keep one open without traffic).
// Each server extends it and turns a connection's stream into calls and answers (serve).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import { errorText } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { TcpListener } from '../lib/net.js';

export interface RpcListenerOptions {
  host: string;
  port: number;
  /** TLS with this context (see tls.ts serverSecureContext). */
  tls?: SecureContext;
  /** Decides whether a client address may connect (ipFilter). */
  allow?: (address: string | undefined) => boolean | Promise<boolean>;
  /** Longest wait for the rest of a frame once it has begun, or for a TLS handshake. */
  readTimeoutMs?: number;
  log?: Logger;
  onConnectionsChange?: (open: number) => void;
}

/** One client connection, ready for the protocol. */
export interface RpcConnection {
  readonly socket: Socket;
  /** What the protocol reads and writes: the socket, or the layers over it. */
  readonly stream: Duplex;
  /** `address:port` of the client, for logs. */
  readonly peer: string;
  readonly readTimeoutMs: number;
  /** A frame has begun: the rest must come within the read timeout. */
  arm(): void;
  /** No frame is half-read: no timeout. */
  disarm(): void;
}

export interface RpcListenerShape {
  /** Keep the write side open when the client half-closes (to answer what it sent). */
  allowHalfOpen?: boolean;
  /** A layer between the socket and TLS (or the protocol), such as deflate. */
  layer?: (socket: Socket) => Duplex;
}

/** A protocol's server: `serve` gets each admitted connection. */
export abstract class RpcListener {
  private readonly tcp: TcpListener;
  private readonly readTimeoutMs: number;

  /** `kind` names the protocol in logs (avro, thrift). */
  constructor(
    private readonly kind: string,
    private readonly options: RpcListenerOptions,
    private readonly shape: RpcListenerShape = {},
  ) {
    this.readTimeoutMs = options.readTimeoutMs ?? 30_000;
    this.tcp = new TcpListener(
      (socket) => this.accept(socket),
      (e) => options.log?.error(`${kind} server error: ${errorText(e)}`),
      new Set(),
      (open) => options.onConnectionsChange?.(open),
      { noDelay: true, keepAlive: true, allowHalfOpen: shape.allowHalfOpen ?? false },
    );
  }

  get port(): number {
    return this.tcp.port;
  }

  get connections(): number {
    return this.tcp.sockets.size;
  }

  listen(): Promise<number> {
    return this.tcp.listen(this.options.host, this.options.port);
  }

  close(): Promise<void> {
    return this.tcp.close();
  }

  protected abstract serve(c: RpcConnection): void;

  private accept(socket: Socket): void {
    socket.on('error', (e) => this.options.log?.debug(`${this.kind} client ${socket.remoteAddress}: ${errorText(e)}`));
    const allow = this.options.allow;
    if (!allow) {
      this.open(socket);
      return;
    }
    socket.pause();
    Promise.resolve(allow(socket.remoteAddress)).then(
      (ok) => {
        if (ok) {
          this.open(socket);
          socket.resume();
        } else {
          this.options.log?.info(`refused a connection from ${socket.remoteAddress} (ipFilterRules)`);
          socket.destroy();
        }
      },
      () => socket.destroy(),
    );
  }

  private open(socket: Socket): void {
    const log = this.options.log;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const readTimeoutMs = this.readTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const disarm = () => clearTimeout(timer);
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        log?.warn(`closing the connection of ${peer}: a frame stalled for ${readTimeoutMs} ms`);
        socket.destroy();
      }, readTimeoutMs);
      timer.unref();
    };
    socket.on('close', disarm);
    let stream: Duplex = this.shape.layer ? this.shape.layer(socket) : socket;
    if (this.options.tls) {
      const secure = new TLSSocket(stream as Socket, { isServer: true, secureContext: this.options.tls });
      arm();
      secure.once('secure', disarm);
      secure.on('error', (e) => {
        log?.warn(`TLS with ${peer} failed: ${errorText(e)}`);
        socket.destroy();
      });
      stream = secure;
    } else if (stream !== socket) {
      stream.on('error', (e) => {
        log?.warn(`closing the connection of ${peer}: ${errorText(e)}`);
        socket.destroy();
      });
    }
    this.serve({ socket, stream, peer, readTimeoutMs, arm, disarm });
  }
}

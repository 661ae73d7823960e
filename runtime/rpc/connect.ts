// How the avro and thrift clients open a connection: TCP (no Nagle, keep-alive), then an
// optional layer (deflate), then TLS, all within connect-timeout; and how they watch it: bytes
// go to the protocol's reader, and an error, a close or the far side's end fails the client.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { clientTlsOptions, type TruststoreOptions } from './tls.js';

export interface TransportOptions {
  host: string;
  port: number;
  /** TCP connect and TLS handshake (Flume's connect-timeout; default 20 s). */
  connectTimeoutMs?: number;
  tls?: TruststoreOptions;
}

export interface Transport {
  socket: Socket;
  /** What the protocol reads and writes: the socket, or the layers over it. */
  stream: Duplex;
}

export function openTransport(o: TransportOptions, layer?: (socket: Socket) => Duplex): Promise<Transport> {
  const timeout = o.connectTimeoutMs ?? 20_000;
  let tlsOptions: ReturnType<typeof clientTlsOptions> | undefined;
  try {
    tlsOptions = o.tls ? clientTlsOptions(o.tls) : undefined;
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: o.host, port: o.port, noDelay: true, keepAlive: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${o.host}:${o.port} within ${timeout} ms`));
    }, timeout);
    const failed = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`cannot connect to ${o.host}:${o.port}: ${e.message}`));
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      const stream = layer ? layer(socket) : socket;
      if (!tlsOptions) {
        clearTimeout(timer);
        socket.off('error', failed);
        resolve({ socket, stream });
        return;
      }
      const servername = isIP(o.host) ? undefined : o.host;
      const secure = tlsConnect({ socket: stream as Socket, ...(servername ? { servername } : {}), ...tlsOptions });
      secure.once('error', (e) => failed(new Error(`TLS: ${e.message}`)));
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        secure.removeAllListeners('error');
        resolve({ socket, stream: secure });
      });
    });
  });
}

/** Feeds the stream's bytes to `read` and reports the end of the connection, as an Error, to `fail`. */
export function watchTransport({ socket, stream }: Transport, address: string, read: (chunk: Buffer) => void, fail: (e: Error) => void): void {
  stream.on('data', (chunk: Buffer) => {
    try {
      read(chunk);
    } catch (e) {
      fail(new Error(`bad reply from ${address}: ${(e as Error).message}`));
    }
  });
  const failed = (e: Error) => fail(new Error(`connection to ${address} failed: ${e.message}`));
  stream.on('error', failed);
  if (socket !== stream) socket.on('error', failed);
  stream.on('close', () => fail(new Error(`connection to ${address} closed`)));
  stream.on('end', () => fail(new Error(`${address} closed the connection`)));
}

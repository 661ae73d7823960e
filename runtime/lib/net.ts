// Listening sockets with start-up errors a user can act on.
import { createServer, type Server, type ServerOpts, type Socket } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';

export function listenError(e: unknown, host: string, port: number, proto = 'tcp'): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new Error(`${proto} port ${port} on ${host} is already in use (another program, or another agent, listens there)`);
    case 'EACCES':
      return new Error(`not allowed to listen on ${proto} ${where} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new Error(`cannot listen on ${where}: ${host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new Error(`cannot listen on ${where}: the host name ${host} does not resolve`);
    default:
      return new Error(`cannot listen on ${proto} ${where}: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** Starts a TCP (or HTTP) server; rejects with a readable error. */
export function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: unknown) => reject(listenError(e, host, port));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

export function bindUdp(socket: UdpSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: unknown) => reject(listenError(e, host, port, 'udp'));
    socket.once('error', onError);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}

export function closeServer(server: Server | undefined): Promise<void> {
  if (!server || !server.listening) return Promise.resolve();
  return new Promise((r) => server.close(() => r()));
}

/** `host` for URLs: IPv6 literals in brackets. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A TCP server that keeps track of its client connections, so that stopping it closes them
 * all (a plain server.close() would wait for every client to hang up). Several listeners may
 * share one `sockets` set, as the multiport source does.
 */
export class TcpListener {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly onSocket: (socket: Socket) => void,
    private readonly onFailure: (e: unknown) => void,
    readonly sockets: Set<Socket> = new Set(),
    private readonly onConnectionsChange: (open: number) => void = () => undefined,
    private readonly options: ServerOpts = {},
  ) {}

  async listen(host: string, port: number): Promise<number> {
    const server = createServer(this.options, (socket) => {
      this.sockets.add(socket);
      this.onConnectionsChange(this.sockets.size);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.onConnectionsChange(this.sockets.size);
      });
      this.onSocket(socket);
    });
    this.port = await listenTcp(server, host, port);
    server.on('error', (e) => this.onFailure(e));
    this.server = server;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closeServer(server);
  }
}

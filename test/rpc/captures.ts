// The Avro RPC captures of real Flume 1.11 (test/fixtures/avro-captures.json) and a raw
// frame-level peer for replaying them over real sockets.
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameDecoder, type Frame } from '../../runtime/rpc/frame.js';

export interface CapturedFrame {
  dir: 'c2s' | 's2c';
  serial: number;
  bufferLengths: number[];
  /** null where the frame carried Flume's own protocol text (elided from the fixture). */
  hex: string | null;
  decoded: {
    handshake?: Record<string, unknown>;
    message?: string;
    events?: { headers: Record<string, string>; body: string }[];
    status?: string;
    isError?: boolean;
    error?: string;
  };
}

export interface Conversation {
  id: string;
  name: string;
  peers: string;
  deflate: boolean;
  connections: { conn: number; frames: CapturedFrame[]; c2sChunks?: string[]; s2cChunks?: string[] }[];
}

const all: Conversation[] = JSON.parse(readFileSync(new URL('../fixtures/avro-captures.json', import.meta.url), 'utf8')).conversations;

export function conversation(id: string): Conversation {
  const c = all.find((x) => x.id === id);
  if (!c) throw new Error(`no capture ${id}`);
  return c;
}

export const bytes = (hex: string | null): Buffer => Buffer.from(hex ?? '', 'hex');

/** A raw client: writes bytes, collects the frames the server answers. */
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly raw: Buffer[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder((f) => this.frames.push(f));

  constructor(
    readonly socket: Socket,
    decode = true,
  ) {
    socket.on('data', (d: Buffer) => {
      this.raw.push(d);
      if (decode) this.decoder.push(d);
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** `decode = false` keeps the bytes only (for compressed streams). */
  static open(port: number, decode = true): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawPeer(s, decode)));
      s.once('error', reject);
    });
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  async next(n: number, timeoutMs = 10_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < n) {
      if (this.closed) throw new Error(`connection closed after ${this.frames.length} frame(s)`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} frame(s), have ${this.frames.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.frames.splice(0, n);
  }

  waitClosed(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const t = setTimeout(() => reject(new Error('the server did not close the connection')), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A raw server for client tests: hands each connection's frames to `onFrame`. */
export async function rawServer(onFrame: (f: Frame, socket: Socket, conn: number) => void): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  let conns = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    const conn = ++conns;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    const d = new FrameDecoder((f) => onFrame(f, s, conn));
    s.on('data', (c: Buffer) => d.push(c));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Frame bytes as written: serial, count, each buffer length-prefixed. */
export function frameBytes(f: Frame): Buffer {
  // Re-encoding needs the cut points; tests compare payloads and lengths instead where needed.
  let pos = 0;
  const parts = [Buffer.alloc(8)];
  parts[0]!.writeInt32BE(f.serial, 0);
  parts[0]!.writeInt32BE(f.bufferLengths.length, 4);
  for (const len of f.bufferLengths) {
    const h = Buffer.alloc(4);
    h.writeInt32BE(len, 0);
    parts.push(h, f.payload.subarray(pos, pos + len));
    pos += len;
  }
  return Buffer.concat(parts);
}

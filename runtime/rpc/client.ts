// A Flume Avro RPC client (what the avro sink and `flowc send` use), speaking to Flume's avro
// source or ours. Requests are written as Flume's Java client writes them: the first one on a
// connection carries the handshake; it opens as Flume 1.11's own client does (Flume's
// protocol hash, no text), and if the server answers NONE the request is sent again with our
// protocol text. Serials are 32-bit and wrap. Requests may be issued concurrently; they are
// sent one after the other until the handshake is done, then pipelined, and matched to their
// replies by serial. A timeout or transport error fails the request and closes the connection
// (as Flume's client marks its connection dead); make a new client to go on.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Event } from '../core/event.js';
import { openTransport, watchTransport, type TransportOptions } from './connect.js';
import { DeflateStream } from './deflate.js';
import { encodeRequestFrame, FrameDecoder, type Frame } from './frame.js';
import {
  encodeHandshakeRequest,
  encodeParamsTransient,
  FLUME_PROTOCOL_HASHES,
  PROTOCOL_HASH,
  PROTOCOL_TEXT,
  readHandshakeResponse,
  STATUS_SYMBOLS,
  type MessageName,
  type Status,
} from './protocol.js';
import { AvroReader } from './reader.js';

export interface AvroClientOptions extends TransportOptions {
  /** Wait for each reply (Flume's request-timeout; default 20 s). */
  requestTimeoutMs?: number;
  compression?: { type: 'deflate'; level?: number };
}

/** The server answered with an Avro system error (not a Status). */
export class AvroRemoteError extends Error {
  override name = 'AvroRemoteError';
}

/** What a server learned about us: the server hash to send, and whether it knows Flume's hash. */
interface ServerMemo {
  serverHash: Buffer;
  sendOwn: boolean;
}
/** Per host:port for the whole process, as Java caches the server hash per address. */
const memos = new Map<string, ServerMemo>();

const FLUME_HASH = FLUME_PROTOCOL_HASHES[0]!;
const EMPTY = Buffer.alloc(0);
const NAMES: Record<MessageName, Buffer> = {
  append: Buffer.from('\x00\x0cappend', 'latin1'),
  appendBatch: Buffer.from('\x00\x16appendBatch', 'latin1'),
};

interface Pending {
  message: MessageName;
  params: Buffer;
  handshake: boolean;
  resolve: (s: Status) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  /** Set when NONE made us send the protocol text. */
  withText?: boolean;
}

export class AvroClient {
  private serial = 0;
  private connected = false;
  /** The request that carries the handshake, while it is out. */
  private handshaking = false;
  private readonly waiting: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private failure: Error | undefined;
  private readonly address: string;
  private readonly requestTimeoutMs: number;

  private constructor(
    private readonly stream: Duplex,
    private readonly socket: Socket,
    o: AvroClientOptions,
  ) {
    this.address = `${o.host}:${o.port}`;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 20_000;
    const decoder = new FrameDecoder((f) => this.onReply(f), { maxBuffers: 1024, maxBufferBytes: 16 << 20, maxFrameBytes: 16 << 20 });
    watchTransport({ socket, stream }, this.address, (chunk) => decoder.push(chunk), (e) => this.fail(e));
  }

  /** Opens the connection (TCP, then deflate and TLS when asked). */
  static async connect(o: AvroClientOptions): Promise<AvroClient> {
    const compression = o.compression;
    const { socket, stream } = await openTransport(o, compression?.type === 'deflate' ? (s) => new DeflateStream(s, compression.level ?? 6) : undefined);
    return new AvroClient(stream, socket, o);
  }

  appendBatch(events: Event[]): Promise<Status> {
    return this.request('appendBatch', encodeParamsTransient('appendBatch', events));
  }

  append(event: Event): Promise<Status> {
    return this.request('append', encodeParamsTransient('append', [event]));
  }

  /** Whether the connection can still be used. */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /** Ends the connection (requests still out fail). */
  async close(): Promise<void> {
    if (this.failure) return;
    const closed = new Promise<void>((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
    this.fail(new Error(`the client closed the connection to ${this.address}`), true);
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  /** `params` may be a transient view: it is used at once, or copied when it must wait. */
  private request(message: MessageName, params: Buffer): Promise<Status> {
    if (this.failure) return Promise.reject(this.failure);
    // Until the handshake is done, a request may wait or be sent again (after NONE): keep a copy.
    if (!this.connected) params = Buffer.from(params);
    return new Promise((resolve, reject) => {
      const p: Pending = { message, params, handshake: false, resolve, reject };
      if (this.connected) this.send(p);
      else if (this.handshaking) this.waiting.push(p);
      else {
        this.handshaking = true;
        p.handshake = true;
        this.send(p);
      }
    });
  }

  private nextSerial(): number {
    this.serial = (this.serial + 1) | 0;
    return this.serial;
  }

  private send(p: Pending): void {
    const serial = this.nextSerial();
    let head: Buffer;
    if (p.handshake) {
      const memo = memos.get(this.address);
      const own = p.withText || memo?.sendOwn;
      const hs = encodeHandshakeRequest({
        clientHash: own ? PROTOCOL_HASH : FLUME_HASH,
        clientProtocol: p.withText ? PROTOCOL_TEXT : null,
        serverHash: memo?.serverHash ?? FLUME_HASH,
      });
      head = Buffer.concat([hs, NAMES[p.message]]);
    } else head = NAMES[p.message];
    this.inFlight.set(serial, p);
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.fail(new Error(`no answer from ${this.address} within ${this.requestTimeoutMs} ms`)), this.requestTimeoutMs);
    this.stream.write(encodeRequestFrame(serial, head, p.params));
    if (!p.handshake) p.params = EMPTY;
  }

  private onReply(f: Frame): void {
    const p = this.inFlight.get(f.serial);
    if (!p) {
      this.fail(new Error(`${this.address} answered a request that was not sent (serial ${f.serial})`));
      return;
    }
    this.inFlight.delete(f.serial);
    clearTimeout(p.timer);
    try {
      const r = new AvroReader(f.payload);
      if (p.handshake) {
        const hs = readHandshakeResponse(r);
        if (hs.match === 'NONE') {
          if (p.withText) throw new Error('the server does not accept our protocol (handshake NONE twice)');
          memos.set(this.address, { serverHash: hs.serverHash ?? FLUME_HASH, sendOwn: true });
          p.withText = true;
          this.send(p);
          return;
        }
        if (hs.match === 'CLIENT' && hs.serverHash) {
          memos.set(this.address, { serverHash: hs.serverHash, sendOwn: !!(p.withText || memos.get(this.address)?.sendOwn) });
        }
        this.connected = true;
        this.handshaking = false;
        for (const w of this.waiting.splice(0)) this.send(w);
      }
      r.bytesMap();
      if (r.boolean()) {
        r.unionIndex(1);
        p.reject(new AvroRemoteError(`${this.address} answered with an error: ${r.string()}`));
        return;
      }
      p.resolve(STATUS_SYMBOLS[r.enumIndex(3)]!);
    } catch (e) {
      const err = new Error(`bad reply from ${this.address}: ${(e as Error).message}`);
      p.reject(err);
      this.fail(err);
    }
  }

  private fail(e: Error, graceful = false): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of [...this.inFlight.values(), ...this.waiting]) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.inFlight.clear();
    this.waiting.length = 0;
    if (graceful) {
      this.stream.end();
      return;
    }
    this.stream.destroy();
    this.socket.destroy();
  }
}

// A Flume Avro RPC server: accepts connections (optionally filtered by address, inflated and
// deflated, and TLS, layered as Flume ≥ 1.10 does), cuts each connection's bytes into frames
// and answers each request through a ConnectionResponder, in order.
//
// Protection against bad peers: framing limits (a peer that breaks them is logged and
// disconnected; others are not affected); a read timeout for a frame (or TLS handshake) that
// stalls half-way — an idle connection between frames is fine, Flume's sink keeps one open
// without traffic; a client that sends requests faster than they are answered, or does not
// read its replies, is not read from until it catches up.
import type { Socket } from 'node:net';
import { errorText } from '../core/errors.js';
import { DeflateStream } from './deflate.js';
import { DEFAULT_LIMITS, encodeFrame, FrameDecoder, type Frame, type FrameLimits } from './frame.js';
import { RpcListener, type RpcConnection, type RpcListenerOptions } from './listener.js';
import { ConnectionResponder, KnownProtocols, type AvroHandler } from './responder.js';

export interface AvroServerOptions extends RpcListenerOptions {
  handler: AvroHandler;
  compression?: 'deflate';
  limits?: Partial<FrameLimits>;
}

/** Requests read ahead of the one being answered before the server stops reading. */
const MAX_QUEUED = 16;
/** Reply bytes a client may leave unread before the server stops reading its requests. */
const MAX_UNREAD = 1024 * 1024;

export class AvroServer extends RpcListener {
  private readonly known = new KnownProtocols();
  private readonly limits: FrameLimits;

  constructor(private readonly o: AvroServerOptions) {
    super('avro', o, {
      allowHalfOpen: true,
      ...(o.compression === 'deflate' ? { layer: (socket: Socket) => new DeflateStream(socket) } : {}),
    });
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
  }

  protected serve({ socket, stream, peer, readTimeoutMs, arm, disarm }: RpcConnection): void {
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
        const reply = await responder.respond(frame.parts);
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
        disarm();
        stream.pause();
        if (!busy) out.end();
        setTimeout(() => socket.destroy(), readTimeoutMs).unref();
        return;
      }
      if (decoder.partial) arm();
      else disarm();
    });
    // A client that half-closes still gets the answers to what it sent.
    stream.on('end', () => {
      ended = true;
      disarm();
      if (!busy) out.end();
    });
  }
}

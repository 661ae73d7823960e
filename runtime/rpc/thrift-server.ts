// A Flume Thrift RPC server (ThriftSourceProtocol over the framed transport, compact or binary
// protocol, optionally TLS). Calls on one connection are answered in order, each only after
// the handler (the channels' commit) is done. A peer that sends a frame over the size limit,
// bytes that are not a message, or stalls half-way through a frame is logged and disconnected;
// other connections are not affected. A method the protocol lacks gets Thrift's
// TApplicationException (UNKNOWN_METHOD), as a Java server answers.
import { errorText } from '../core/errors.js';
import type { Event } from '../core/event.js';
import { RpcListener, type RpcConnection, type RpcListenerOptions } from './listener.js';
import { decodeCall, encodeException, encodeReply, MESSAGE_CALL, ThriftFrameReader, type ThriftProtocol, type ThriftStatus } from './thrift-codec.js';

export interface ThriftHandler {
  append(event: Event): Promise<ThriftStatus>;
  appendBatch(events: Event[]): Promise<ThriftStatus>;
}

export interface ThriftServerOptions extends RpcListenerOptions {
  protocol: ThriftProtocol;
  handler: ThriftHandler;
  /** Largest frame accepted (Java's TFastFramedTransport default: 16,384,000 bytes). */
  maxFrameBytes?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 16_384_000;
const UNKNOWN_METHOD = 1;

export class ThriftServer extends RpcListener {
  constructor(private readonly o: ThriftServerOptions) {
    super('thrift', o);
  }

  protected serve({ socket, stream, peer, arm, disarm }: RpcConnection): void {
    const queue: Buffer[] = [];
    let busy = false;
    let closed = false;
    socket.on('close', () => (closed = true));
    const drop = (why: string) => {
      if (closed) return;
      this.o.log?.warn(`closing the connection of ${peer}: ${why}`);
      closed = true;
      disarm();
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
      else disarm();
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

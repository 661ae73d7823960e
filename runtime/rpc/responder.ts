// The server side of Flume's Avro RPC, per connection and independent of sockets: a request
// payload in, the reply buffers out, laid out as Flume's Java server writes them (handshake,
// call metadata, then error flag + value; a NONE or ping reply is the handshake alone).
//
// Handshake rules (Avro's Responder): a client's protocol is known by its MD5, or learned from
// the text it sends; a request whose server hash is ours and whose client is known gets BOTH,
// a known client with a wrong server hash gets CLIENT (with our protocol), an unknown client
// without text gets NONE and its call is not run. Flume's own hashes are known from the start
// and count as ours, so Flume's clients get BOTH on their first request.
import type { Event } from '../core/event.js';
import {
  compatibleMessages,
  encodeHandshakeResponse,
  FLUME_PROTOCOL_HASHES,
  hex,
  PROTOCOL_HASH,
  PROTOCOL_TEXT,
  readEvent,
  readEvents,
  readHandshakeRequest,
  STATUS_SYMBOLS,
  type HandshakeMatch,
  type MessageName,
  type Status,
} from './protocol.js';
import { AvroDecodeError, AvroReader } from './reader.js';

export interface AvroHandler {
  append(event: Event): Promise<Status>;
  appendBatch(events: Event[]): Promise<Status>;
}

/** Most client protocols learned from texts that a server keeps. */
const MAX_LEARNED = 256;

/** Client protocols a server knows, shared by its connections (Avro keeps them per process). */
export class KnownProtocols {
  private readonly known = new Map<string, ReadonlySet<MessageName>>();
  private readonly ours = new Set<string>();

  constructor() {
    const all: ReadonlySet<MessageName> = new Set<MessageName>(['append', 'appendBatch']);
    for (const h of [PROTOCOL_HASH, ...FLUME_PROTOCOL_HASHES]) {
      this.known.set(hex(h), all);
      this.ours.add(hex(h));
    }
  }

  isOurs(hash: Buffer): boolean {
    return this.ours.has(hex(hash));
  }

  get(hash: Buffer): ReadonlySet<MessageName> | undefined {
    return this.known.get(hex(hash));
  }

  learn(hash: Buffer, text: string): ReadonlySet<MessageName> {
    const messages = compatibleMessages(text);
    if (this.known.size >= MAX_LEARNED + this.ours.size) {
      // Forget the oldest learned protocol; a client it belonged to sends its text again after NONE.
      for (const k of this.known.keys()) {
        if (!this.ours.has(k)) {
          this.known.delete(k);
          break;
        }
      }
    }
    this.known.set(hex(hash), messages);
    return messages;
  }
}

const EMPTY = Buffer.alloc(0);
const EMPTY_MAP = Buffer.from([0]);
const STATUS_REPLY = STATUS_SYMBOLS.map((_, i) => Buffer.from([0, i * 2]));
const BOTH_REPLY = encodeHandshakeResponse({ match: 'BOTH', serverProtocol: null, serverHash: null });

/** A system error as Avro writes it: error flag, union branch 0, the text. */
function errorValue(text: string): Buffer {
  const s = Buffer.from(text, 'utf8');
  const len = zigzag(s.length);
  return Buffer.concat([Buffer.from([1, 0]), len, s]);
}

function zigzag(n: number): Buffer {
  const out: number[] = [];
  let v = n * 2;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

/** Java's text of a failure to read a request. */
function javaText(e: unknown): string {
  if (e instanceof AvroDecodeError) return e.endOfData ? 'java.io.EOFException' : `org.apache.avro.AvroRuntimeException: ${e.message}`;
  return `org.apache.avro.AvroRuntimeException: ${(e as Error)?.message ?? String(e)}`;
}

export interface Reply {
  buffers: Buffer[];
  /** Set when the request was refused as a system error (for logs). */
  error?: string;
}

export class ConnectionResponder {
  /** After a BOTH or CLIENT answer, no handshake is read or written again. */
  private connected = false;
  private messages: ReadonlySet<MessageName> | undefined;

  constructor(
    private readonly known: KnownProtocols,
    private readonly handler: AvroHandler,
  ) {}

  /** Answers one request: its payload, as one buffer or as the parts of its frame. */
  async respond(payload: Buffer | readonly Buffer[]): Promise<Reply> {
    const r = Buffer.isBuffer(payload) ? new AvroReader(payload) : AvroReader.over(payload);
    let handshake: Buffer = EMPTY;
    let name: string;
    let messages: ReadonlySet<MessageName>;
    let call: () => Promise<Status>;
    try {
      if (!this.connected) {
        const h = this.handshake(r);
        handshake = h.reply;
        if (h.match === 'NONE') return { buffers: [handshake] };
        this.connected = true;
      }
      messages = this.messages!;
      r.bytesMap(); // call metadata: Flume's clients send none, and nothing here reads it
      name = r.string();
      if (name === '') return { buffers: [handshake] };
      if (!messages.has(name as MessageName)) {
        throw new Error(name === 'append' || name === 'appendBatch' ? `the client's ${name} message differs from Flume's` : `No such remote message: ${name}`);
      }
      if (name === 'append') {
        const event = readEvent(r);
        call = () => this.handler.append(event);
      } else {
        const events = readEvents(r);
        call = () => this.handler.appendBatch(events);
      }
    } catch (e) {
      const text = javaText(e);
      return { buffers: [handshake, EMPTY_MAP, errorValue(text)], error: text };
    }
    let status: Status;
    try {
      status = await call();
    } catch (e) {
      const text = `org.apache.avro.AvroRuntimeException: ${(e as Error)?.message ?? String(e)}`;
      return { buffers: [handshake, EMPTY_MAP, errorValue(text)], error: text };
    }
    return { buffers: [handshake, EMPTY_MAP, STATUS_REPLY[STATUS_SYMBOLS.indexOf(status)]!] };
  }

  private handshake(r: AvroReader): { match: HandshakeMatch; reply: Buffer } {
    const req = readHandshakeRequest(r);
    let messages = this.known.get(req.clientHash);
    if (!messages && req.clientProtocol !== null) messages = this.known.learn(req.clientHash, req.clientProtocol);
    const match: HandshakeMatch = !messages ? 'NONE' : this.known.isOurs(req.serverHash) ? 'BOTH' : 'CLIENT';
    this.messages = messages;
    if (match === 'BOTH') return { match, reply: BOTH_REPLY };
    return { match, reply: encodeHandshakeResponse({ match, serverProtocol: PROTOCOL_TEXT, serverHash: PROTOCOL_HASH }) };
  }
}

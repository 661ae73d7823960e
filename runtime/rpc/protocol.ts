// Flume's AvroSourceProtocol and the Avro IPC handshake records: schemas (avsc), protocol
// hashes, and the encoding and bounded decoding of what crosses the wire.
//
// Our protocol text is the compact JSON of Flume's flume.avdl (no doc). Its MD5 differs from
// the hash Flume's generated class carries, which depends on the Avro compiler that built
// Flume; the two known ones are listed in FLUME_PROTOCOL_HASHES. Their message schemas are the
// same as ours, so a server treats them as its own protocol and a client may open with one.
import { createHash } from 'node:crypto';
import avro from 'avsc';
import type { Event } from '../core/event.js';
import { AvroDecodeError, AvroReader } from './reader.js';

export const PROTOCOL_TEXT =
  '{"protocol":"AvroSourceProtocol","namespace":"org.apache.flume.source.avro","types":[' +
  '{"type":"enum","name":"Status","symbols":["OK","FAILED","UNKNOWN"]},' +
  '{"type":"record","name":"AvroFlumeEvent","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}],' +
  '"messages":{"append":{"request":[{"name":"event","type":"AvroFlumeEvent"}],"response":"Status"},' +
  '"appendBatch":{"request":[{"name":"events","type":{"type":"array","items":"AvroFlumeEvent"}}],"response":"Status"}}}';

export const md5 = (text: string): Buffer => createHash('md5').update(text, 'utf8').digest();

export const PROTOCOL_HASH = md5(PROTOCOL_TEXT);

/**
 * MD5s of the protocol text inside Flume's own jars: Flume 1.11.0 (Avro 1.11.0's IDL compiler,
 * doc comment kept with its ` * ` prefixes) and builds made with Avro 1.11.1's compiler.
 */
export const FLUME_PROTOCOL_HASHES: readonly Buffer[] = [
  Buffer.from('86aadae2c45474c0fe93ffd0f2350a65', 'hex'),
  Buffer.from('8076c53714e01f6e2c1deb9544e7b1fe', 'hex'),
];

export type Status = 'OK' | 'FAILED' | 'UNKNOWN';
export const STATUS_SYMBOLS: readonly Status[] = ['OK', 'FAILED', 'UNKNOWN'];
export type MessageName = 'append' | 'appendBatch';

export const service = avro.Service.forProtocol(JSON.parse(PROTOCOL_TEXT));
const appendBatchRequest: avro.Type = service.message('appendBatch').requestType;
const appendRequest: avro.Type = service.message('append').requestType;

// ---- handshake records (org.apache.avro.ipc) ----------------------------------------------

const MD5_TYPE = { type: 'fixed', name: 'MD5', namespace: 'org.apache.avro.ipc', size: 16 } as const;

const handshakeRequestType = avro.Type.forSchema({
  type: 'record',
  name: 'HandshakeRequest',
  namespace: 'org.apache.avro.ipc',
  fields: [
    { name: 'clientHash', type: MD5_TYPE },
    { name: 'clientProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: 'MD5' },
    { name: 'meta', type: ['null', { type: 'map', values: 'bytes' }] },
  ],
});

const handshakeResponseType = avro.Type.forSchema({
  type: 'record',
  name: 'HandshakeResponse',
  namespace: 'org.apache.avro.ipc',
  fields: [
    { name: 'match', type: { type: 'enum', name: 'HandshakeMatch', symbols: ['BOTH', 'CLIENT', 'NONE'] } },
    { name: 'serverProtocol', type: ['null', 'string'] },
    { name: 'serverHash', type: ['null', MD5_TYPE] },
    { name: 'meta', type: ['null', { type: 'map', values: 'bytes' }] },
  ],
});

export type HandshakeMatch = 'BOTH' | 'CLIENT' | 'NONE';
const MATCHES: readonly HandshakeMatch[] = ['BOTH', 'CLIENT', 'NONE'];

export interface HandshakeRequest {
  clientHash: Buffer;
  clientProtocol: string | null;
  serverHash: Buffer;
  meta: Map<string, Buffer> | null;
}

export interface HandshakeResponse {
  match: HandshakeMatch;
  serverProtocol: string | null;
  serverHash: Buffer | null;
  meta: Map<string, Buffer> | null;
}

/** Java's client always sends `meta` as an empty map. */
export function encodeHandshakeRequest(r: Omit<HandshakeRequest, 'meta'>): Buffer {
  return handshakeRequestType.toBuffer({ ...r, meta: {} });
}

export function encodeHandshakeResponse(r: Omit<HandshakeResponse, 'meta'>): Buffer {
  return handshakeResponseType.toBuffer({ ...r, meta: null });
}

export function readHandshakeRequest(r: AvroReader): HandshakeRequest {
  const clientHash = r.fixed(16);
  const clientProtocol = r.unionIndex(2) === 1 ? r.string() : null;
  const serverHash = r.fixed(16);
  const meta = r.unionIndex(2) === 1 ? r.bytesMap() : null;
  return { clientHash, clientProtocol, serverHash, meta };
}

export function readHandshakeResponse(r: AvroReader): HandshakeResponse {
  const match = MATCHES[r.enumIndex(3)]!;
  const serverProtocol = r.unionIndex(2) === 1 ? r.string() : null;
  const serverHash = r.unionIndex(2) === 1 ? r.fixed(16) : null;
  const meta = r.unionIndex(2) === 1 ? r.bytesMap() : null;
  return { match, serverProtocol, serverHash, meta };
}

// ---- messages -----------------------------------------------------------------------------

/** One AvroFlumeEvent, read in place: the body is a slice of the frame. */
export function readEvent(r: AvroReader): Event {
  const headers = r.stringMap();
  return { headers, body: r.bytes() };
}

/** The params of appendBatch: array<AvroFlumeEvent>. */
export function readEvents(r: AvroReader): Event[] {
  let n = r.blockCount(2);
  // Java writes the whole batch as one block: an array of that size, filled in place.
  const out = new Array<Event>(n);
  for (let i = 0; i < n; i++) out[i] = readEvent(r);
  for (n = r.blockCount(2); n !== 0; n = r.blockCount(2)) {
    for (let i = 0; i < n; i++) out.push(readEvent(r));
  }
  return out;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The params of a message, Avro-encoded (avsc), as a view of a shared scratch buffer: valid
 * until the next call (copy it to keep it). Saves a copy of every batch on the way to the frame.
 */
export function encodeParamsTransient(message: MessageName, events: readonly Event[]): Buffer {
  const type = message === 'append' ? appendRequest : appendBatchRequest;
  const value = message === 'append' ? { event: events[0] } : { events };
  for (;;) {
    const end = type.encode(value, scratch, 0);
    if (end >= 0) return scratch.subarray(0, end);
    scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end + 1024));
  }
}

/** The params of a message, Avro-encoded, in a buffer of their own. */
export function encodeParams(message: MessageName, events: readonly Event[]): Buffer {
  return Buffer.from(encodeParamsTransient(message, events));
}

/** Flume's messages whose request schema in a client's protocol equals ours, by name. */
export function compatibleMessages(clientProtocolText: string): Set<MessageName> {
  let theirs: avro.Service;
  try {
    theirs = avro.Service.forProtocol(JSON.parse(clientProtocolText));
  } catch (e) {
    throw new AvroDecodeError(`the client's protocol cannot be read: ${(e as Error).message}`);
  }
  const out = new Set<MessageName>();
  for (const name of ['append', 'appendBatch'] as const) {
    const m = theirs.message(name);
    const ours = service.message(name);
    if (m && m.requestType.equals(ours.requestType) && m.responseType.equals(ours.responseType)) out.add(name);
  }
  return out;
}

export const hex = (b: Buffer): string => b.toString('hex');

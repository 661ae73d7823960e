// Hostile traffic, one attack per input: what is sent to which source, and how (all at once,
// slowly, half-sent and held open, cut off with a reset, as datagrams). Deterministic: attack
// `index` of a seed is always the same bytes.
import { encodeHandshakeRequest, encodeParams, FLUME_PROTOCOL_HASHES } from '../../../runtime/rpc/protocol.js';
import { encodeRequestFrame } from '../../../runtime/rpc/frame.js';
import { ODD_CHARS } from '../mutate.js';
import type { Rng } from '../rng.js';
import { SOURCES, UDP_SOURCES, type SourceName } from './agent.js';

export interface Attack {
  index: number;
  source: SourceName;
  /** Which of the source's ports (multiport_syslogtcp has two). */
  port: number;
  mode: 'send' | 'slow' | 'hold' | 'reset' | 'datagram';
  /** Sent in order: written back to back, or with `delayMs` between them when slow. */
  chunks: Buffer[];
  delayMs: number;
  /** How long to keep the connection open after the last write, reading what comes back. */
  holdMs: number;
  /** Events acknowledged by a 200 (HTTP requests framed exactly) or by an OK to each of `frames` Avro requests. */
  acks?: number;
  frames?: number;
  what: string;
}

// ---- bits and pieces ----------------------------------------------------------------------

function text(rng: Rng, max: number): string {
  const n = rng.skewed(max);
  let s = '';
  while (s.length < n) {
    const r = rng.int(20);
    if (r < 14) s += String.fromCharCode(0x20 + rng.int(0x5f));
    else if (r < 17) s += rng.pick(ODD_CHARS);
    else if (r < 19) s += String.fromCodePoint(rng.int(0x11_0000));
    else s += 'abcdefghij'.repeat(1 + rng.int(10));
  }
  return s.slice(0, Math.max(n, 0));
}

/** Bit flips, inserted, cut and repeated bytes. */
function mutate(rng: Rng, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const n = 1 + rng.skewed(8);
  for (let k = 0; k < n; k++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(5)) {
      case 0:
        if (b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << rng.int(8);
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.skewed(16)), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.skewed(32))]);
        break;
      case 3: {
        const piece = b.subarray(at, at + 1 + rng.skewed(64));
        b = Buffer.concat([b.subarray(0, at), ...Array(1 + rng.skewed(16)).fill(piece), b.subarray(at)]);
        break;
      }
      default:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(['\n', '\r\n', '\r', '\0', '\xff', '{', '[', '"', '<', '>', ':', ' ']), 'latin1'), b.subarray(at)]);
    }
  }
  return b;
}

/** A size: mostly small, sometimes large, rarely huge. */
function size(rng: Rng, small: number, large: number, huge: number): number {
  const r = rng.int(1000);
  if (r < 8) return large + rng.int(huge - large);
  if (r < 60) return small + rng.int(large - small);
  return rng.skewed(small);
}

/** Percent-encoding of the UTF-8 bytes (lone surrogates become U+FFFD, as a browser sends them). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`;
  return out;
}

// ---- per protocol -------------------------------------------------------------------------

function netcatPayload(rng: Rng): { bytes: Buffer; what: string } {
  switch (rng.int(5)) {
    case 0:
      return { bytes: rng.bytes(size(rng, 256, 64 * 1024, 4 << 20)), what: 'random bytes' };
    case 1: {
      const long = 'x'.repeat(513 + rng.skewed(200_000));
      return { bytes: Buffer.from(`ok\n${long}\n${'more\n'.repeat(rng.skewed(5000))}`), what: 'an over-long line, then more lines' };
    }
    case 2: {
      const lines = Array.from({ length: 1 + size(rng, 20, 2000, 50_000) }, () => text(rng, 100).replace(/\n/g, ' '));
      return { bytes: mutate(rng, Buffer.from(`${lines.join('\n')}\n`)), what: 'mutated lines' };
    }
    default: {
      const lines = Array.from({ length: 1 + size(rng, 20, 5000, 100_000) }, () => text(rng, 200).replace(/\n/g, ' '));
      return { bytes: Buffer.from(`${lines.join(rng.pick(['\n', '\r\n']))}${rng.chance(0.8) ? '\n' : ''}`), what: 'lines' };
    }
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Foo', ''];

function syslogMessage(rng: Rng): string {
  const pri = rng.pick(['13', '0', '191', '192', '999', '-1', '', '00013', '1'.repeat(40), 'x', String(rng.int(200))]);
  const msg = text(rng, rng.chance(0.05) ? 70_000 : 200).replace(/\n/g, ' ');
  const d2 = () => String(rng.int(rng.chance(0.9) ? 60 : 100)).padStart(2, '0');
  let line: string;
  if (rng.chance(0.5)) {
    line = `<${pri}>${rng.pick(MONTHS)} ${rng.pick([' 6', '06', '31', '0', '99'])} ${d2()}:${d2()}:${d2()} ${rng.pick(['host', '', '-', 'h'.repeat(300)])} ${rng.pick(['app', 'app[12]', ''])}: ${msg}`;
  } else {
    const year = rng.pick(['2026', '1969', '99999', '0000', '20x6']);
    const zone = rng.pick(['Z', '+01:00', '-23:59', '+99:99', '', '.123456789Z']);
    const sd = rng.pick(['-', '[id a="1"]', '[id a="\\"]"]', '[', '[x]'.repeat(rng.skewed(500)), '[id ' + 'a="b" '.repeat(rng.skewed(2000)) + ']']);
    line = `<${pri}>${rng.pick(['1', '2', '', '01'])} ${year}-${d2()}-${d2()}T${d2()}:${d2()}:${d2()}${zone} ${rng.pick(['host', '-', ''])} app ${rng.pick(['-', '123'])} ${rng.pick(['-', 'ID1'])} ${sd} ${msg}`;
  }
  return line;
}

function syslogStream(rng: Rng): { bytes: Buffer; what: string } {
  if (rng.chance(0.15)) return { bytes: rng.bytes(size(rng, 256, 64 * 1024, 4 << 20)), what: 'random bytes' };
  const n = 1 + size(rng, 20, 2000, 30_000);
  const msgs = Array.from({ length: n }, () => syslogMessage(rng));
  const bytes = Buffer.from(`${msgs.join(rng.pick(['\n', '\r\n', '\n\n']))}${rng.chance(0.8) ? '\n' : ''}`);
  return rng.chance(0.3) ? { bytes: mutate(rng, bytes), what: 'mutated syslog messages' } : { bytes, what: 'syslog messages' };
}

const HEADER_KEYS = ['a', 'host', 'timestamp', '', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'é', 'k'.repeat(300)];

function jsonEvents(rng: Rng): { body: string; events?: number; what: string } {
  switch (rng.int(8)) {
    case 0: {
      const n = size(rng, 100, 50_000, 1_500_000);
      return { body: `[${'{},'.repeat(n)}{}]`, events: n + 1, what: `${n + 1} empty events` };
    }
    case 1: {
      const depth = 1 + rng.skewed(200_000);
      return { body: rng.pick(['[', '{"a":', '[{"headers":']).repeat(depth), what: `nesting ${depth} deep` };
    }
    case 2:
      return { body: rng.pick(['{}', 'null', '1', '"x"', '[1]', '[null]', '[[]]', '[{"headers":[]}]', '[{"headers":{"a":{}}}]', '[{"body":{}}]', '', ' ', '[{"headers":{"a":1e999}}]']), what: 'not an array of events' };
    default: {
      const n = 1 + size(rng, 20, 2000, 20_000);
      const events = Array.from({ length: n }, () => {
        const headers: Record<string, unknown> = {};
        for (let k = rng.skewed(6); k > 0; k--) headers[rng.pick(HEADER_KEYS)] = rng.pick([text(rng, 40), 1, true, null, 1.5e300]);
        return rng.chance(0.1) ? { headers } : { headers, body: rng.chance(0.9) ? text(rng, rng.chance(0.01) ? 1_000_000 : 300) : rng.int(1000) };
      });
      const body = JSON.stringify(events);
      if (rng.chance(0.3)) return { body: mutate(rng, Buffer.from(body)).toString('latin1'), what: 'mutated events' };
      return { body, events: n, what: `${n} events` };
    }
  }
}

/** An HTTP/1.1 request, sometimes framed wrongly on purpose. */
function httpRequest(rng: Rng, blob: boolean): { bytes: Buffer; exact: boolean; events?: number; what: string } {
  let body: Buffer;
  let events: number | undefined;
  let what: string;
  let charset: string | undefined;
  if (blob) {
    body = rng.chance(0.5) ? rng.bytes(size(rng, 1024, 256 * 1024, 8 << 20)) : Buffer.from(text(rng, 400));
    events = 1;
    what = `a blob of ${body.length} bytes`;
  } else {
    const j = jsonEvents(rng);
    charset = rng.chance(0.85) ? undefined : rng.pick(['utf-8', 'UTF-16', 'UTF-16LE', 'UTF-16BE', 'UTF-32', 'ISO-8859-1', 'nope', '"utf-8"', '']);
    const enc = charset?.toUpperCase().startsWith('UTF-16') ? 'utf16le' : 'utf8';
    body = Buffer.from(j.body, enc === 'utf16le' ? 'utf16le' : 'utf8');
    events = charset === undefined || charset === 'utf-8' ? j.events : undefined;
    what = `${j.what}${charset !== undefined ? ` in charset ${charset}` : ''}`;
  }
  const method = rng.pick(['POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'TRACE', 'OPTIONS', 'DELETE', 'X'.repeat(1 + rng.skewed(100)), '']);
  const query = blob && rng.chance(0.5) ? `?${Array.from({ length: 1 + rng.skewed(20) }, () => `${pct(rng.pick(HEADER_KEYS))}=${rng.chance(0.9) ? pct(text(rng, 20)) : rng.pick(['%', '%zz', '%ff%fe', '=', '&&', '+'])}`).join('&')}` : '';
  const path = rng.chance(0.95) ? `/${query}` : rng.pick(['/%zz', '*', '/' + 'a'.repeat(rng.skewed(100_000)), 'http://x/', '']);
  const headers = [`Host: 127.0.0.1`, `Content-Type: ${blob ? 'application/octet-stream' : 'application/json'}${charset !== undefined ? `; charset=${charset}` : ''}`];
  let framing = 'length';
  const r = rng.int(100);
  if (r < 6) framing = 'chunked';
  else if (r < 9) framing = 'short';
  else if (r < 12) framing = 'long';
  else if (r < 14) framing = 'none';
  else if (r < 16) framing = 'twice';
  if (framing === 'length') headers.push(`Content-Length: ${body.length}`);
  else if (framing === 'short') headers.push(`Content-Length: ${rng.int(body.length + 1)}`);
  else if (framing === 'long') headers.push(`Content-Length: ${body.length + 1 + rng.skewed(1 << 30)}`);
  else if (framing === 'twice') headers.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
  else if (framing === 'chunked') headers.push('Transfer-Encoding: chunked');
  if (rng.chance(0.05)) for (let k = rng.skewed(3000); k > 0; k--) headers.push(`X-${k}: ${text(rng, 50).replace(/[\r\n]/g, '')}`);
  if (rng.chance(0.03)) headers.push(`X-Big: ${'b'.repeat(rng.skewed(200_000))}`);
  headers.push('Connection: close');
  let payload = body;
  if (framing === 'chunked') {
    const cut = rng.int(body.length + 1);
    const pieces = [body.subarray(0, cut), body.subarray(cut)].filter((p) => p.length > 0);
    const size = (n: number) => (rng.chance(0.9) ? n.toString(16) : rng.pick(['zz', '-1', 'fffffffffffffff', '']));
    payload = Buffer.concat([...pieces.flatMap((p) => [Buffer.from(`${size(p.length)}\r\n`), p, Buffer.from('\r\n')]), Buffer.from(rng.chance(0.9) ? '0\r\n\r\n' : '')]);
  }
  let head: Buffer = Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  const exact = framing === 'length' && method === 'POST' && path.startsWith('/') && path.length < 4096;
  if (rng.chance(0.1)) head = mutate(rng, head);
  const mutatedHead = !head.toString('latin1').startsWith(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
  return { bytes: Buffer.concat([head, payload]), exact: exact && !mutatedHead, ...(events !== undefined ? { events } : {}), what: `${method || '(no method)'} ${framing}: ${what}` };
}

const FLUME_HASH = FLUME_PROTOCOL_HASHES[0]!;

/** Frames; `acks` (the events of all of them) only when every frame is a well-formed request after one handshake. */
function avroFrames(rng: Rng): { bytes: Buffer; what: string; acks?: number; frames?: number } {
  if (rng.chance(0.15)) return { bytes: rng.bytes(size(rng, 256, 64 * 1024, 1 << 20)), what: 'random bytes' };
  const frames: Buffer[] = [];
  const n = 1 + rng.skewed(4);
  let wellFormed = true;
  let sent = 0;
  for (let f = 0; f < n; f++) {
    const events = Array.from({ length: rng.skewed(rng.chance(0.02) ? 20_000 : 50) }, () => {
      const headers: Record<string, string> = {};
      for (let k = rng.skewed(4); k > 0; k--) headers[rng.pick(HEADER_KEYS)] = text(rng, 30);
      return { headers, body: Buffer.from(text(rng, 200)) };
    });
    const name = rng.chance(0.8) ? 'appendBatch' : 'append';
    const params = name === 'append' ? encodeParams('append', [events[0] ?? { headers: {}, body: Buffer.alloc(0) }]) : encodeParams('appendBatch', events);
    const withText = rng.chance(0.1);
    const handshake = f === 0 && rng.chance(0.9) ? encodeHandshakeRequest({ clientHash: FLUME_HASH, clientProtocol: withText ? '{"protocol":"x"}' : null, serverHash: FLUME_HASH }) : Buffer.alloc(0);
    if ((f === 0 && (handshake.length === 0 || withText)) || (name === 'append' && events.length === 0)) wellFormed = false;
    const nameBytes = Buffer.from(`\x00${String.fromCharCode(name.length * 2)}${name}`, 'latin1');
    let frame: Buffer = encodeRequestFrame(rng.next() | 0, Buffer.concat([handshake, nameBytes]), params);
    sent += name === 'append' ? 1 : events.length;
    if (rng.chance(0.5)) {
      wellFormed = false;
      frame = mutate(rng, frame);
      if (rng.chance(0.3) && frame.length >= 8) frame.writeInt32BE(rng.pick([0x7fffffff, -1, 0, 1 << 20, rng.next() | 0]), 4);
      if (rng.chance(0.3) && frame.length >= 12) frame.writeInt32BE(rng.pick([0x7fffffff, -1, 0, 64 << 20, rng.next() | 0]), 8);
    }
    frames.push(frame);
  }
  return { bytes: Buffer.concat(frames), what: `${n} request frame(s)${wellFormed ? `, well-formed, ${sent} event(s)` : ''}`, ...(wellFormed ? { acks: sent, frames: n } : {}) };
}

// ---- delivery -----------------------------------------------------------------------------

function cut(rng: Rng, bytes: Buffer, pieces: number): Buffer[] {
  if (pieces <= 1 || bytes.length <= 1) return [bytes];
  const points = Array.from({ length: pieces - 1 }, () => rng.int(bytes.length)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out.filter((b) => b.length > 0);
}

export function makeAttack(rng: Rng, index: number): Attack {
  const source = SOURCES[index % SOURCES.length]!;
  const port = source === 'multiport_syslogtcp' ? rng.int(2) : 0;
  const base = { index, source, port, delayMs: 0, holdMs: 0 };
  if (UDP_SOURCES.has(source)) {
    const count = 1 + rng.skewed(rng.chance(0.05) ? 2000 : 20);
    const chunks = Array.from({ length: count }, () => {
      if (source === 'syslogudp' && rng.chance(0.8)) {
        const m = Buffer.from(syslogMessage(rng));
        return (rng.chance(0.3) ? mutate(rng, m) : m).subarray(0, 65_507);
      }
      return rng.chance(0.05) ? rng.bytes(rng.pick([0, 65_507, rng.int(65_508)])) : Buffer.from(text(rng, 500)).subarray(0, 65_507);
    });
    return { ...base, mode: 'datagram', chunks, what: `${count} datagram(s)` };
  }
  let bytes: Buffer;
  let what: string;
  let acks: number | undefined;
  let frames: number | undefined;
  if (source === 'http_json' || source === 'http_blob') {
    const req = httpRequest(rng, source === 'http_blob');
    bytes = req.bytes;
    what = req.what;
    if (req.exact && req.events !== undefined) acks = req.events;
  } else if (source === 'netcat') {
    ({ bytes, what } = netcatPayload(rng));
  } else if (source === 'avro') {
    const f = avroFrames(rng);
    ({ bytes, what } = f);
    if (f.acks !== undefined) [acks, frames] = [f.acks, f.frames];
  } else {
    ({ bytes, what } = syslogStream(rng));
  }
  const r = rng.int(100);
  if (r < 4) {
    const chunks = cut(rng, bytes.subarray(0, 64 * 1024), 2 + rng.skewed(30));
    return { ...base, mode: 'slow', chunks, delayMs: 10 + rng.int(100), holdMs: rng.int(500), what: `slowly: ${what}` };
  }
  if (r < 7) {
    return { ...base, mode: 'hold', chunks: [bytes.subarray(0, rng.int(bytes.length + 1))], holdMs: 200 + rng.int(3000), what: `part, then held open: ${what}` };
  }
  if (r < 10) {
    return { ...base, mode: 'reset', chunks: [bytes.subarray(0, rng.int(bytes.length + 1))], what: `part, then reset: ${what}` };
  }
  return { ...base, mode: 'send', chunks: cut(rng, bytes, 1 + rng.skewed(4)), ...(acks !== undefined ? { acks } : {}), ...(frames !== undefined ? { frames } : {}), what };
}

// Syslog parsing as Flume's sources do it.
//  - SyslogDecoder: syslogtcp and syslogudp (Flume's SyslogUtils). A record starts with
//    `<PRI>` (1–3 digits), ends at LF (TCP; UDP: the datagram, up to its first LF), and is cut
//    at eventSize bytes (marked Incomplete, the rest read as the next record). It is matched
//    against a custom format.regex, then RFC 5424, then RFC 3164; headers `Facility`,
//    `Severity`, lower-case `priority`, `version`, `timestamp`, `host`, and
//    `flume.syslog.status` (Invalid, Incomplete). Like Flume, `priority` and `version` carry
//    over to a following record of the same connection that matches no format.
//  - parseMultiport: multiport_syslogtcp (Flume's SyslogParser), capitalised `Priority` and
//    `Version`, stricter, UTC times.
//
// Speed (syslogtcp): complete RFC 3164 records of ASCII text are read by a byte scanner
// (`SyslogDecoder.fast3164`) that gives exactly what the regular expressions give, without
// copying the record or decoding it to a string: the body is a slice of the network chunk and
// the timestamp of a stamp seen in the last second is reused. Anything else (RFC 5424, custom
// formats, non-ASCII text, CR, records cut at eventSize or split across chunks, UDP) takes the
// general path, the regular expressions.
import { isAscii } from 'node:buffer';
import { newHeaders, type Event, type Headers } from '../core/event.js';
import { compileDateFormat, type DateParser } from './dateformat.js';
import { javaRegex } from './regex.js';

export const STATUS = 'flume.syslog.status';

/** null: keep nothing; 'all': the whole line is the body; a set: those fields go back in front of the body. */
export type KeepFields = null | 'all' | Set<string>;

export function chooseKeepFields(value: string | undefined): KeepFields {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === 'none') return null;
  if (v === 'true' || v === 'all') return 'all';
  const set = new Set<string>();
  for (const f of ['priority', 'version', 'timestamp', 'hostname']) if (v.includes(f)) set.add(f);
  return set;
}

export function addFieldsToBody(
  keep: KeepFields,
  body: string,
  priority: string | null,
  version: string | null,
  timestamp: string | null,
  hostname: string | null,
): string {
  if (keep === null || keep === 'all') return body;
  if (keep.has('hostname')) body = `${hostname} ${body}`;
  if (keep.has('timestamp')) body = `${timestamp} ${body}`;
  if (keep.has('version') && version) body = `${version} ${body}`;
  if (keep.has('priority')) body = `<${priority}>${body}`;
  return body;
}

const RFC5424 =
  /^(?:<(\d{1,3})>)(?:(\d?)\s?)(?:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|Z)?)|-)\s(?:([\w][\w\d.@-]*)|-)\s(.*)$/;
const RFC3164 = /^(?:<(\d{1,3})>)(?:(\d)?\s?)([A-Z][a-z][a-z]\s{1,2}\d{1,2}\s\d{2}:\d{2}:\d{2})\s([\w][\w\d.@-]*)\s(.*)$/;

/** Text of 0…999, of the facility (pri / 8) and severity (pri % 8) of each priority. */
const NUM_TEXT = Array.from({ length: 1000 }, (_, i) => String(i));
const FACILITY_TEXT = Array.from({ length: 1000 }, (_, i) => String(Math.floor(i / 8)));
const SEVERITY_TEXT = Array.from({ length: 1000 }, (_, i) => String(i % 8));

/** Byte classes of the RFC 3164 host name `[\w][\w\d.@-]*`: 1 a word character, 2 `.`, `@` or `-`. */
const HOST_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_]/.test(ch)) HOST_BYTE[c] = 1;
  else if (ch === '.' || ch === '@' || ch === '-') HOST_BYTE[c] = 2;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;

function digitAt(b: Buffer, i: number): number {
  const c = b[i]! - 0x30;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i, i+1 as a number, or -1. */
function twoDigits(b: Buffer, i: number): number {
  const a = digitAt(b, i);
  if (a < 0) return -1;
  const c = digitAt(b, i + 1);
  return c < 0 ? -1 : a * 10 + c;
}

interface Format {
  regex: RegExp;
  search: [RegExp, string][];
  dates: DateParser[];
  addYear: boolean;
}

export interface CustomFormat {
  regex: string;
  search?: string;
  replace?: string;
  dateFormat?: string;
}

function builtinFormats(): Format[] {
  return [
    {
      regex: RFC5424,
      search: [
        [/Z/g, '+0000'],
        [/([+-])(\d{2}):(\d{2})/g, '$1$2$3'],
        [/(T\d{2}:\d{2}:\d{2}\.\d{3})(\d*)/g, '$1'],
      ],
      dates: ["yyyy-MM-dd'T'HH:mm:ss.S", "yyyy-MM-dd'T'HH:mm:ss.SZ", "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss"].map(compileDateFormat),
      addYear: false,
    },
    { regex: RFC3164, search: [[/ {2}/g, ' ']], dates: [compileDateFormat('yyyyMMM d HH:mm:ss')], addYear: true },
  ];
}

/** RFC 3164 stamps have no year: the current one, moved back a year if that puts it more than a month ahead, forward if more than 11 months behind. */
function fixYear(t: number): number {
  const now = Date.now();
  const d = new Date(t);
  const minusMonth = new Date(t);
  minusMonth.setMonth(minusMonth.getMonth() - 1);
  const plus11 = new Date(t);
  plus11.setMonth(plus11.getMonth() + 11);
  if (t > now && minusMonth.getTime() > now) d.setFullYear(d.getFullYear() - 1);
  else if (t < now && plus11.getTime() < now) d.setFullYear(d.getFullYear() + 1);
  return d.getTime();
}

const enum Mode {
  START,
  PRIO,
  DATA,
}

export class SyslogDecoder {
  private mode = Mode.START;
  private prio = '';
  private data: Buffer;
  private len = 0;
  private bad = false;
  private incomplete = false;
  private priority: string | null = null;
  private version: string | null = null;
  private readonly formats: Format[];
  /** The byte scanner for RFC 3164 applies: TCP, no custom format. */
  private readonly fast: boolean;
  private readonly rfc3164: Format;
  // Timestamps of recent RFC 3164 stamps (by stampKey), reused for up to a second.
  private stampKey = -1;
  private stampText: string | null = null;
  private readonly stamps = new Map<number, string | null>();
  private stampsAt = 0;
  // The last host name, to reuse its string.
  private hostBytes: Buffer = Buffer.alloc(0);
  private hostText = '';

  constructor(
    private readonly maxSize: number,
    private readonly keep: KeepFields,
    private readonly udp: boolean,
    custom?: CustomFormat,
    where = 'syslog source',
  ) {
    this.maxSize = Math.max(10, maxSize);
    this.data = Buffer.allocUnsafe(this.maxSize);
    this.formats = builtinFormats();
    this.rfc3164 = this.formats[1]!;
    this.fast = !udp && !custom;
    if (custom) {
      const f: Format = { regex: javaRegex(`^(?:${custom.regex})$`, '', where), search: [], dates: [], addYear: false };
      if (custom.search !== undefined) f.search.push([javaRegex(custom.search, 'g', where), custom.replace ?? '']);
      if (custom.dateFormat) f.dates.push(compileDateFormat(custom.dateFormat));
      this.formats.unshift(f);
    }
  }

  /** Reads a TCP stream chunk; pushes every completed record. */
  feed(chunk: Buffer, out: Event[]): void {
    for (let i = 0; i < chunk.length; i++) {
      if (this.fast && this.mode === Mode.START) {
        i = this.fastRecords(chunk, i, out);
        if (i >= chunk.length) return;
      }
      const b = chunk[i]!;
      switch (this.mode) {
        case Mode.START:
          if (b === 0x3c) {
            this.data[this.len++] = b;
            this.mode = Mode.PRIO;
          } else if (b !== 0x0a) {
            this.bad = true;
            this.data[this.len++] = b;
            this.mode = Mode.DATA;
          }
          break;
        case Mode.PRIO:
          this.data[this.len++] = b;
          if (b === 0x3e) {
            if (this.prio.length === 0) this.bad = true;
            this.mode = Mode.DATA;
          } else {
            this.prio += String.fromCharCode(b);
            if (b < 0x30 || b > 0x39 || this.prio.length > 3) {
              this.bad = true;
              this.mode = Mode.DATA;
            }
          }
          break;
        case Mode.DATA: {
          // Copy the run of data up to the next LF (or the size limit) at once.
          const nl = chunk.indexOf(0x0a, i);
          const stop = Math.min(nl < 0 ? chunk.length : nl, i + (this.maxSize - this.len));
          if (stop > i) {
            chunk.copy(this.data, this.len, i, stop);
            this.len += stop - i;
            i = stop - 1;
            if (this.len >= this.maxSize) {
              this.incomplete = true;
              out.push(this.build());
            }
            break;
          }
          if (b === 0x0a) {
            out.push(this.build());
            if (this.udp) return;
          }
          break;
        }
      }
      if (this.mode !== Mode.DATA && this.len >= this.maxSize) {
        this.incomplete = true;
        out.push(this.build());
      }
    }
  }

  /**
   * From a record boundary, reads every following record that lies whole in the chunk (no cut
   * at eventSize) and starts with a valid `<PRI>`, straight from the chunk; returns where the
   * state machine must go on (a record it does not take, or the end of the chunk). What it
   * builds is what the state machine would: a record with a valid priority, neither bad nor
   * incomplete, whose raw bytes are [start, LF).
   */
  private fastRecords(chunk: Buffer, i: number, out: Event[]): number {
    const n = chunk.length;
    let ascii = -1; // is the whole chunk ASCII? (-1: not known yet)
    let cr = -2; // the first CR at or after i; -1: none
    let now = 0;
    while (i < n) {
      const c = chunk[i]!;
      if (c === LF) {
        i++;
        continue;
      }
      if (c !== 0x3c) return i;
      const nl = chunk.indexOf(LF, i + 1);
      if (nl < 0 || nl - i >= this.maxSize) return i;
      let p = i + 1;
      let pri = 0;
      let d: number;
      while ((d = digitAt(chunk, p)) >= 0 && p - i <= 3) {
        pri = pri * 10 + d;
        p++;
      }
      const digits = p - i - 1;
      if (digits === 0 || digits > 3 || chunk[p] !== 0x3e) return i;
      const prioText = digits === 1 || chunk[i + 1] !== 0x30 ? NUM_TEXT[pri]! : chunk.toString('latin1', i + 1, p);
      let e: Event | undefined;
      if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i);
      if (cr < 0 || cr > nl) {
        if (ascii < 0) ascii = isAscii(chunk) ? 1 : 0;
        if (ascii === 1 || isAscii(chunk.subarray(i, nl))) {
          if (now === 0) now = this.clock();
          e = this.fast3164(chunk, i, p + 1, nl, pri, prioText);
        }
      }
      out.push(e ?? this.make(chunk.subarray(i, nl), prioText, false, false));
      i = nl + 1;
    }
    return i;
  }

  /** Date.now(), and forgets the stamps of more than a second ago. */
  private clock(): number {
    const now = Date.now();
    if (now - this.stampsAt >= 1000) {
      this.stampsAt = now;
      this.stampKey = -1;
      this.stamps.clear();
    }
    return now;
  }

  /**
   * The RFC 3164 expression, matched byte by byte on an ASCII record without CR whose priority
   * is valid; undefined when it does not match (the general path decides then). When RFC 3164
   * matches, RFC 5424 cannot (its stamp starts with a digit or `-`, at the place where RFC 3164
   * needs an upper-case letter), so the first format that matches is this one, as on the
   * general path.
   */
  private fast3164(b: Buffer, start: number, q: number, nl: number, pri: number, prioText: string): Event | undefined {
    // (\d)?\s?
    let version: string | null = null;
    const v = digitAt(b, q);
    if (v >= 0) {
      version = NUM_TEXT[v]!;
      q++;
    }
    if (b[q] === SP) q++;
    // [A-Z][a-z][a-z]\s{1,2}\d{1,2}\s\d{2}:\d{2}:\d{2}
    const stampStart = q;
    const m0 = b[q]! - 0x41;
    if (m0 < 0 || m0 > 25) return undefined;
    const m1 = b[q + 1]! - 0x61;
    if (m1 < 0 || m1 > 25) return undefined;
    const m2 = b[q + 2]! - 0x61;
    if (m2 < 0 || m2 > 25) return undefined;
    q += 3;
    if (b[q] !== SP) return undefined;
    q++;
    if (b[q] === SP) q++;
    let day = digitAt(b, q);
    if (day < 0) return undefined;
    q++;
    const d2 = digitAt(b, q);
    if (d2 >= 0) {
      day = day * 10 + d2;
      q++;
    }
    if (b[q] !== SP) return undefined;
    const hh = twoDigits(b, q + 1);
    if (hh < 0 || b[q + 3] !== 0x3a) return undefined;
    const mm = twoDigits(b, q + 4);
    if (mm < 0 || b[q + 6] !== 0x3a) return undefined;
    const ss = twoDigits(b, q + 7);
    if (ss < 0) return undefined;
    q += 9;
    const stampEnd = q;
    // \s([\w][\w\d.@-]*)\s
    if (b[q] !== SP || HOST_BYTE[b[q + 1]!] !== 1) return undefined;
    const hostStart = ++q;
    while (q < nl && HOST_BYTE[b[q]!]! > 0) q++;
    if (q >= nl || b[q] !== SP) return undefined;
    const host = this.hostName(b, hostStart, q);
    q++;
    // (.*)$: the rest of an ASCII record without CR always matches.
    const key = ((((m0 * 26 + m1) * 26 + m2) * 100 + day) * 100 + hh) * 1e4 + mm * 100 + ss;
    let timestamp: string | null;
    if (key === this.stampKey) timestamp = this.stampText;
    else {
      const known = this.stamps.get(key);
      timestamp = known !== undefined ? known : this.stampOf(this.rfc3164, b.toString('latin1', stampStart, stampEnd));
      if (known === undefined) {
        if (this.stamps.size >= 1000) this.stamps.clear();
        this.stamps.set(key, timestamp);
      }
      this.stampKey = key;
      this.stampText = timestamp;
    }
    this.priority = prioText;
    this.version = version;
    let body: Buffer;
    const keep = this.keep;
    if (keep === null) body = b.subarray(q < nl ? q : start, nl);
    else if (keep === 'all') body = b.subarray(start, nl);
    else {
      const text = addFieldsToBody(keep, b.toString('latin1', q, nl), prioText, version, b.toString('latin1', stampStart, stampEnd), host);
      body = text ? Buffer.from(text, 'utf8') : b.subarray(start, nl);
    }
    const facility = FACILITY_TEXT[pri]!;
    const severity = SEVERITY_TEXT[pri]!;
    const headers = newHeaders();
    headers.Facility = facility;
    headers.Severity = severity;
    headers.priority = prioText;
    if (version) headers.version = version;
    // RFC 3164 (no version) keeps even an empty timestamp; RFC 5424 only a present one
    if (timestamp !== null && (version === null || timestamp !== '')) headers.timestamp = timestamp;
    headers.host = host;
    return { headers, body };
  }

  /** The host name at [start, end) as a string, reusing the last one when the bytes are the same. */
  private hostName(b: Buffer, start: number, end: number): string {
    const last = this.hostBytes;
    const len = end - start;
    if (len === last.length) {
      let i = 0;
      while (i < len && b[start + i] === last[i]) i++;
      if (i === len) return this.hostText;
    }
    this.hostBytes = Buffer.from(b.subarray(start, end));
    this.hostText = b.toString('latin1', start, end);
    return this.hostText;
  }

  /** One UDP datagram: one event (bytes after its first LF are ignored). */
  datagram(msg: Buffer): Event | undefined {
    const out: Event[] = [];
    this.feed(msg, out);
    if (out.length > 0) {
      this.reset();
      return out[0];
    }
    if (this.len === 0) {
      this.reset();
      return undefined;
    }
    return this.build();
  }

  private build(): Event {
    const e = this.make(Buffer.from(this.data.subarray(0, this.len)), this.prio, this.bad, this.incomplete);
    this.reset();
    return e;
  }

  /** The timestamp header of a stamp (group 3) in a format, or null when no date pattern reads it. */
  private stampOf(fmt: Format, value: string): string | null {
    let v = value;
    for (const [re, rep] of fmt.search) v = v.replace(re, rep);
    if (fmt.addYear) v = `${new Date().getFullYear()}${v}`;
    for (const parse of fmt.dates) {
      const t = parse(v);
      if (t === undefined || Number.isNaN(t)) continue;
      return String(fmt.addYear ? fixYear(t) : t);
    }
    return null;
  }

  /** The general path: the formats' regular expressions over the decoded record. */
  private make(raw: Buffer, prio: string, bad: boolean, incomplete: boolean): Event {
    const headers = newHeaders();
    let facility = 0;
    let severity = 0;
    let timestamp: string | null = null;
    let host: string | null = null;
    let body: string | null = null;
    if (!bad && prio.length > 0) {
      const pri = Number(prio);
      severity = pri % 8;
      facility = Math.floor(pri / 8);
      const text = raw.toString('utf8');
      for (const fmt of this.formats) {
        const m = fmt.regex.exec(text);
        if (!m) continue;
        let stampText: string | null = null;
        for (let g = 1; g < m.length; g++) {
          const value = m[g] ?? null;
          if (g === 3) {
            stampText = value;
            if (value !== null) timestamp = this.stampOf(fmt, value);
          } else if (g === 4) host = value;
          else if (g === 1) this.priority = value;
          else if (g === 2) this.version = value;
          else if (g === 5) body = addFieldsToBody(this.keep, value ?? '', this.priority, this.version, stampText, host);
        }
        break;
      }
    }
    headers.Facility = String(facility);
    headers.Severity = String(severity);
    if (this.priority) headers.priority = this.priority;
    if (this.version) headers.version = this.version;
    if (timestamp) headers.timestamp = timestamp;
    if (host) headers.host = host;
    if (bad) headers[STATUS] = 'Invalid';
    else if (incomplete) headers[STATUS] = 'Incomplete';
    return { headers, body: this.keep !== 'all' && body ? Buffer.from(body, 'utf8') : raw };
  }

  private reset(): void {
    this.mode = Mode.START;
    this.prio = '';
    this.len = 0;
    this.bad = false;
    this.incomplete = false;
  }
}

// ---- multiport_syslogtcp ---------------------------------------------------------------------

const RFC3164_LEN = 15;
const MONTHS3 = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function rfc3164Utc(ts: string): number {
  const m = /^([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/.exec(ts);
  if (!m) return 0;
  const month = MONTHS3.indexOf(m[1]!.toLowerCase());
  if (month < 0) return 0;
  return Date.UTC(new Date().getUTCFullYear(), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

function rfc5424Utc(ts: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/.exec(ts);
  if (!m) throw new Error(`bad RFC 5424 timestamp \`${ts}\``);
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[7]) t += Math.floor(Number(`0.${m[7]}`) * 1000);
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    t -= sign * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6))) * 60_000;
  }
  return t;
}

/** Parses one multiport record (already decoded); throws on a record that is not syslog. */
export function parseMultiport(msg: string, keep: KeepFields): { headers: Headers; body: string } {
  const headers = newHeaders();
  if (msg[0] !== '<') throw new Error('no `<` at the start');
  const end = msg.indexOf('>');
  if (end <= 0 || end > 6) throw new Error('no `>` after the priority');
  const priority = msg.slice(1, end);
  if (!/^\d+$/.test(priority)) throw new Error('the priority is not a number');
  const pri = Number(priority);
  headers.Priority = priority;
  headers.Facility = String(Math.floor(pri / 8));
  headers.Severity = String(pri % 8);
  if (msg.length <= end + 1) throw new Error('nothing after the priority');
  let pos = end + 1;
  let version: string | null = null;
  if (msg.length > pos + 2 && msg.startsWith('1 ', pos)) {
    version = '1';
    headers.Version = version;
    pos += 2;
  }
  let ts: number;
  let tsText: string;
  const c = msg[pos]!;
  if (c === '-') {
    tsText = '-';
    ts = Date.now();
    if (msg.length <= pos + 2) throw new Error('no host name');
    pos += 2;
  } else if (c >= 'A' && c <= 'Z') {
    if (msg.length <= pos + RFC3164_LEN) throw new Error('no host name');
    tsText = msg.slice(pos, pos + RFC3164_LEN);
    ts = rfc3164Utc(tsText);
    pos += RFC3164_LEN + 1;
  } else {
    const sp = msg.indexOf(' ', pos);
    if (sp < 0) throw new Error('no host name');
    tsText = msg.slice(pos, sp);
    ts = rfc5424Utc(tsText);
    pos = sp + 1;
  }
  headers.timestamp = String(ts);
  const sp = msg.indexOf(' ', pos);
  if (sp < 0) throw new Error('no host name');
  const hostname = msg.slice(pos, sp);
  headers.host = hostname;
  let body: string;
  if (msg.length > sp + 1 && keep !== 'all') body = addFieldsToBody(keep, msg.slice(sp + 1), priority, version, tsText, hostname);
  else body = msg;
  return { headers, body };
}

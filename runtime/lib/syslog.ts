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
import type { Event, Headers } from '../core/event.js';
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
    const raw = Buffer.from(this.data.subarray(0, this.len));
    const headers: Headers = {};
    let facility = 0;
    let severity = 0;
    let timestamp: string | null = null;
    let host: string | null = null;
    let body: string | null = null;
    if (!this.bad && this.prio.length > 0) {
      const pri = Number(this.prio);
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
            if (value !== null) {
              let v = value;
              for (const [re, rep] of fmt.search) v = v.replace(re, rep);
              if (fmt.addYear) v = `${new Date().getFullYear()}${v}`;
              for (const parse of fmt.dates) {
                const t = parse(v);
                if (t === undefined || Number.isNaN(t)) continue;
                timestamp = String(fmt.addYear ? fixYear(t) : t);
                break;
              }
            }
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
    if (this.bad) headers[STATUS] = 'Invalid';
    else if (this.incomplete) headers[STATUS] = 'Incomplete';
    const out: Event = { headers, body: this.keep !== 'all' && body ? Buffer.from(body, 'utf8') : raw };
    this.reset();
    return out;
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
  const headers: Headers = {};
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

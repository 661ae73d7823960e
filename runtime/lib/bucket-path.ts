// Flume's path escapes (BucketPath), as the hdfs sink applies them to hdfs.path and
// hdfs.filePrefix: `%{header}`, `%[localhost|IP|FQDN]`, and the single-character time escapes
// `%a`…`%z`, `%t`, `%%`, with hdfs.round/roundValue/roundUnit, hdfs.timeZone and
// hdfs.useLocalTimeStamp. Names of days, months and AM/PM are English (the JVM default locale
// Flume runs with on a typical server).
//
// Flume's behaviour kept on purpose, because users' bucket layouts depend on it:
// - every single-character escape, even `%%` and unknown ones like `%q` (which become ""),
//   needs a timestamp: the `timestamp` header (Java Long syntax) unless useLocalTimeStamp;
// - `%t` is the header text as it came, never rounded; `%s` is the rounded time in seconds;
// - a missing header `%{name}` becomes "";
// - rounding truncates in the time zone's wall clock (an hour bucket in +05:30 starts at :30 UTC).
// Where Flume fails on every event at run time (an unknown `%[name]`), we fail once at compile time.

export type RoundUnit = 'second' | 'minute' | 'hour';

export interface HostNames {
  /** InetAddress.getLocalHost().getHostName(): the machine's host name. */
  localhost: string;
  /** getHostAddress(): the address the host name resolves to. */
  ip: string;
  /** getCanonicalHostName(): the reverse lookup of that address. */
  fqdn: string;
}

export interface BucketPathOptions {
  /** IANA zone (`America/New_York`), `UTC`, or a fixed offset `GMT+05:30`; default: this process's zone. */
  timeZone?: string | undefined;
  /** hdfs.round=true with hdfs.roundUnit and hdfs.roundValue. */
  round?: { unit: RoundUnit; value: number } | undefined;
  /** hdfs.useLocalTimeStamp: time escapes use the agent's clock, not the `timestamp` header. */
  useLocalTimeStamp?: boolean | undefined;
  /** The clock for useLocalTimeStamp (default Date.now); read once per escaped string. */
  now?: (() => number) | undefined;
  /** Needed when the template uses `%[localhost]`, `%[IP]` or `%[FQDN]` (see resolveHostNames). */
  hosts?: HostNames | undefined;
}

/** An event whose headers cannot fill the template (no or bad `timestamp`). */
export class BucketPathError extends Error {
  override name = 'BucketPathError';
}

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'header'; name: string }
  | { kind: 'time'; letter: string };

// Flume's TAG_REGEX: `%` + one word character or `%`; `%{name}`; `%[name]`. Java's \w is ASCII, as is JS's.
const TAG = /%(\w|%)|%\{([\w.-]+)\}|%\[(\w+)\]/g;
const HAS_TAG = new RegExp(TAG.source);

const ROUND_LIMIT: Record<RoundUnit, number> = { second: 60, minute: 60, hour: 24 };
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A compiled template: escapes it for one event's headers. `constant` is set when no event changes it. */
export type BucketPathFn = ((headers: Record<string, string>) => string) & { readonly constant?: string };

interface Stamp {
  ts: number;
  text: string;
  fields: WallFields | undefined;
}

/**
 * Compiles an escaped template once; the result escapes it for one event's headers. The last
 * timestamp's fields (and, without header escapes, the last result) are kept: the events of a
 * batch mostly share their stamp, and parsing and formatting it again gives the same string.
 */
export function compileBucketPath(template: string, options: BucketPathOptions = {}): BucketPathFn {
  const parts = parseTemplate(template, options.hosts);
  const needsTime = parts.some((p) => p.kind === 'time');
  const round = options.round;
  if (round) {
    const limit = ROUND_LIMIT[round.unit];
    if (!limit) throw new RangeError(`hdfs.roundUnit must be second, minute or hour, not '${String(round.unit)}'`);
    if (!Number.isInteger(round.value) || round.value < 1 || round.value > limit) {
      throw new RangeError(`hdfs.roundValue for unit ${round.unit} must be an integer from 1 to ${limit}, not ${round.value}`);
    }
  }
  const clock = new ZoneClock(options.timeZone);
  const now = options.now ?? Date.now;
  const useLocal = options.useLocalTimeStamp === true;
  if (parts.every((p) => p.kind === 'text')) {
    const constant = parts.map((p) => (p as { text: string }).text).join('');
    return Object.assign(() => constant, { constant });
  }
  const byHeader = parts.some((p) => p.kind === 'header');

  let lastKey: number | string | undefined;
  let lastStamp: Stamp | undefined;
  let lastOut = '';
  const stampOf = (headers: Record<string, string>): Stamp => {
    let raw: number;
    let text: string;
    let key: number | string;
    if (useLocal) {
      raw = now();
      if (raw === lastKey) return lastStamp!;
      key = raw;
      text = String(raw);
    } else {
      const header = headers['timestamp'];
      if (header !== undefined && header === lastKey) return lastStamp!;
      ({ ts: raw, text } = timestampOf(headers));
      key = text;
    }
    const ts = round ? roundDown(raw, round.unit, round.value, clock) : raw;
    lastKey = key;
    lastOut = '';
    return (lastStamp = { ts, text, fields: undefined });
  };

  return (headers) => {
    let stamp: Stamp | undefined;
    if (needsTime) {
      const before = lastStamp;
      stamp = stampOf(headers);
      if (!byHeader && stamp === before && lastOut !== '') return lastOut;
    }
    let out = '';
    for (const p of parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'header') out += headers[p.name] ?? '';
      else {
        const s = stamp!;
        if (p.letter === 't') out += s.text;
        else if (p.letter === 's') out += String(Math.trunc(s.ts / 1000));
        else if (p.letter === '%') out += '%';
        else if (DATE_LETTERS.has(p.letter)) out += formatLetter(p.letter, (s.fields ??= clock.fields(s.ts)));
      }
    }
    if (!byHeader) lastOut = out;
    return out;
  };
}

/** Escapes one string (compiles it each time: for a hot path, keep compileBucketPath's result). */
export function escapeBucketPath(template: string, headers: Record<string, string>, options: BucketPathOptions = {}): string {
  return compileBucketPath(template, options)(headers);
}

/** Whether a template has escapes at all (a constant path needs no per-event work). */
export function hasEscapes(template: string): boolean {
  return HAS_TAG.test(template);
}

/** Which `%[…]` names a template uses, lower-cased: so a caller resolves host names only when needed. */
export function staticNames(template: string): string[] {
  return [...template.matchAll(TAG)].flatMap((m) => (m[3] ? [m[3].toLowerCase()] : []));
}

/** The local host name, its address and canonical name, as Java's InetAddress.getLocalHost() gives them. */
export async function resolveHostNames(): Promise<HostNames> {
  const os = await import('node:os');
  const dns = await import('node:dns/promises');
  const localhost = os.hostname();
  let ip = '127.0.0.1';
  try {
    ip = (await dns.lookup(localhost)).address;
  } catch {
    // Java falls back to the loopback address when the host name does not resolve.
  }
  let fqdn = ip;
  try {
    fqdn = (await dns.lookupService(ip, 0)).hostname;
  } catch {
    // Java's getCanonicalHostName returns the address text when the reverse lookup fails.
  }
  return { localhost, ip, fqdn };
}

function parseTemplate(template: string, hosts: HostNames | undefined): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(TAG)) {
    if (m.index > last) parts.push({ kind: 'text', text: template.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1] !== undefined) parts.push({ kind: 'time', letter: m[1] });
    else if (m[2] !== undefined) parts.push({ kind: 'header', name: m[2] });
    else {
      const key = m[3]!.toLowerCase();
      if (key !== 'localhost' && key !== 'ip' && key !== 'fqdn') {
        throw new RangeError(`the escape '%[${m[3]}]' is not one of %[localhost], %[IP], %[FQDN]`);
      }
      if (!hosts) throw new RangeError(`the escape '%[${m[3]}]' needs the host names (pass options.hosts)`);
      parts.push({ kind: 'text', text: hosts[key] });
    }
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return parts;
}

function timestampOf(headers: Record<string, string>): { ts: number; text: string } {
  const text = headers['timestamp'];
  if (text === undefined) {
    throw new BucketPathError(
      "the event has no 'timestamp' header, which the time escapes in the path need: add a timestamp interceptor to the source, or set hdfs.useLocalTimeStamp = true",
    );
  }
  // Java's Long.valueOf: an optional sign and ASCII digits, within a signed 64-bit range.
  if (!/^[+-]?\d+$/.test(text) || BigInt(text) < LONG_MIN || BigInt(text) > LONG_MAX) {
    throw new BucketPathError(
      `the event's 'timestamp' header '${text}' is not a number of milliseconds since 1970, which the time escapes in the path need`,
    );
  }
  return { ts: Number(text), text };
}

function roundDown(ts: number, unit: RoundUnit, value: number, clock: ZoneClock): number {
  // Flume checks this before rounding (TimestampRoundDownUtil), and so fails the event.
  if (ts <= 0) throw new BucketPathError(`cannot round the timestamp ${ts}: hdfs.round needs a timestamp after 1970-01-01T00:00:00Z`);
  const f = clock.fields(ts);
  const wall = wallMillis(f);
  let back: number;
  if (unit === 'second') back = (f.second % value) * 1000;
  else if (unit === 'minute') back = ((f.minute % value) * 60 + f.second) * 1000;
  else back = (((f.hour % value) * 60 + f.minute) * 60 + f.second) * 1000;
  return clock.instantOfWall(wall - back);
}

// Wall-clock fields as milliseconds on a UTC time line (whole seconds).
function wallMillis(f: WallFields): number {
  const d = new Date(0);
  d.setUTCFullYear(f.year, f.month - 1, f.day);
  d.setUTCHours(f.hour, f.minute, f.second, 0);
  return d.getTime();
}

interface WallFields {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number; // 0–23
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  offsetMinutes: number; // local − UTC
}

/** Wall-clock fields of an instant in one time zone, memoised per second (events come in bursts). */
class ZoneClock {
  private readonly fixedOffset: number | undefined;
  private readonly format: Intl.DateTimeFormat | undefined;
  private lastSecond = NaN;
  private last: WallFields | undefined;

  constructor(zone: string | undefined) {
    this.fixedOffset = zone === undefined ? undefined : fixedOffsetOf(zone);
    if (this.fixedOffset === undefined) {
      try {
        this.format = new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
          era: 'short',
        });
      } catch {
        throw new RangeError(`unknown time zone '${zone}': use an IANA name such as 'America/New_York', 'UTC', or an offset such as 'GMT+05:30'`);
      }
    }
  }

  fields(ts: number): WallFields {
    const second = Math.floor(ts / 1000);
    if (second === this.lastSecond && this.last) return this.last;
    const offsetMinutes = this.fixedOffset ?? this.zoneOffset(second * 1000);
    const wall = new Date(second * 1000 + offsetMinutes * 60_000);
    const f: WallFields = {
      year: wall.getUTCFullYear(),
      month: wall.getUTCMonth() + 1,
      day: wall.getUTCDate(),
      hour: wall.getUTCHours(),
      minute: wall.getUTCMinutes(),
      second: wall.getUTCSeconds(),
      weekday: wall.getUTCDay(),
      offsetMinutes,
    };
    this.lastSecond = second;
    this.last = f;
    return f;
  }

  /**
   * The instant a wall-clock time names, resolved as java.util.Calendar does (checked against it):
   * a time that a transition repeats is read with the offset after the transition (standard
   * time in autumn), a time that it skips with the offset before it (standard time in spring).
   */
  instantOfWall(wall: number): number {
    if (this.fixedOffset !== undefined) return wall - this.fixedOffset * 60_000;
    const before = this.zoneOffset(wall - DAY_MS);
    const after = this.zoneOffset(wall + DAY_MS);
    const viaAfter = wall - after * 60_000;
    if (before === after || this.zoneOffset(viaAfter) === after) return viaAfter;
    return wall - before * 60_000;
  }

  private zoneOffset(ms: number): number {
    const p: Record<string, string> = {};
    for (const { type, value } of this.format!.formatToParts(new Date(ms))) p[type] = value;
    let year = Number(p['year']);
    if (p['era'] === 'BC' || p['era'] === 'B') year = 1 - year;
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(p['month']) - 1, Number(p['day']));
    wall.setUTCHours(Number(p['hour']), Number(p['minute']), Number(p['second']), 0);
    return Math.round((wall.getTime() - Math.floor(ms / 1000) * 1000) / 60_000);
  }
}

const DAY_MS = 86_400_000;

// Java's TimeZone accepts GMT/UTC and custom ids `GMT+h`, `GMT+hh`, `GMT+hhmm`, `GMT+hh:mm`.
function fixedOffsetOf(zone: string): number | undefined {
  if (zone === 'GMT' || zone === 'UTC') return 0;
  const m = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 23 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DATE_LETTERS = new Set([...'aAbBcdeDHIjklmnMpSyYz']);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function dayOfYear(f: WallFields): number {
  return (Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000 + 1;
}

// The SimpleDateFormat pattern Flume uses for each letter, written out.
function formatLetter(letter: string, f: WallFields): string {
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  switch (letter) {
    case 'a': return DAYS[f.weekday]!.slice(0, 3); // EEE
    case 'A': return DAYS[f.weekday]!; // EEEE
    case 'b': return MONTHS[f.month - 1]!.slice(0, 3); // MMM
    case 'B': return MONTHS[f.month - 1]!; // MMMM
    case 'c': // EEE MMM d HH:mm:ss yyyy
      return `${DAYS[f.weekday]!.slice(0, 3)} ${MONTHS[f.month - 1]!.slice(0, 3)} ${f.day} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)} ${pad(f.year, 4)}`;
    case 'd': return pad(f.day, 2);
    case 'e': return String(f.day);
    case 'D': return `${pad(f.month, 2)}/${pad(f.day, 2)}/${pad(f.year % 100, 2)}`; // MM/dd/yy
    case 'H': return pad(f.hour, 2);
    case 'I': return pad(h12, 2);
    case 'j': return pad(dayOfYear(f), 3); // DDD
    case 'k': return String(f.hour);
    case 'l': return String(h12);
    case 'm': return pad(f.month, 2);
    case 'n': return String(f.month);
    case 'M': return pad(f.minute, 2);
    case 'p': return f.hour < 12 ? 'AM' : 'PM';
    case 'S': return pad(f.second, 2);
    case 'y': return pad(f.year % 100, 2);
    case 'Y': return pad(f.year, 4);
    case 'z': { // ZZZ: RFC 822 offset
      const abs = Math.abs(f.offsetMinutes);
      return `${f.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
    }
    default: return '';
  }
}

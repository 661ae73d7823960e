// The RFC 3164 byte scanner of SyslogDecoder must give exactly what the regular expressions
// give: same headers in the same order, same bodies, same carried-over priority and version.
import { describe, expect, it } from 'vitest';
import type { Event } from '../../runtime/core/event.js';
import { chooseKeepFields, SyslogDecoder, type KeepFields } from '../../runtime/lib/syslog.js';

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function record(r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const pri = pick(['13', '0', '7', '191', '013', '1234', '', 'x1', '999', '34']);
  const version = pick(['', '', '', '1', '5', 'x']);
  const sp = pick([' ', ' ', '', '  ', '\t']);
  const month = pick(['Nov', 'Nov', 'Jan', 'Feb', 'Xyz', 'NOV', 'nov', 'Dec', 'Sep']);
  const gap = pick([' ', ' ', '  ', '\t', '   ']);
  const day = pick(['25', '5', '05', '31', '0', '99', '123', 'x']);
  const time = pick(['10:00:00', '23:59:59', '99:99:99', '1:00:00', '10:00:0', '10-00-00', '10-00:00', '10:00-00', '1a:00:00', '10:0b:00', '10:00:0c']);
  const afterTime = pick([' ', ' ', '  ', '\t', '']);
  const host = pick(['bench-host', 'h', 'host.example.com', 'a@b', '_x', '-bad', '.bad', 'é', 'mymachine', '']);
  const afterHost = pick([' ', ' ', '  ', '\t', ':']);
  const body = pick(['su: failed', '', 'app[12]: hello world', 'ünïcode body', 'tab\there', 'cr at end\r', 'x'.repeat(70), 'line\u2028sep', ' leading']);
  const kind = r();
  if (kind < 0.08) return `<165>1 2003-10-11T22:14:15.003Z host.example.com evntslog - ID47 - msg ${body}`;
  if (kind < 0.12) return pick(['garbage', '', 'no pri at all', '<>empty', '<13', '>13']);
  return `<${pri}>${version}${sp}${month}${gap}${day} ${time}${afterTime}${host}${afterHost}${body}`;
}

function decodeAll(chunks: Buffer[], keep: KeepFields, fast: boolean): Event[] {
  const d = new SyslogDecoder(80, keep, false);
  if (!fast) (d as unknown as { fast: boolean }).fast = false;
  const out: Event[] = [];
  for (const c of chunks) d.feed(c, out);
  return out;
}

const view = (e: Event) => ({ headers: Object.entries(e.headers), body: e.body.toString('hex') });

describe('SyslogDecoder fast path', () => {
  for (const keepText of [undefined, 'all', 'timestamp hostname', 'priority version']) {
    it(`gives what the regular expressions give (keepFields ${keepText ?? 'none'})`, () => {
      const r = rng(keepText?.length ?? 7);
      for (let round = 0; round < 40; round++) {
        const lines: string[] = [];
        for (let i = 0; i < 60; i++) lines.push(record(r));
        const eol = () => (r() < 0.1 ? '\n\n' : '\n');
        const bytes = Buffer.from(lines.map((l) => l + eol()).join(''), 'utf8');
        // Split at random places, as TCP does.
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; ) {
          const len = 1 + Math.floor(r() * (r() < 0.5 ? 40 : 600));
          chunks.push(Buffer.from(bytes.subarray(at, at + len)));
          at += len;
        }
        const keep = chooseKeepFields(keepText);
        const slow = decodeAll(chunks, keep, false).map(view);
        const fast = decodeAll(chunks, keep, true).map(view);
        expect(fast).toEqual(slow);
      }
    });
  }

  it('reads a plain RFC 3164 record without copying its body', () => {
    const d = new SyslogDecoder(2500, null, false);
    const out: Event[] = [];
    const chunk = Buffer.from('<13>Nov 25 10:00:00 bench-host app[1]: hello\n<34>1 Jan  2 03:04:05 h x\n');
    d.feed(chunk, out);
    expect(out.map((e) => e.body.toString())).toEqual(['app[1]: hello', 'x']);
    expect(out[0]!.body.buffer).toBe(chunk.buffer);
    expect(Object.keys(out[0]!.headers)).toEqual(['Facility', 'Severity', 'priority', 'timestamp', 'host']);
    expect(out[1]!.headers).toMatchObject({ Facility: '4', Severity: '2', priority: '34', version: '1', host: 'h' });
    const t = new Date(Number(out[1]!.headers.timestamp));
    expect([t.getMonth(), t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds()]).toEqual([0, 2, 3, 4, 5]);
  });
});

// The bytes the runtime benchmark sends: deterministic, printable ASCII, of exact sizes.

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

/** `bytes` bytes of text (no newline) that start with the number `n`. */
export function bodyText(n, bytes) {
  let s = `event ${String(n).padStart(9, '0')}`;
  let w = n % WORDS.length;
  while (s.length < bytes) {
    s += ` ${WORDS[w]}`;
    w = (w + 1) % WORDS.length;
  }
  return s.slice(0, bytes);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PRIS = [13, 14, 30, 86, 134, 38];
const two = (n) => String(n).padStart(2, '0');

/** RFC 3164 stamp: `Nov 25 10:00:00`, `Nov  5 10:00:00` (UTC). */
export function rfc3164Stamp(t) {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export const SYSLOG_HOST = 'bench-host';

/**
 * Line `i` of the syslog stream: `<PRI>STAMP bench-host BODY\n`, where BODY (what Flume keeps as
 * the event body) is `bodyBytes` bytes, `app[pid]: text`. The stamp moves on one second every
 * 50,000 lines, as a busy sender's would.
 */
export function syslogLine(i, bodyBytes, baseTime) {
  const stamp = rfc3164Stamp(baseTime + Math.floor(i / 50_000) * 1000);
  const tag = `app${i % 7}[${1000 + (i % 13)}]: `;
  return `<${PRIS[i % PRIS.length]}>${stamp} ${SYSLOG_HOST} ${tag}${bodyText(i, bodyBytes - tag.length)}\n`;
}

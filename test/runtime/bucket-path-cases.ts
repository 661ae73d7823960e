// The escape table shared by test/runtime/bucket-path.test.ts (flowc's BucketPath) and
// test/flume-bucket-path.test.ts (the same cases through real Flume 1.11's BucketPath).
import type { RoundUnit } from '../../runtime/lib/bucket-path.js';

export interface BucketCase {
  name: string;
  template: string;
  headers: Record<string, string>;
  timeZone?: string;
  round?: { unit: RoundUnit; value: number };
  useLocalTimeStamp?: boolean;
  /** The agent's clock for useLocalTimeStamp. */
  now?: number;
  /** The escaped string, or `{ error }`: a fragment of the reason the event fails. */
  expect: string | { error: RegExp };
}

// Tuesday 2023-11-14 22:13:20.123 UTC.
export const T1 = 1_700_000_000_123;
// Thursday 2024-02-29 00:05:09.999 UTC: a leap day, just after midnight (12-hour clock shows 12).
export const T2 = Date.UTC(2024, 1, 29, 0, 5, 9, 999);
// Saturday 2024-07-06 13:57:31.500 UTC: summer time in New York (-0400).
export const T3 = Date.UTC(2024, 6, 6, 13, 57, 31, 500);

const ts = (t: number) => ({ timestamp: String(t) });

export const BUCKET_CASES: BucketCase[] = [
  // Every time escape, UTC.
  { name: '%a %A', template: '%a|%A', headers: ts(T1), timeZone: 'UTC', expect: 'Tue|Tuesday' },
  { name: '%b %B', template: '%b|%B', headers: ts(T1), timeZone: 'UTC', expect: 'Nov|November' },
  { name: '%c', template: '%c', headers: ts(T1), timeZone: 'UTC', expect: 'Tue Nov 14 22:13:20 2023' },
  { name: '%c single-digit day', template: '%c', headers: ts(T3), timeZone: 'UTC', expect: 'Sat Jul 6 13:57:31 2024' },
  { name: '%d %e', template: '%d|%e', headers: ts(T3), timeZone: 'UTC', expect: '06|6' },
  { name: '%D', template: '%D', headers: ts(T1), timeZone: 'UTC', expect: '11/14/23' },
  { name: '%H %k %I %l %p afternoon', template: '%H|%k|%I|%l|%p', headers: ts(T1), timeZone: 'UTC', expect: '22|22|10|10|PM' },
  { name: '%H %k %I %l %p after midnight', template: '%H|%k|%I|%l|%p', headers: ts(T2), timeZone: 'UTC', expect: '00|0|12|12|AM' },
  { name: '%j leap day', template: '%j', headers: ts(T2), timeZone: 'UTC', expect: '060' },
  { name: '%m %n', template: '%m|%n', headers: ts(T3), timeZone: 'UTC', expect: '07|7' },
  { name: '%M %S', template: '%M|%S', headers: ts(T2), timeZone: 'UTC', expect: '05|09' },
  { name: '%s is seconds', template: '%s', headers: ts(T1), timeZone: 'UTC', expect: '1700000000' },
  { name: '%t is the header text', template: '%t', headers: ts(T1), timeZone: 'UTC', expect: '1700000000123' },
  { name: '%t keeps the text as written', template: '%t/%s', headers: { timestamp: '+01700000000123' }, timeZone: 'UTC', expect: '+01700000000123/1700000000' },
  { name: '%y %Y', template: '%y|%Y', headers: ts(T1), timeZone: 'UTC', expect: '23|2023' },
  { name: '%z UTC', template: '%z', headers: ts(T1), timeZone: 'UTC', expect: '+0000' },
  { name: '%%', template: '100%%/%Y', headers: ts(T1), timeZone: 'UTC', expect: '100%/2023' },
  { name: 'unknown letters and digits become empty', template: 'a%qb%1c%_d%Ze', headers: ts(T1), timeZone: 'UTC', expect: 'abcde' },
  { name: 'a lone % and %{ without a name stay', template: '50% %{} %[] %', headers: ts(T1), timeZone: 'UTC', expect: '50% %{} %[] %' },
  { name: 'a typical layout', template: '/flume/events/%Y/%m/%d/%H/%{host}', headers: { ...ts(T1), host: 'web-1' }, timeZone: 'UTC', expect: '/flume/events/2023/11/14/22/web-1' },

  // Time zones.
  { name: 'New York in winter', template: '%Y-%m-%d %H:%M:%S %z %a', headers: ts(T1), timeZone: 'America/New_York', expect: '2023-11-14 17:13:20 -0500 Tue' },
  { name: 'New York in summer', template: '%Y-%m-%d %H:%M:%S %z', headers: ts(T3), timeZone: 'America/New_York', expect: '2024-07-06 09:57:31 -0400' },
  { name: 'Kolkata crosses the date line of UTC', template: '%Y-%m-%d %H:%M %z %A %j', headers: ts(T1), timeZone: 'Asia/Kolkata', expect: '2023-11-15 03:43 +0530 Wednesday 319' },
  { name: 'Los Angeles is the day before', template: '%D %I%p %e', headers: ts(T2), timeZone: 'America/Los_Angeles', expect: '02/28/24 04PM 28' },
  { name: 'a fixed GMT offset', template: '%H:%M %z', headers: ts(T1), timeZone: 'GMT+05:45', expect: '03:58 +0545' },
  { name: 'a negative fixed offset', template: '%d %H %z', headers: ts(T2), timeZone: 'GMT-03', expect: '28 21 -0300' },

  // Headers.
  { name: 'header values', template: '%{a}-%{b.c}-%{d-e}', headers: { a: '1', 'b.c': '2', 'd-e': '3' }, expect: '1-2-3' },
  { name: 'a missing header is empty', template: 'x/%{nope}/y', headers: {}, expect: 'x//y' },
  { name: 'header values are taken literally', template: '%{v}', headers: { v: '$1\\%Y' }, expect: '$1\\%Y' },
  { name: 'header escapes need no timestamp', template: '/logs/%{type}', headers: { type: 'app' }, expect: '/logs/app' },
  { name: 'a header name with a space is not an escape', template: '%{a b}', headers: { 'a b': 'x' }, expect: '%{a b}' },

  // Rounding: truncates to a multiple of the unit, in the zone's wall clock; %t stays unrounded.
  { name: 'round 10 minutes', template: '%H:%M:%S', headers: ts(T1), timeZone: 'UTC', round: { unit: 'minute', value: 10 }, expect: '22:10:00' },
  { name: 'round 15 seconds', template: '%M:%S', headers: ts(T3), timeZone: 'UTC', round: { unit: 'second', value: 15 }, expect: '57:30' },
  { name: 'round 1 second drops the milliseconds from %s', template: '%s', headers: ts(T2 + 1_000_000 - 9_999), timeZone: 'UTC', round: { unit: 'second', value: 1 }, expect: String(Math.floor((T2 + 1_000_000 - 9_999) / 1000)) },
  { name: 'round 6 hours', template: '%d %H:%M', headers: ts(T1), timeZone: 'UTC', round: { unit: 'hour', value: 6 }, expect: '14 18:00' },
  { name: 'round 24 hours', template: '%d %H', headers: ts(T1), timeZone: 'UTC', round: { unit: 'hour', value: 24 }, expect: '14 00' },
  { name: 'round 60 minutes', template: '%H:%M', headers: ts(T3), timeZone: 'UTC', round: { unit: 'minute', value: 60 }, expect: '13:00' },
  { name: 'round 7 minutes (not a divisor of 60)', template: '%H:%M', headers: ts(T3), timeZone: 'UTC', round: { unit: 'minute', value: 7 }, expect: '13:56' },
  { name: 'round hours in a half-hour zone', template: '%H:%M %s', headers: ts(T1), timeZone: 'Asia/Kolkata', round: { unit: 'hour', value: 1 }, expect: '03:00 1699997400' },
  { name: 'round 2 hours in New York', template: '%Y%m%d%H%M', headers: ts(T3), timeZone: 'America/New_York', round: { unit: 'hour', value: 2 }, expect: '202407060800' },
  { name: 'round into an hour that summer time skips (São Paulo, 2011-10-16 00:00 does not exist)', template: '%Y%m%d %H:%M %z', headers: ts(1318774400808), timeZone: 'America/Sao_Paulo', round: { unit: 'hour', value: 17 }, expect: '20111016 01:00 -0200' },
  // Java reads the repeated 01:00 as standard time, even when that is later than the event.
  { name: 'round into an hour that the autumn change repeats, from standard time (New York)', template: '%H:%M %z %s', headers: ts(Date.UTC(2023, 10, 5, 6, 30)), timeZone: 'America/New_York', round: { unit: 'hour', value: 1 }, expect: '01:00 -0500 1699164000' },
  { name: 'round into an hour that the autumn change repeats, from summer time (New York)', template: '%H:%M %z %s', headers: ts(Date.UTC(2023, 10, 5, 5, 30)), timeZone: 'America/New_York', round: { unit: 'hour', value: 1 }, expect: '01:00 -0500 1699164000' },
  { name: 'round minutes in a half-hour summer time change (Lord Howe, 2024-04-07 01:45 repeats)', template: '%H:%M %z', headers: ts(Date.UTC(2024, 3, 6, 14, 50)), timeZone: 'Australia/Lord_Howe', round: { unit: 'minute', value: 30 }, expect: '01:30 +1030' },
  { name: '%t is never rounded', template: '%t %s', headers: ts(T1), timeZone: 'UTC', round: { unit: 'hour', value: 1 }, expect: '1700000000123 1699999200' },

  // useLocalTimeStamp: the agent's clock instead of the header.
  { name: 'local timestamp ignores the header', template: '%Y/%m/%d %t', headers: ts(T1), timeZone: 'UTC', useLocalTimeStamp: true, now: T3, expect: `2024/07/06 ${T3}` },
  { name: 'local timestamp needs no header', template: '%H%M', headers: {}, timeZone: 'UTC', useLocalTimeStamp: true, now: T2, expect: '0005' },
  { name: 'local timestamp rounds', template: '%H:%M', headers: {}, timeZone: 'UTC', useLocalTimeStamp: true, now: T1, round: { unit: 'minute', value: 30 }, expect: '22:00' },

  // What makes an event fail.
  { name: 'no timestamp header', template: '/logs/%Y', headers: {}, expect: { error: /timestamp/ } },
  { name: '%% alone still needs the timestamp', template: '100%%', headers: {}, expect: { error: /timestamp/ } },
  { name: 'an unknown letter still needs the timestamp', template: '%q', headers: { host: 'x' }, expect: { error: /timestamp/ } },
  { name: 'an unparsable timestamp', template: '%Y', headers: { timestamp: '2023-11-14' }, expect: { error: /timestamp/ } },
  { name: 'a timestamp with spaces', template: '%Y', headers: { timestamp: ' 1700000000123' }, expect: { error: /timestamp/ } },
  { name: 'a timestamp beyond a Java long', template: '%Y', headers: { timestamp: '9223372036854775808' }, expect: { error: /timestamp/ } },
  { name: 'rounding a timestamp of 0', template: '%Y', headers: { timestamp: '0' }, round: { unit: 'minute', value: 1 }, expect: { error: /Timestamp must be positive|after 1970/ } },
];

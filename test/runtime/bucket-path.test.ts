import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  BucketPathError,
  compileBucketPath,
  escapeBucketPath,
  hasEscapes,
  resolveHostNames,
  staticNames,
} from '../../runtime/lib/bucket-path.js';
import { BUCKET_CASES, T1, T3 } from './bucket-path-cases.js';

const hosts = { localhost: 'edge-7', ip: '10.1.2.3', fqdn: 'edge-7.dc1.example.com' };

describe('hdfs path escapes (BucketPath)', () => {
  for (const c of BUCKET_CASES) {
    it(c.name, () => {
      const run = () =>
        escapeBucketPath(c.template, c.headers, {
          timeZone: c.timeZone,
          round: c.round,
          useLocalTimeStamp: c.useLocalTimeStamp,
          now: c.now === undefined ? undefined : () => c.now!,
        });
      if (typeof c.expect === 'string') expect(run()).toBe(c.expect);
      else {
        expect(run).toThrow(BucketPathError);
        expect(run).toThrow(c.expect.error);
      }
    });
  }

  it('replaces %[localhost], %[IP] and %[FQDN], in any case', () => {
    const esc = compileBucketPath('/%[localhost]/%[ip]/%[Fqdn]/%[LOCALHOST]', { hosts });
    expect(esc({})).toBe('/edge-7/10.1.2.3/edge-7.dc1.example.com/edge-7');
  });

  it('rejects an unknown %[name] when the path is compiled, not per event', () => {
    expect(() => compileBucketPath('/%[hostname]/x', { hosts })).toThrow(/%\[hostname\].*%\[localhost\], %\[IP\], %\[FQDN\]/);
  });

  it('resolves the host names the way Java does (the host name is the OS host name)', async () => {
    const h = await resolveHostNames();
    expect(h.localhost).toBe(hostname());
    expect(h.ip).toMatch(/^[\d.]+$|:/);
    expect(h.fqdn.length).toBeGreaterThan(0);
  });

  it('rejects round values outside Flume’s ranges and unknown zones with a clear reason', () => {
    expect(() => compileBucketPath('%H', { round: { unit: 'minute', value: 61 } })).toThrow(/1 to 60/);
    expect(() => compileBucketPath('%H', { round: { unit: 'hour', value: 25 } })).toThrow(/1 to 24/);
    expect(() => compileBucketPath('%H', { round: { unit: 'second', value: 0 } })).toThrow(/1 to 60/);
    expect(() => compileBucketPath('%H', { timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });

  it('reads the local clock once per path, for every escape in it', () => {
    let now = T1;
    const esc = compileBucketPath('%s/%t', { useLocalTimeStamp: true, now: () => (now += 1000) });
    const [s, t] = esc({}).split('/');
    expect(Number(t)).toBe(T1 + 1000);
    expect(s).toBe(String(Math.floor((T1 + 1000) / 1000)));
  });

  it('gives each event its own bucket when one compiled path serves many events', () => {
    const esc = compileBucketPath('%Y/%m/%d/%H', { timeZone: 'UTC' });
    expect(esc({ timestamp: String(T1) })).toBe('2023/11/14/22');
    expect(esc({ timestamp: String(T3) })).toBe('2024/07/06/13');
    expect(esc({ timestamp: String(T1 + 3_600_000) })).toBe('2023/11/14/23');
    expect(esc({ timestamp: String(T1) })).toBe('2023/11/14/22');
  });

  it('reuses nothing across events whose stamp or headers differ (same stamp, other header; same header, other stamp; a bad stamp between)', () => {
    const esc = compileBucketPath('/logs/%{host}/%Y-%m-%d/%H', { timeZone: 'UTC' });
    expect(esc({ timestamp: String(T1), host: 'a' })).toBe('/logs/a/2023-11-14/22');
    expect(esc({ timestamp: String(T1), host: 'b' })).toBe('/logs/b/2023-11-14/22');
    expect(() => esc({ timestamp: 'x', host: 'b' })).toThrow(BucketPathError);
    expect(esc({ timestamp: String(T3), host: 'b' })).toBe('/logs/b/2024-07-06/13');
    expect(esc({ timestamp: String(T3), host: 'a' })).toBe('/logs/a/2024-07-06/13');
    const rounded = compileBucketPath('%H%M', { timeZone: 'UTC', round: { unit: 'minute', value: 10 } });
    expect(rounded({ timestamp: String(T1) })).toBe('2210');
    expect(rounded({ timestamp: String(T1) })).toBe('2210');
    expect(rounded({ timestamp: String(T1 + 600_000) })).toBe('2220');
    let now = T1;
    const local = compileBucketPath('%H:%M:%S', { timeZone: 'UTC', useLocalTimeStamp: true, now: () => now });
    expect([local({}), local({})]).toEqual(['22:13:20', '22:13:20']);
    now += 1000;
    expect(local({})).toBe('22:13:21');
    expect(compileBucketPath('/flume/plain').constant).toBe('/flume/plain');
    expect(compileBucketPath('/flume/%[localhost]', { hosts }).constant).toBe('/flume/edge-7');
    expect(compileBucketPath('/flume/%{h}').constant).toBeUndefined();
  });

  it('tells which templates have escapes and which host names they use', () => {
    expect(hasEscapes('/flume/plain')).toBe(false);
    expect(hasEscapes('/flume/%{h}')).toBe(true);
    expect(hasEscapes('/flume/%Y')).toBe(true);
    expect(staticNames('/a/%[IP]/%[localhost]/%{x}')).toEqual(['ip', 'localhost']);
  });
});

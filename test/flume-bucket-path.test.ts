// The escape table of test/runtime/bucket-path.test.ts, run through real Flume 1.11's
// BucketPath.escapeString (test/peers/flume/src/flowc/peers/BucketPathCheck.java) next to
// flowc's: the same path for every case, and a failure wherever Flume fails the event.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { escapeBucketPath, resolveHostNames } from '../runtime/lib/bucket-path.js';
import { flumeClasspath } from './helpers/flume.js';
import { BUCKET_CASES, type BucketCase } from './runtime/bucket-path-cases.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

type FlumeResult = { ok: true; value: string } | { ok: false; error: string };

function flumeEscape(cases: Omit<BucketCase, 'name' | 'expect'>[]): FlumeResult[] {
  const input = cases
    .map((c) =>
      [
        c.template,
        c.timeZone ?? '',
        c.round?.unit ?? '',
        String(c.round?.value ?? 1),
        String(c.useLocalTimeStamp === true),
        String(c.now ?? 0),
        Object.entries(c.headers).flatMap(([k, v]) => [k, v]).join('\u0000'),
      ]
        .map(b64)
        .join('\t'),
    )
    .join('\n');
  const r = spawnSync('java', ['-Xmx128m', '-cp', flumeClasspath(), 'flowc.peers.BucketPathCheck'], {
    input: input + '\n',
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`BucketPathCheck failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [kind, payload] = line.split('\t');
      const text = Buffer.from(payload ?? '', 'base64').toString('utf8');
      return kind === 'OK' ? { ok: true, value: text } : { ok: false, error: text };
    });
}

describe('path escapes agree with real Flume 1.11 BucketPath', () => {
  it('every case of the escape table', () => {
    const flume = flumeEscape(BUCKET_CASES);
    expect(flume).toHaveLength(BUCKET_CASES.length);
    const disagreements: string[] = [];
    BUCKET_CASES.forEach((c, i) => {
      let ours: FlumeResult;
      try {
        ours = {
          ok: true,
          value: escapeBucketPath(c.template, c.headers, {
            timeZone: c.timeZone,
            round: c.round,
            useLocalTimeStamp: c.useLocalTimeStamp,
            now: () => c.now ?? 0,
          }),
        };
      } catch (e) {
        ours = { ok: false, error: (e as Error).message };
      }
      const theirs = flume[i]!;
      const same = ours.ok && theirs.ok ? ours.value === theirs.value : ours.ok === theirs.ok;
      if (!same) disagreements.push(`${c.name}: flowc ${JSON.stringify(ours)} vs Flume ${JSON.stringify(theirs)}`);
    });
    expect(disagreements).toEqual([]);
  });

  it('%[localhost], %[IP] and %[FQDN] name this machine as Java does', async () => {
    const hosts = await resolveHostNames();
    const template = '%[localhost]|%[IP]|%[FQDN]';
    const [theirs] = flumeEscape([{ template, headers: {} }]);
    expect(theirs).toEqual({ ok: true, value: escapeBucketPath(template, {}, { hosts }) });
  });

  it('a thousand random timestamps, zones and roundings', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'GMT-09:30'];
    const units = ['second', 'minute', 'hour'] as const;
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const cases: Omit<BucketCase, 'name' | 'expect'>[] = [];
    for (let i = 0; i < 1000; i++) {
      const ts = 946_684_800_000 + rand(2 ** 30) * 1000 + rand(1000); // 2000 … 2034
      const unit = units[rand(3)]!;
      const round = rand(3) === 0 ? undefined : { unit, value: 1 + rand(unit === 'hour' ? 24 : 60) };
      cases.push({ template: '%Y%m%d %H%M%S %a %b %j %I%p %z %s %c', headers: { timestamp: String(ts) }, timeZone: zones[rand(zones.length)]!, ...(round ? { round } : {}) });
    }
    const flume = flumeEscape(cases);
    const disagreements = cases.flatMap((c, i) => {
      const ours = escapeBucketPath(c.template, c.headers, { timeZone: c.timeZone, round: c.round });
      const theirs = flume[i]!;
      return theirs.ok && theirs.value === ours ? [] : [`${JSON.stringify(c)}: flowc ${ours} vs Flume ${JSON.stringify(theirs)}`];
    });
    expect(disagreements.slice(0, 5)).toEqual([]);
  });
});

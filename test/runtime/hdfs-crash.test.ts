// The hdfs sink under SIGKILL: a real `flowc run` child (http → file channel → hdfs sink on a
// local path, files rolled every 1,000 events) killed at random moments and restarted. No
// acknowledged event is lost, no line is torn, and every file is either in use or renamed.
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types
import { runCrash } from '../../bench/crash.mjs';

describe('hdfs sink crash', () => {
  it('http → file channel → hdfs (local path): 5 SIGKILL cycles lose no acknowledged event, leave only whole in-use and renamed files', async () => {
    const lines: string[] = [];
    const r = await runCrash({ cycles: 5, scenario: 'http', sink: 'hdfs', log: (s: string) => lines.push(s) });
    expect(r, lines.join('\n')).toMatchObject({ kills: 5, lost: 0, ok: true });
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.files.renamed).toBeGreaterThan(0);
  }, 300_000);
});

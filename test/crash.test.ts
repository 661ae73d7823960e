// The crash harness (bench/crash.mjs) in CI: a few SIGKILL cycles of a real agent per
// scenario, checked by sequence number. `npm run crash` runs the long version recorded in
// bench/RESULTS.md.
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types
import { runCrash } from '../bench/crash.mjs';

describe('crash harness', () => {
  for (const scenario of ['http', 'spooldir-line', 'spooldir-avro', 'taildir']) {
    it(`${scenario} → file channel → file_roll: 5 SIGKILL cycles lose no acknowledged event`, async () => {
      const lines: string[] = [];
      const r = await runCrash({ cycles: 5, scenario, log: (s: string) => lines.push(s) });
      expect(r, lines.join('\n')).toMatchObject({ kills: 5, lost: 0, ok: true });
      expect(r.acknowledged).toBeGreaterThan(0);
    }, 300_000);
  }
});

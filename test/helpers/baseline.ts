// Golden-file comparison in the style of TypeScript's baselines: with FLOWC_ACCEPT=1 the
// expected files are (re)written from the actual output, and review happens on the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export const accepting = process.env.FLOWC_ACCEPT === '1';

export function expectBaseline(path: string, actual: string): void {
  if (accepting) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`missing baseline ${path}; run \`npm run baseline:accept\` and review the new file`);
  }
  expect(actual, `output differs from ${path}; if the change is intended, run \`npm run baseline:accept\``).toBe(
    readFileSync(path, 'utf8'),
  );
}

// Where the fuzzers find the project's files, whether they run from test/fuzz (vitest) or
// from dist/test/fuzz (`npm run fuzz`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'flowc') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const projectRoot = findRoot();

/** Files under `dir` (relative to the project, or absolute) whose names match, sorted, recursively. */
export function filesUnder(dir: string, match: RegExp): string[] {
  const base = resolve(projectRoot, dir);
  if (!existsSync(base)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (match.test(e.name)) out.push(full);
    }
  };
  walk(base);
  return out;
}

/**
 * The shared corpus of real flume.properties files, read at fuzz time when it is there (never
 * copied into the project): FLOWC_CORPUS, else ../shared/corpus, else /work/shared/corpus.
 */
export function sharedCorpus(): string | undefined {
  const candidates = [process.env.FLOWC_CORPUS, resolve(projectRoot, '../shared/corpus'), '/work/shared/corpus'];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

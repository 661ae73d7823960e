#!/usr/bin/env node
// Starts `flowc`. The command line is built twice: by tsc into dist/ (what the tests import)
// and by scripts/bundle-cli.mjs into one file, dist/bundle/flowc.cjs, which starts several
// times faster: one file instead of ~80 modules to find and load, and V8's code cache of it
// (compiled functions from an earlier run) instead of compiling it again. The bundle is used
// only when it is at least as new as the tsc output; otherwise (a `tsc` without the bundle
// step) this loads dist/ as before. FLOWC_NO_BUNDLE=1 forces dist/ (to compare the two).
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const bundle = join(dist, 'bundle', 'flowc.cjs');

function bundleStat() {
  try {
    const b = statSync(bundle);
    return b.mtimeMs >= statSync(join(dist, 'cli', 'main.js')).mtimeMs ? b : undefined;
  } catch {
    return undefined;
  }
}

const stat = process.env.FLOWC_NO_BUNDLE ? undefined : bundleStat();
if (stat === undefined) {
  await import('../dist/cli/main.js');
} else {
  // V8 checks a cache against the source's length only: the name says which build it is of.
  const cacheName = `flowc.${stat.size}-${Math.trunc(stat.mtimeMs)}.${process.version}-${process.arch}.cache`;
  const cachePath = join(dist, 'bundle', cacheName);
  let cachedData;
  try {
    cachedData = process.env.FLOWC_NO_CODE_CACHE ? undefined : readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __flowcImport) {${readFileSync(bundle, 'utf8')}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  if (!process.env.FLOWC_NO_CODE_CACHE && (cachedData === undefined || script.cachedDataRejected)) process.once('exit', () => writeCache(script, cachePath));
  const module = { exports: {} };
  // The commands left out of the bundle (run, send, graph, lsp) are imported from dist/.
  const importFromBundle = (specifier) => import(new URL(specifier, pathToFileURL(bundle)).href);
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle), importFromBundle);
}

/** Best effort: a read-only install simply starts without a cache. */
function writeCache(script, path) {
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
    for (const old of readdirSync(dirname(path))) if (old.endsWith('.cache') && join(dirname(path), old) !== path) rmSync(join(dirname(path), old), { force: true });
  } catch {
    // nothing to do
  }
}

// The Kafka test peer for benchmarks: test/helpers/kafka.ts (startKafka) bundled by esbuild into
// a temp module, so a plain-Node benchmark starts the same real broker the tests use.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.mjs';

export async function loadKafkaPeer() {
  const out = join(mkdtempSync(join(tmpdir(), 'flowc-kafka-peer-')), 'kafka.mjs');
  await build({ entryPoints: [join(ROOT, 'test/helpers/kafka.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
  const cwd = process.cwd();
  process.chdir(ROOT); // the helper finds test/peers/.cache relative to the repository
  const mod = await import(pathToFileURL(out).href);
  process.chdir(cwd);
  return mod;
}

// Builds dist/bundle/flowc.cjs: the `flowc` command line as one CommonJS file, which bin/flowc.js
// runs with a V8 code cache (see cli/fast-start.md). The tsc output in dist/ stays what the
// tests import; the bundle is only how the bin starts quickly.
//
// - Every bundled module sees `import.meta.url` as the URL of its own tsc output in dist/, so
//   that the paths it computes from it (package.json, the runtime's folder, esbuild) are the
//   same as when it runs from dist/.
// - The commands that load the runtime, elkjs or the language server (run, send, graph, lsp)
//   stay out: the bundle imports their tsc output when they are asked for.
// - chevrotain (from its one-file build) and commander are bundled; every other package stays
//   in node_modules, loaded when a command needs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist/bundle/flowc.cjs');
const lazyCommands = /^\.\/commands\/(run|send|graph|lsp)\.js$/;
const requireHere = createRequire(join(root, 'package.json'));
const chevrotainBundle = join(dirname(requireHere.resolve('chevrotain')), '..', 'chevrotain.min.mjs');

/** The dist/ path of a source file, relative to the bundle's folder, with forward slashes. */
const twin = (source) => relative(dirname(outfile), join(root, 'dist', relative(root, source))).replace(/\\/g, '/').replace(/\.ts$/, '.js');

const flowcPlugin = {
  name: 'flowc-cli-bundle',
  setup(b) {
    // commander is small and loaded by every command: bundled, as chevrotain is.
    b.onResolve({ filter: /^commander$/ }, () => ({ path: requireHere.resolve('commander') }));
    // grammar/chevrotain.ts finds the one-file build at run time; the bundle holds it instead.
    b.onLoad({ filter: /[\\/]grammar[\\/]chevrotain\.ts$/ }, () => ({
      contents: `export * from ${JSON.stringify(chevrotainBundle)};`,
      loader: 'ts',
      resolveDir: root,
    }));
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('node_modules')) return undefined;
      let text = readFileSync(args.path, 'utf8');
      // Lazy commands: imported at run time from dist/ by the bin, which hands the bundle an
      // import function (code compiled by vm.Script with a code cache cannot use `import()`
      // short of an experimental flag).
      if (args.path === join(root, 'cli', 'main.ts')) {
        text = text.replace(/\bimport\('(\.\/commands\/[a-z-]+\.js)'\)/g, (call, spec) =>
          lazyCommands.test(spec) ? `__flowcImport(${JSON.stringify(twin(join(root, 'cli', spec.replace(/\.js$/, '.ts'))))})` : call,
        );
      }
      // import.meta.url of each of our modules is the URL of its twin in dist/: `define` below
      // turns each `import.meta.url` expression (not text in strings) into this constant.
      if (text.includes('import.meta.url')) text = `const __flowcMetaUrl = __flowcTwinUrl(${JSON.stringify(twin(args.path))});\n${text}`;
      return { contents: text, loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'cli/main.ts')],
  outfile,
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'import.meta.url': '__flowcMetaUrl' },
  banner: { js: "'use strict';\nconst __flowcTwinUrl = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;" },
  plugins: [flowcPlugin],
});
const text = result.outputFiles[0].text;
if (/\bimport\(/.test(text.replace(/\/\/.*$/gm, ''))) throw new Error('dist/bundle/flowc.cjs: an import() is left in the bundle; the bin cannot run it (see the lazy commands above)');
// Written whole and renamed, so that a flowc starting meanwhile reads the old bundle or the new.
mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(`${outfile}.${process.pid}.tmp`, text);
renameSync(`${outfile}.${process.pid}.tmp`, outfile);

// The first run of the new bundle writes V8's code cache of the functions it ran (bin/flowc.js):
// a check of a small file, so that the cache holds the lexer, parser and checker a check needs
// rather than what, say, `--version` alone compiles.
const warm = mkdtempSync(join(tmpdir(), 'flowc-warm-'));
writeFileSync(join(warm, 'warm.flow'), 'agent a1 {\n  source r1 : netcat { bind = "127.0.0.1", port = 44444 }\n  channel c1 : memory\n  sink k1 : logger\n  r1 -> c1 -> k1\n}\n');
const run = spawnSync(process.execPath, [join(root, 'bin', 'flowc.js'), 'check', join(warm, 'warm.flow')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
rmSync(warm, { recursive: true, force: true });
if (run.status !== 0) process.stderr.write(`bundle-cli: the warm-up check failed (the bundle works, but starts without a code cache):\n${run.stdout}${run.stderr}\n`);

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
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

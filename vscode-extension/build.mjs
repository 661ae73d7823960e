// Builds the extension: the extension host's glue (dist/extension.js), the language server
// with the compiler bundled into it (dist/server.js), and the graph viewer's script and style,
// taken from the compiler (media/viewer.*, media/live.*), so that the preview draws exactly
// what `flowc graph --format html` and `flowc run --ui` draw.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const version = JSON.parse(readFileSync(here('../package.json'), 'utf8')).version;
const production = !process.argv.includes('--dev');
const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

await build({ ...common, entryPoints: [here('src/extension.ts')], outfile: here('dist/extension.js'), external: ['vscode'] });
// The server is ESM, as the compiler is (it awaits at the top level); the CommonJS libraries in
// it get a `require`. Drawing a PNG needs a native module the server never loads: left out.
await build({
  ...common,
  format: 'esm',
  entryPoints: [here('src/server.ts')],
  outfile: here('dist/server.mjs'),
  define: { FLOWC_VERSION: JSON.stringify(version) },
  external: ['@resvg/resvg-js'],
  banner: { js: "import { createRequire as flowcCreateRequire } from 'node:module'; const require = flowcCreateRequire(import.meta.url);" },
});

// The viewer's assets are strings in the compiler; load them and write them out as files.
const assets = await build({
  stdin: {
    contents: `export { viewerCss, viewerScript } from './compiler/graph/html-viewer.ts'; export { liveCss, liveScript } from './cli/live/page-script.ts';`,
    resolveDir: here('..'),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'warning',
});
const mod = await import(`data:text/javascript;base64,${Buffer.from(assets.outputFiles[0].text).toString('base64')}`);
mkdirSync(here('media'), { recursive: true });
writeFileSync(here('media/viewer.css'), mod.viewerCss);
writeFileSync(here('media/viewer.js'), mod.viewerScript);
writeFileSync(here('media/live.css'), mod.liveCss);
writeFileSync(here('media/live.js'), mod.liveScript(1000));
console.log(`built flowc-vscode ${version}: dist/extension.js, dist/server.mjs, media/`);

#!/usr/bin/env node
/**
 * The CLI as one file for start-up time (issue 14): esbuild bundles src/cli/index.ts with every module it reaches,
 * npm dependencies included, into dist/sipscope.cjs (+ source map). Node then reads one file instead of resolving
 * and loading a few hundred modules; commands stay lazily evaluated (their dynamic imports become init functions
 * called on use). bin/sipscope.js loads it. `tsc` still type-checks and writes dist/** for the tests and benchmarks.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * string-width (used by yargs to lay out help) makes an Intl.Segmenter when it is loaded, which loads ICU's break
 * data (~9 ms); made on first use instead, a command that prints no help never pays for it.
 */
const lazySegmenter = {
  name: 'lazy-intl-segmenter',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(
        'const segmenter = new Intl.Segmenter();',
        'let segmenterInstance;\nconst segmenter = { segment: (text) => (segmenterInstance ??= new Intl.Segmenter()).segment(text) };',
      );
      return { contents, loader: 'js' };
    });
  },
};

await build({
  plugins: [lazySegmenter],
  entryPoints: [path.join(root, 'src/cli/index.ts')],
  outfile: path.join(root, 'dist/sipscope.cjs'),
  bundle: true,
  platform: 'node',
  // CommonJS output: a module reached only through a dynamic import (each command, the client, the capture
  // reader) is wrapped in an init function by esbuild, and the Node modules it needs (tls, zlib, dgram, ...) are
  // require()d when it is initialised; an ESM bundle would hoist every such import and load them all at start.
  format: 'cjs',
  // import() of a Node module becomes require() on first use too: the bundle runs in a vm.Script
  // (bin/load-bundle.js), which has no loader for dynamic import()
  // regular expression literals kept as literals (esbuild would turn /\p{...}/v into new RegExp(), which V8
  // compiles at once: string-width's \p{RGI_Emoji} alone costs ~14 ms of every start; a literal ~1 ms)
  supported: { 'dynamic-import': false, 'regexp-set-notation': true, 'regexp-unicode-property-escapes': true },
  // the one user of import.meta (yargs' ESM platform shim) gets the bundle's own URL
  define: { 'import.meta.url': '__sipscopeBundleUrl', SIPSCOPE_VERSION: JSON.stringify(version) },
  target: 'node20.19',
  // smaller to read and compile on every start; stack traces are mapped back by bin/stack-trace.js
  minify: true,
  sourcemap: true,
  // sources in the map: a stack trace shows the TypeScript line even where src/ is not shipped (npm pack)
  sourcesContent: true,
  legalComments: 'none',
  // ws loads these optional native helpers inside try/catch: absent, it uses its JavaScript code
  external: ['bufferutil', 'utf-8-validate'],
  banner: { js: "const __sipscopeBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});

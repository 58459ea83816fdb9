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
 * string-width (yargs lays out help with it) builds Unicode property regular expressions (\p{Spacing_Mark},
 * \p{RGI_Emoji}, ... with the v flag) and an Intl.Segmenter (ICU break data) when it is loaded: ~15 ms of every
 * start. Its module body is deferred to the first call of stringWidth, so a command that prints no help never pays.
 * The rewrite keeps the import lines and wraps the rest; a version that does not fit the shape is left as it is.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const exported = /^export default function stringWidth\(/m;
      const imports = source.match(/^import .*;$/gm) ?? [];
      if (!exported.test(source) || /^export (?!default function stringWidth\()/m.test(source)) return { contents: source, loader: 'js' };
      const body = source.replace(/^import .*;$/gm, '').replace(exported, 'function stringWidth(');
      const contents = `${imports.join('\n')}\nlet loaded;\nexport default function lazyStringWidth(...args) {\n  loaded ??= (() => {\n${body}\nreturn stringWidth;\n})();\n  return loaded(...args);\n}\n`;
      return { contents, loader: 'js' };
    });
  },
};

/** The settings of both bundles: the CLI's (dist/sipscope.cjs) and the read thread's (dist/read-worker.cjs). */
const shared = {
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
  banner: { js: "const __sipscopeBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

/**
 * The read thread of a threaded analysis (src/analysis/read-thread/worker.ts: decoding and the plain scan) as its
 * own small file beside the CLI's: the CLI starts it as a worker_thread (read-thread.ts readWorkerUrl).
 */
await build({ ...shared, entryPoints: [path.join(root, 'src/analysis/read-thread/worker.ts')], outfile: path.join(root, 'dist/read-worker.cjs') });

await build({
  ...shared,
  plugins: [lazyStringWidth],
  entryPoints: [path.join(root, 'src/cli/index.ts')],
  outfile: path.join(root, 'dist/sipscope.cjs'),
  // ws loads these optional native helpers inside try/catch: absent, it uses its JavaScript code
  // @duckdb/node-api loads a native library (query, analyze --dataset): it stays a dependency, required at run time
  external: ['bufferutil', 'utf-8-validate', '@duckdb/node-api'],
});

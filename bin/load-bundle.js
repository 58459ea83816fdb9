// Loads dist/sipscope.cjs as require() would (the CommonJS wrapper, its own require), compiled with V8's code cache
// dist/sipscope.cjs.v8cache when there is one: `npm run build` writes it (scripts/code-cache.mjs) after a warm-up
// run, so that start-up skips most of the compilation of the bundle (issue 14). The cache is read only from the
// package's own directory, never from a shared place; V8 rejects a cache made by another Node version or for
// another bundle, and the bundle is then compiled as usual.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundlePath = path.join(__dirname, '..', 'dist', 'sipscope.cjs');
const cachePath = `${bundlePath}.v8cache`;

/** The bundle's exports, and the compiled script (for writing a fresh cache). */
function loadBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundlePath, 'utf8')), { filename: bundlePath, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
  return { exports: module.exports, script };
}

module.exports = { bundlePath, cachePath, loadBundle };

// Loads dist/sipscope.cjs as require() would (the CommonJS wrapper, its own require), compiled with V8's code cache
// dist/sipscope.cjs.v8cache when there is one: `npm run build` writes it (scripts/bundle.mjs) after a warm-up run,
// so that start-up skips most of the compilation of the bundle (issue 14). The cache is read only from the package's
// own directory, never from a shared place; V8 rejects a cache made by another Node version or for another bundle,
// and the bundle is then compiled as usual.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const bundlePath = fileURLToPath(new URL('../dist/sipscope.cjs', import.meta.url));
export const cachePath = `${bundlePath}.v8cache`;

/** The bundle's exports, and the compiled script (for writing a fresh cache). */
export function loadBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundlePath, 'utf8')), { filename: bundlePath, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
  return { exports: module.exports, script };
}

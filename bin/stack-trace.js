// Loaded only when sipscope crashes: the stack of an unexpected error with every frame in the bundle
// (dist/sipscope.cjs) mapped to its TypeScript file and line through the bundle's source map. Done here, on demand,
// because Node's --enable-source-maps / process.setSourceMapsEnabled parse the whole map at start-up (~40 ms on
// every run, issue 14).
'use strict';
const { readFileSync } = require('node:fs');
const { SourceMap } = require('node:module');
const path = require('node:path');
const { fileURLToPath } = require('node:url');

const bundle = path.join(__dirname, '..', 'dist', 'sipscope.cjs');

/** `error.stack` with bundle positions replaced by source positions (as written, when the map cannot be read). */
function mappedStack(error) {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : String(error);
  let map;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    return stack;
  }
  const escaped = bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`(?:file://)?${escaped}:(\\d+):(\\d+)`, 'g');
  return stack.replace(frame, (whole, line, column) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || entry.originalSource === undefined) return whole;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

module.exports = { mappedStack };

#!/usr/bin/env node
/**
 * Writes dist/sipscope.cjs.v8cache (see bin/load-bundle.js): loads the bundle, runs the help of every command
 * (argument parsing and its yargs paths, without touching the network or a file), then saves V8's code cache of
 * everything compiled so far. Part of `npm run build`, after scripts/bundle.mjs.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { cachePath, loadBundle } from '../bin/load-bundle.js';

rmSync(cachePath, { force: true });
const { exports: cli, script } = loadBundle();
const quiet = { out() {}, err() {}, style: { green: String, red: String, yellow: String, dim: String, bold: String }, interactive: false, env: {}, stdin: new PassThrough() };
// yargs prints help through console.log itself: keep the build's output quiet
const { log, error } = console;
console.log = console.error = () => {};
for (const args of [['--help'], ['register', '--help'], ['options', '--help'], ['decode', '--help'], ['register', 'sip:alice@example.com', '--t1', '-1']]) {
  await cli.main(args, quiet);
}
console.log = log;
console.error = error;
writeFileSync(cachePath, script.createCachedData());

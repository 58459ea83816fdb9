#!/usr/bin/env node
// Thin launcher, CommonJS (bin/package.json) because Node starts a CommonJS entry a few ms sooner than an ES module.
// `--version` alone is answered from package.json without loading the CLI (monitoring and scripts call it often);
// everything else runs the bundled CLI (dist/sipscope.cjs, made by `npm run build` from src/cli), loaded with its V8
// code cache (bin/load-bundle.js); a threaded analysis's read thread is started first (bin/prestart-read-thread.js).
// An unexpected error is printed with its stack mapped to the TypeScript sources
// (bin/stack-trace.js), exit 1 as Node itself would exit on it.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);

function crash(error) {
  const { mappedStack } = require('./stack-trace.js');
  process.stderr.write(`${mappedStack(error)}\n`);
  process.exit(1);
}

if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
} else {
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    // a threaded analysis's second thread starts while the bundle loads (bin/prestart-read-thread.js)
    require('./prestart-read-thread.js').prestartReadThread(args);
    const { main } = require('./load-bundle.js').loadBundle().exports;
    main(args).then((code) => {
      process.exitCode = code;
    }, crash);
  } catch (error) {
    crash(error);
  }
}

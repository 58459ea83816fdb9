#!/usr/bin/env node
// Thin launcher. `--version` alone is answered from package.json without loading the CLI (monitoring and scripts
// call it often); everything else runs the bundled CLI (dist/sipscope.cjs, made by `npm run build` from src/cli),
// loaded with its V8 code cache (bin/load-bundle.js).
// An unexpected error is printed with its stack mapped to the TypeScript sources (bin/stack-trace.js), exit 1 as
// Node itself would exit on it.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);

async function crash(error) {
  const { mappedStack } = await import('./stack-trace.js');
  process.stderr.write(`${mappedStack(error)}\n`);
  process.exit(1);
}

if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    const { loadBundle } = await import('./load-bundle.js');
    const { main } = loadBundle().exports;
    process.exitCode = await main(args);
  } catch (error) {
    await crash(error);
  }
}

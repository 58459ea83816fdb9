#!/usr/bin/env node
/**
 * Every benchmark in bench/, one after the other (`npm run bench`, which builds first). Each one runs its peers on
 * the same data in the same run and prints its own ratios; this only runs them in turn and says which failed.
 * Benchmarks that start Kamailio hold /tmp/sipscope-interop.lock (as the interop tests do) while they run.
 *   --short   small inputs and few runs: a quick look (minutes, not a measurement to publish)
 *   --only a,b  run only these (parser, decode, hostile-captures, analyze, register, call, startup)
 * Usage: node bench/run-all.js [--short] [--only startup,parser]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({ options: { short: { type: 'boolean', default: false }, only: { type: 'string' } } });

/** Each benchmark with its arguments in full and in --short mode; `peers` when it starts Kamailio. */
const benchmarks = [
  { name: 'parser', file: 'parser.mjs', full: [], short: ['--seconds', '0.3'] },
  { name: 'decode', file: 'decode.mjs', full: [], short: ['--size', '20', '--skip-4x'] },
  { name: 'hostile-captures', file: 'hostile-captures.mjs', full: [], short: ['--sizes', '5000,10000', '--runs', '1', '--no-tshark'] },
  { name: 'analyze', file: 'analyze.mjs', full: [], short: ['--skip-4x', '--skip-replicated', '--skip-sngrep'] },
  { name: 'register', file: 'register.mjs', full: [], short: ['--runs', '5', '--count', '200', '--rates', '500'], peers: true },
  { name: 'call', file: 'call.mjs', full: [], short: ['--calls', '100', '--rate', '50', '--registrations', '1000', '--reg-rate', '500'], peers: true },
  { name: 'startup', file: 'startup.mjs', full: [], short: ['--short'], peers: true },
];

const wanted = options.only ? new Set(options.only.split(',').map((name) => name.trim())) : undefined;
const unknown = wanted ? [...wanted].filter((name) => !benchmarks.some((bench) => bench.name === name)) : [];
if (unknown.length > 0) {
  console.error(`bench/run-all.js: no benchmark named ${unknown.join(', ')} (there are ${benchmarks.map((bench) => bench.name).join(', ')})`);
  process.exit(2);
}

const failed = [];
for (const bench of benchmarks) {
  if (wanted && !wanted.has(bench.name)) continue;
  const args = [path.join(here, bench.file), ...(options.short ? bench.short : bench.full)];
  const command = bench.peers ? ['flock', ['/tmp/sipscope-interop.lock', process.execPath, ...args]] : [process.execPath, args];
  console.log(`\n=== ${bench.name}: node ${path.relative(process.cwd(), args[0])} ${args.slice(1).join(' ')}`.trimEnd());
  const started = Date.now();
  const result = spawnSync(command[0], command[1], { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed.push(bench.name);
    console.log(`=== ${bench.name}: FAILED (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else {
    console.log(`=== ${bench.name}: done in ${seconds} s`);
  }
}
if (failed.length > 0) {
  console.log(`\nfailed or missed a target: ${failed.join(', ')}`);
  process.exitCode = 1;
}

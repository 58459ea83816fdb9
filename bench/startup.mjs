#!/usr/bin/env node
/**
 * Start-up of the CLI (issue 14), in paired runs on the same machine, one right after the other:
 *   1. `sipscope --version` against `node -e 0` (what Node itself costs to start);
 *   2. one REGISTER check against a real Kamailio on 127.0.0.1:26410 (digest auth from SQLite, started and stopped
 *      here with the interop harness): `sipscope register --keep` (one registration, as sipsak -U makes) and the
 *      default check (register, read, remove its binding again) against `sipsak -U`.
 * Wall time of each process from spawn to exit (spawnSync, hrtime); medians of each and of the per-pair ratios.
 * Targets: --version <= 1.3x node -e 0; one REGISTER check <= 4x sipsak.
 * `--baseline DIR` adds another build's DIR/bin/sipscope.js to the same paired runs (e.g. a checkout before a change;
 * its register is run without --keep, for builds from before the clean check, which kept the binding anyway).
 * Needs the build (`npm run build`). Usage: node bench/startup.mjs [--runs 21] [--short] [--skip-register] [--baseline DIR]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './median.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'sipscope.js');
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string' },
    short: { type: 'boolean', default: false },
    'skip-register': { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const runs = Number.parseInt(options.runs ?? (options.short ? '7' : '21'), 10);
const port = 26410;
const domain = 'sipscope.test';
const baselineBin = options.baseline ? path.resolve(options.baseline, 'bin', 'sipscope.js') : undefined;
const password = `startup-${randomBytes(6).toString('hex')}`;

/** Wall milliseconds of one process, spawn to exit; throws when it fails. */
function timed(file, args, env = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return ms;
}

/** Runs the commands in turn `runs` times (after one warm-up each); medians and median ratio of each to the first. */
function paired(label, commands) {
  for (const command of commands) command.run();
  const times = commands.map(() => []);
  for (let run = 0; run < runs; run += 1) commands.forEach((command, index) => times[index].push(command.run()));
  const [base, ...others] = times;
  console.log(`${label}, median of ${runs} paired runs:`);
  console.log(`   ${commands[0].name.padEnd(44)} ${median(base).toFixed(1).padStart(7)} ms`);
  const ratios = {};
  others.forEach((series, index) => {
    const ratio = median(series.map((ms, run) => ms / base[run]));
    ratios[commands[index + 1].name] = ratio;
    console.log(`   ${commands[index + 1].name.padEnd(44)} ${median(series).toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}x ${commands[0].name}`);
  });
  return ratios;
}

console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} (figures are noisy when it is high)\n`);
const version = paired('1. start-up', [
  { name: 'node -e 0', run: () => timed(process.execPath, ['-e', '0']) },
  { name: 'sipscope --version', run: () => timed(process.execPath, [bin, '--version']) },
  ...(baselineBin ? [{ name: 'baseline sipscope --version', run: () => timed(process.execPath, [baselineBin, '--version']) }] : []),
]);
const versionRatio = version['sipscope --version'];
console.log(`   target <= 1.3x: ${versionRatio <= 1.3 ? 'met' : 'NOT met'}\n`);

if (!options['skip-register']) {
  // the harness is TypeScript; vite (installed with vitest) loads it without a separate build
  const { runnerImport } = await import('vite');
  const { startRegistrarEnvironment } = (await runnerImport(path.join(root, 'test', 'interop', 'environment.ts'))).module;
  const environment = await startRegistrarEnvironment({
    name: 'startup-bench',
    hosts: ['127.0.0.1'],
    ports: { sip: port },
    realm: domain,
    subscribers: [{ username: 'alice', domain, password }],
  });
  try {
    const target = `sip:alice@127.0.0.1:${port}`;
    const env = { SIPSCOPE_BENCH_PASSWORD: password };
    const check = paired('2. one REGISTER check against Kamailio on loopback (401 challenge + answer)', [
      { name: 'sipsak -U', run: () => timed('sipsak', ['-U', '-s', target, '-a', password]) },
      { name: 'node -e 0 (floor: Node start-up alone)', run: () => timed(process.execPath, ['-e', '0']) },
      { name: 'sipscope register --keep', run: () => timed(process.execPath, [bin, 'register', target, '--password-env', 'SIPSCOPE_BENCH_PASSWORD', '--keep'], env) },
      { name: 'sipscope register (register, then remove)', run: () => timed(process.execPath, [bin, 'register', target, '--password-env', 'SIPSCOPE_BENCH_PASSWORD'], env) },
      ...(baselineBin ? [{ name: 'baseline sipscope register', run: () => timed(process.execPath, [baselineBin, 'register', target, '--password-env', 'SIPSCOPE_BENCH_PASSWORD'], env) }] : []),
    ]);
    const checkRatio = check['sipscope register --keep'];
    console.log(`   target <= 4x sipsak (same work: one registration): ${checkRatio <= 4 ? 'met' : 'NOT met'}`);
    if (checkRatio > 4) process.exitCode = 1;
  } finally {
    await environment.close();
  }
}
if (versionRatio > 1.3) process.exitCode = 1;

// Starts the read thread of a threaded analysis (dist/read-worker.cjs, src/analysis/read-thread/) before the CLI
// bundle is loaded, for a command line that will most likely want one: a worker takes ~150 ms to start on the
// benchmark VM and the bundle ~100 ms to load, one after the other; started here, the two overlap, and the analysis
// has its first batch ~100 ms sooner (bench/README.md, "2026-12-02 01:40-02:15 UTC"). The worker waits for its work
// (read-thread.ts decodeOnReadThread adopts it, or starts one of its own when there is none); unref'd, one the CLI
// does not adopt (a usage error, a guess that was wrong) never keeps the process alive.
// The guess: analyze, calls or flow, with capture files (arguments naming regular files) of READ_THREAD_MIN_BYTES or
// more in all (SIPSCOPE_READ_THREAD_MIN_BYTES, as the CLI reads it), none from stdin, and no option that reads in
// one thread. The CLI decides again (analysis-run.ts, readThreadPays): a wrong guess costs a worker's start on
// another core, never a different result.
'use strict';
const { statSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const path = require('node:path');

/** The commands with --threads (src/cli/commands/analysis-run.ts). */
const THREADED_COMMANDS = new Set(['analyze', 'calls', 'flow']);
/** Options with which the CLI reads in one thread (never from a second one). */
const ONE_THREAD_OPTIONS = ['--no-threads', '--threads=false', '--dataset', '--follow', '--hep-listen'];
/** As src/analysis/read-thread/read-thread.ts READ_THREAD_MIN_BYTES (test/cli/prestart-read-thread.test.ts checks). */
const READ_THREAD_MIN_BYTES = 32 * 1024 * 1024;
/** Where an adoptable worker waits for read-thread.ts. */
const PRESTARTED = Symbol.for('sipscope.prestartedReadThread');

/** SIPSCOPE_READ_THREAD_MIN_BYTES as analysis-run.ts bytesFromEnv reads it, else READ_THREAD_MIN_BYTES. */
function minBytes(env) {
  const text = env.SIPSCOPE_READ_THREAD_MIN_BYTES;
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) ? value : READ_THREAD_MIN_BYTES;
}

/** Whether the command line looks like a threaded analysis of capture files. */
function wantsReadThread(args, env) {
  if (!THREADED_COMMANDS.has(args[0]) || availableParallelism() < 2) return false;
  let total = 0;
  let files = 0;
  for (const arg of args.slice(1)) {
    if (arg === '-' || ONE_THREAD_OPTIONS.some((option) => arg === option || arg.startsWith(`${option}=`))) return false;
    if (arg.startsWith('-')) continue;
    try {
      const stat = statSync(arg);
      if (stat.isFile()) {
        total += stat.size;
        files++;
      }
    } catch {
      // an option's value, or no such file (the CLI says so)
    }
  }
  return files > 0 && total >= minBytes(env);
}

/** Starts the read thread when the command line wants one; leaves it for read-thread.ts to adopt. */
function prestartReadThread(args, env = process.env) {
  if (!wantsReadThread(args, env)) return;
  const { Worker } = require('node:worker_threads');
  const worker = new Worker(path.join(__dirname, '..', 'dist', 'read-worker.cjs'), { workerData: { sipscopePrestarted: true } });
  worker.unref();
  // gone before adoption (it failed to start): read-thread.ts then starts one of its own
  worker.once('exit', () => {
    if (globalThis[PRESTARTED] === worker) globalThis[PRESTARTED] = undefined;
  });
  worker.on('error', () => undefined);
  globalThis[PRESTARTED] = worker;
}

module.exports = { prestartReadThread, wantsReadThread, READ_THREAD_MIN_BYTES, PRESTARTED };

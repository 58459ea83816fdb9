/**
 * bench/thread-times.mjs, what bench/analyze.mjs prints of each run's threads: the CPU of a process's main thread
 * and of its other threads, read from Linux's /proc while it runs, through a wrapper process as the benchmark runs
 * sipscope (under /usr/bin/time).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleThreadTimes, threadTimesLine } from '../../bench/thread-times.mjs';

interface ThreadTimes {
  main: { tid: number; runSeconds: number; waitSeconds: number };
  others: { tid: number; runSeconds: number; waitSeconds: number }[];
}

/** A node process whose main thread sleeps while a worker thread spins for `spinMs`. */
const SPINNING_WORKER = (spinMs: number) =>
  `const { Worker } = require('node:worker_threads');
   new Worker('const end = Date.now() + ${spinMs}; while (Date.now() < end) {}', { eval: true });`;

function sampled(command: string, args: string[]): Promise<ThreadTimes | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    const sampler = sampleThreadTimes(child.pid);
    child.on('error', reject);
    child.on('close', () => resolve(sampler.stop()));
  });
}

describe.runIf(existsSync('/proc/self/task'))('bench/thread-times.mjs', () => {
  it('tells the busy worker thread from the idle main thread, through a wrapper process', async () => {
    // sh runs node as a child (the `; true` keeps it from exec'ing node in its place), as /usr/bin/time does
    const times = await sampled('sh', ['-c', `"${process.execPath}" -e "${SPINNING_WORKER(600)}"; true`]);
    expect(times).toBeDefined();
    const [busiest] = times!.others;
    expect(busiest.runSeconds).toBeGreaterThan(0.3);
    expect(times!.main.runSeconds).toBeLessThan(busiest.runSeconds);
    expect(threadTimesLine(times)).toMatch(/^threads: main thread \d+\.\d\d s CPU, \d+\.\d\d s waiting for a CPU; busiest other \d+\.\d\d s; the other \d+ \d+\.\d\d s$/);
  });

  it('gives no figures for a process that ended before it was seen', async () => {
    expect(await sampled('true', [])).toBeUndefined();
    expect(threadTimesLine(undefined)).toBe('threads: no /proc figures');
  });
});

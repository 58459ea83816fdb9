/**
 * Per-thread CPU of a process a benchmark started, from Linux's /proc/PID/task/TID/schedstat (nanoseconds on a CPU,
 * nanoseconds runnable but waiting for one): which thread did the work, and how long the thread the run waits for
 * (a threaded analysis's main thread) was ready to run while the scheduler gave its CPU to another thread.
 *
 * `sampleThreadTimes(pid)` follows the process `pid` or, when that is a wrapper (`/usr/bin/time -v node ...`), its
 * first descendant named `node`; it reads the figures every 50 ms (a thread's last reading is kept: threads that end
 * before the process keep theirs) and `stop()` returns them. Undefined figures where there is no /proc (not Linux).
 */
import { readdirSync, readFileSync } from 'node:fs';

const EVERY_MS = 50;

/** The pid itself if it is node, else its first descendant whose command is node (breadth first); undefined if none yet. */
function nodeProcessUnder(pid) {
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift();
    try {
      if (readFileSync(`/proc/${current}/comm`, 'utf8').trim() === 'node') return current;
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    } catch {
      // gone, or no such file on this kernel
    }
  }
  return undefined;
}

/**
 * Starts sampling; `stop()` ends it and returns `{ main, others }` in seconds: the main thread's `runSeconds` and
 * `waitSeconds`, and the other threads' `{ tid, runSeconds, waitSeconds }`, busiest first; undefined without /proc.
 */
export function sampleThreadTimes(pid) {
  const last = new Map();
  let target;
  const sample = () => {
    target ??= nodeProcessUnder(pid);
    if (target === undefined) return;
    let tids;
    try {
      tids = readdirSync(`/proc/${target}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const [run, wait] = readFileSync(`/proc/${target}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
        last.set(Number(tid), { tid: Number(tid), runSeconds: run / 1e9, waitSeconds: wait / 1e9 });
      } catch {
        // the thread ended between the listing and the read: its last reading stays
      }
    }
  };
  const timer = setInterval(sample, EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      const main = last.get(target);
      if (main === undefined) return undefined;
      const others = [...last.values()].filter((thread) => thread.tid !== target).sort((a, b) => b.runSeconds - a.runSeconds);
      return { main, others };
    },
  };
}

/** One line of the figures: the main thread's CPU and wait, the busiest other thread's CPU, the rest's CPU. */
export function threadTimesLine(times) {
  if (times === undefined) return 'threads: no /proc figures';
  const [busiest, ...rest] = times.others;
  const restSeconds = rest.reduce((sum, thread) => sum + thread.runSeconds, 0);
  const main = `main thread ${times.main.runSeconds.toFixed(2)} s CPU, ${times.main.waitSeconds.toFixed(2)} s waiting for a CPU`;
  return `threads: ${main}; busiest other ${busiest ? busiest.runSeconds.toFixed(2) : '0.00'} s; the other ${rest.length} ${restSeconds.toFixed(2)} s`;
}

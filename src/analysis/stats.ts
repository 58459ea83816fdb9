/**
 * Call duration statistics and the drain window of a two-phase credential rotation.
 *
 * Which calls: answered calls that ended with a BYE inside the capture (states `ended` and `torn-down`), and
 * whose INVITE is in the capture. Failed, cancelled and still-active calls have no complete duration and are
 * left out.
 *
 * Duration of a call: from its first INVITE request (the first frame of the call, the moment its credential was
 * first used) to its first BYE request, in milliseconds with microsecond precision:
 * `durationMs = (timeUs(first BYE) - timeUs(first INVITE)) / 1000`, rounded to 3 decimals.
 *
 * Percentiles use the nearest-rank rule: sort the n durations ascending (d[1] <= ... <= d[n]); the p-th percentile
 * is d[ceil(p/100 * n)] (for n >= 1). It is always one of the measured durations, never an interpolation.
 * p50Ms, p95Ms, p99Ms use p = 50, 95, 99; maxMs is d[n]. With no complete call every value is absent (null in JSON).
 *
 * drainWindowMs (the p99 rule of a two-phase rotation: create the new credential, move new calls to it, wait
 * the drain window, then revoke the old one): equal to p99Ms. A call started on the old credential just before
 * the switch is still up when the old credential is revoked only if it lasts longer than the window, so waiting
 * p99 of the observed durations lets at least 99% of calls end before revocation. maxMs is the window that
 * would have let every observed call end.
 */
import type { DurationStats } from './types.js';

/** Nearest-rank percentile of ascending-sorted values (see the module comment); undefined for no values. */
export function nearestRank(sortedAscending: ArrayLike<number>, percent: number): number | undefined {
  const n = sortedAscending.length;
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percent / 100) * n));
  return sortedAscending[Math.min(rank, n) - 1];
}

/**
 * Statistics over the given call durations (milliseconds); see the module comment for the rules. A streaming
 * analysis hands a Float64Array (8 bytes a call, the only per-call state it keeps to the end).
 */
export function durationStats(durationsMs: ArrayLike<number>): DurationStats {
  const sorted = Float64Array.from(durationsMs).sort();
  const p99Ms = nearestRank(sorted, 99);
  return {
    count: sorted.length,
    p50Ms: nearestRank(sorted, 50),
    p95Ms: nearestRank(sorted, 95),
    p99Ms,
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : undefined,
    drainWindowMs: p99Ms,
  };
}

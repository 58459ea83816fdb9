/**
 * How far V8 lets the heap grow past what survived its last full collection, for the commands that analyse
 * captures. The streaming analysis keeps a steady ~50 MB alive (the transactions of the last 64*T1, RFC 3261 §17)
 * and turns over ~1 GB per 250 MB of capture; when collection is cheap next to that work, V8 lets the old
 * generation reach up to four times what survives (its default heap growing factor), so a run whose live data is
 * 50 MB sat at ~290 MB RSS. Growth capped at half again what survives: ~180 MB in-process, 195-225 MB for the
 * CLI (issue 9's bound is 200), for about 12% more CPU in collection; at twice (100%), ~200 MB in-process for 3%
 * (measured on the 247 MB SIPp capture: bench/README.md).
 * A process-wide V8 setting: set by the CLI only, before the analysis allocates.
 */
import { setFlagsFromString } from 'node:v8';

/** Heap growth past the live size, in percent (V8's --heap-growing-percent: growing factor 1 + percent / 100). */
export const ANALYSIS_HEAP_GROWING_PERCENT = 50;

let applied = false;

export function boundHeapGrowthForAnalysis(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${ANALYSIS_HEAP_GROWING_PERCENT}`);
}

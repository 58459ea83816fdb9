/**
 * How far V8 lets the heap grow past what survived its last full collection, for the commands that analyse
 * captures. The streaming analysis keeps a steady ~50 MB alive (the transactions of the last 64*T1, RFC 3261 §17)
 * and turns over ~1 GB per 250 MB of capture; when collection is cheap next to that work, V8 lets the old
 * generation reach up to four times what survives (its default heap growing factor), so a run whose live data is
 * 50 MB sat at ~300 MB RSS. Capping growth at twice what survives keeps it under 200 MB (issue 9's bound) for
 * about 8% more CPU in collection (measured with bench/analyze.mjs: bench/README.md).
 * A process-wide V8 setting: set by the CLI only, before the analysis allocates.
 */
import { setFlagsFromString } from 'node:v8';

/** Heap growth past the live size, in percent (V8's --heap-growing-percent: growing factor 1 + percent / 100). */
export const ANALYSIS_HEAP_GROWING_PERCENT = 100;

let applied = false;

export function boundHeapGrowthForAnalysis(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${ANALYSIS_HEAP_GROWING_PERCENT}`);
}

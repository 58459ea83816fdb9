/**
 * How far V8 lets the heap grow, for the commands that analyse captures. Both are process-wide V8 settings, made by
 * the CLI only, before and while the analysis allocates (measured on the 247 MB SIPp capture: bench/README.md).
 *
 * Old generation: the streaming analysis kept a steady ~50 MB alive (the transactions of the last 64*T1, RFC 3261
 * §17) and turns over ~1 GB per 250 MB of capture; when collection is cheap next to that work, V8 lets the old
 * generation reach up to four times what survives (its default heap growing factor), so a run whose live data is
 * 50 MB sat at ~290 MB RSS. Growth capped at half again what survives: ~180 MB in-process, for about 12% more CPU
 * in collection; at twice (100%), ~200 MB in-process for 3%.
 *
 * Young generation: V8 doubles it (2 MB, 4, 8, ... up to 32 MB for both semi-spaces) while much of what it holds
 * survives a scavenge, as each message's transaction state does (~20% of the young objects). Its maximum is fixed
 * at start-up (--max-semi-space-size), but the growth factor is read at each growth: set to 1 once the new space
 * holds 16 MB, it stays there. In-process on the SIPp capture, when the transactions were objects: peak RSS 180 ->
 * 145-148 MB at the same CPU stopped at 8 MB; kept at 2 MB it costs 8-10% more CPU. Since their state is in columns
 * (analysis/transaction-slots.ts, ~20 MB less), 16 MB fits: `analyze --json` with two threads, 8 -> 16 MB, wall
 * -3 to -8%, user CPU -5%, peak RSS 161-164 -> 172-176 MB (180 MB on the 4x file; bench/README.md, 2026-12-01 21:30).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Heap growth past the live size, in percent (V8's --heap-growing-percent: growing factor 1 + percent / 100). */
export const ANALYSIS_HEAP_GROWING_PERCENT = 50;

/** Size of the new space (both semi-spaces) at which its growth is stopped. */
export const ANALYSIS_NEW_SPACE_BYTES = 16 * 1024 * 1024;

/** Messages between two looks at the new space's size (a growth needs several scavenges, thousands of messages). */
const LOOK_EVERY = 1024;

let applied = false;
let youngBounded = false;

export function boundHeapGrowthForAnalysis(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${ANALYSIS_HEAP_GROWING_PERCENT}`);
}

/** Whether boundHeapGrowthForAnalysis has run in this process. */
export function heapGrowthBounded(): boolean {
  return applied;
}

/** Whether the new space has reached ANALYSIS_NEW_SPACE_BYTES and its growth was stopped. */
export function youngGenerationBounded(): boolean {
  return youngBounded;
}

/**
 * A per-message hook that stops the young generation's growth once the new space holds `newSpaceBytes`
 * (it looks every LOOK_EVERY messages, and not at all once done); `next` is called for every message.
 */
export function boundingYoungGeneration<T>(next?: (item: T) => void, newSpaceBytes = ANALYSIS_NEW_SPACE_BYTES): (item: T) => void {
  let count = 0;
  return (item) => {
    next?.(item);
    if (youngBounded || ++count % LOOK_EVERY !== 0) return;
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace === undefined || newSpace.space_size >= newSpaceBytes) {
      setFlagsFromString('--semi-space-growth-factor=1');
      youngBounded = true;
    }
  };
}

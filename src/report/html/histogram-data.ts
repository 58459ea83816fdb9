/**
 * The call-duration histogram: durations of the calls the drain window is computed over (CallSummary.inDurations:
 * answered calls ended by BYE, `ended`, `torn-down`, begun in what was analysed), in 40 bins from 0 to the longest. A long tail (the longest call over 20 times the
 * median, as with a few stuck calls among short test calls) would put nearly every call in the first bin: then the
 * bins are equal on a log scale, from the shortest call to the longest. The percentile marks come from the
 * analysis's own nearest-rank figures (DurationStats), not from the bins.
 */
import type { CallSummary } from '../../analysis/types.js';

export const HISTOGRAM_BINS = 40;
/** Longest over median beyond which the scale is logarithmic. */
export const LOG_SCALE_TAIL = 20;

export interface HistogramData {
  scale: 'linear' | 'log';
  /** HISTOGRAM_BINS + 1 bin edges in ms, ascending (empty without durations). */
  edgesMs: number[];
  counts: number[];
}

export function histogramData(calls: readonly CallSummary[]): HistogramData {
  const durations: number[] = [];
  for (const call of calls) {
    // the calls the statistics were taken over, as the analysis marked them (an ended call whose 2xx was never
    // seen, or one seen from its middle, is not among them)
    if (call.inDurations && call.durationMs !== undefined) durations.push(call.durationMs);
  }
  if (durations.length === 0) return { scale: 'linear', edgesMs: [], counts: [] };
  durations.sort((a, b) => a - b);
  const minMs = durations[0];
  const maxMs = durations[durations.length - 1];
  const medianMs = durations[Math.ceil(durations.length / 2) - 1];
  const log = minMs > 0 && medianMs > 0 && maxMs / medianMs > LOG_SCALE_TAIL;
  const edgesMs: number[] = [];
  for (let index = 0; index <= HISTOGRAM_BINS; index++) {
    edgesMs.push(log ? minMs * Math.pow(maxMs / minMs, index / HISTOGRAM_BINS) : (Math.max(maxMs, 1) * index) / HISTOGRAM_BINS);
  }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  let bin = 0;
  for (const duration of durations) {
    while (bin < HISTOGRAM_BINS - 1 && duration >= edgesMs[bin + 1]) bin++;
    counts[bin]++;
  }
  return { scale: log ? 'log' : 'linear', edgesMs, counts };
}

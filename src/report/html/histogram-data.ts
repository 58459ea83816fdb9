/**
 * The call-duration histogram: durations of the calls the drain window is computed over (answered calls ended by
 * BYE: `ended`, `torn-down`), in equal bins from 0 to the longest. The percentile marks come from the analysis's
 * own nearest-rank figures (DurationStats), not from the bins.
 */
import type { CallSummary } from '../../analysis/types.js';

export const HISTOGRAM_BINS = 40;

export interface HistogramData {
  binMs: number;
  counts: number[];
}

export function histogramData(calls: readonly CallSummary[]): HistogramData {
  const durations: number[] = [];
  for (const call of calls) {
    if ((call.state === 'ended' || call.state === 'torn-down') && call.durationMs !== undefined) durations.push(call.durationMs);
  }
  let maxMs = 0;
  for (const duration of durations) if (duration > maxMs) maxMs = duration;
  const binMs = maxMs > 0 ? maxMs / HISTOGRAM_BINS : 1;
  const counts = new Array<number>(durations.length > 0 ? HISTOGRAM_BINS : 0).fill(0);
  for (const duration of durations) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(duration / binMs))]++;
  return { binMs, counts };
}

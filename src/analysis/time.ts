/** Capture times are microseconds since the Unix epoch; reports show them as ISO 8601 UTC with microseconds. */

/**
 * `2026-11-23T22:06:59.123456Z` for a time in microseconds since the epoch: the one formatter of capture times
 * (capture/time-format.ts), so decode, analysis and the reports print a time alike.
 */
export { formatTimeUs as isoMicros } from '../capture/time-format.js';

/** Parses an ISO 8601 time (fractional seconds up to microseconds kept) into microseconds since the epoch. */
export function parseIsoMicros(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) return undefined;
  const zone = match[3] ?? 'Z';
  const seconds = Date.parse(`${match[1]}${zone}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(fraction);
}

/** Difference of two microsecond times in milliseconds, keeping microsecond precision (3 decimals). */
export function elapsedMs(fromUs: number, toUs: number): number {
  return Math.round(toUs - fromUs) / 1000;
}
